"""The Content-Security-Policy as the server sends it, and the templates it would refuse (the browser side is
tests/browser/test_csp.py)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/check/", "/no-such-page/", "/admin/login/"])
def test_every_page_sends_a_strict_content_security_policy(client, url):
    policy = _policy(client.get(url))
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    for directive, sources in policy.items():
        assert "'unsafe-eval'" not in sources and "'unsafe-inline'" not in sources, directive


@pytest.mark.django_db
def test_a_page_with_charts_allows_style_attributes_for_their_tooltips_and_nothing_else(client, city):
    """ECharts writes its tooltips with computed style attributes; the regulator's home draws a chart."""
    client.force_login(city.city_regulator)
    response = client.get("/")
    assert b"vendor/echarts.min.js" in response.content
    policy = _policy(response)
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src-elem"] == ["'self'"]


@pytest.mark.django_db
def test_a_page_without_charts_refuses_style_attributes(client, city):
    client.force_login(city.owner_a_user)
    response = client.get("/")
    assert b"vendor/echarts.min.js" not in response.content
    assert "'unsafe-inline'" not in _policy(response)["style-src-attr"]


def test_the_one_style_attribute_allowed_by_hash_is_the_one_in_the_history_template():
    """django-simple-history's history page carries one constant style attribute; an upgrade that changes it
    must change the hash in settings (or the admin's history page logs a violation)."""
    import simple_history

    template = Path(simple_history.__file__).parent / "templates" / "simple_history" / "object_history_list.html"
    values = re.findall(r'style="([^"]*)"', template.read_text(encoding="utf-8"))
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(v.encode()).digest()).decode() + "'" for v in values}
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src-attr"]
    assert hashes and hashes == {h for h in allowed if h.startswith("'sha256-")}


TEMPLATE_DIRS = [ROOT / "jiliang" / "templates", *sorted((ROOT / "jiliang").glob("*/templates"))]
# What the policy blocks in our own markup: a <script> with code in it (a data block of type application/json is
# not run, so it may stay), a <style> element, a style attribute, an event-handler attribute, a javascript: URL,
# and htmx's hx-on (run through eval).
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle=", re.I),
    "event handler": re.compile(r"\son[a-z]+=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on": re.compile(r"\shx-on", re.I),
}


def test_no_template_carries_what_the_policy_would_block():
    found = []
    for directory in TEMPLATE_DIRS:
        for template in sorted(directory.rglob("*.html")):
            text = template.read_text(encoding="utf-8")
            for what, pattern in INLINE.items():
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style():
    base = (ROOT / "jiliang" / "templates" / "base.html").read_text(encoding="utf-8")
    assert re.search(r"<meta name=\"htmx-config\" content='\{[^']*\"includeIndicatorStyles\": ?false", base)
    css = (ROOT / "jiliang" / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css
