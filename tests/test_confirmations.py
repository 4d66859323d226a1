"""Every form that performs an act that cannot be undone (withdraw, revoke, reject, close, publish, approve, retire,
scrap) asks first: its submit button (or the form) carries ``data-confirm``, which static/js/app.js turns into a
confirmation dialog. The token's revocation is its own confirmation page. A new irreversible button without a
confirmation fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "jiliang"

# The URL names (or their last part) of the posts that cannot be undone.
IRREVERSIBLE = re.compile(
    r"""\{%\s*url\s+'(?:[\w:]*)(?:withdraw|revoke|reject|complete|publish|approve|status)'"""
    r"""|\{%\s*url\s+'[\w:]+'\s+[\w.]+\s+'(?:withdraw|reject|complete|publish|approve)'"""
)
# A page that is itself the confirmation step (it says what happens and offers a cancel link).
CONFIRMATION_PAGES = {"templates/registration/token_revoke.html"}

FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", re.S)


def templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.html") if "demo" not in p.parts)


def irreversible_forms() -> list[tuple[str, str]]:
    found = []
    for path in templates():
        name = str(path.relative_to(ROOT))
        if name in CONFIRMATION_PAGES:
            continue
        for form in FORM.findall(path.read_text(encoding="utf-8")):
            opening = form.split(">", 1)[0]
            if IRREVERSIBLE.search(opening):
                found.append((name, form))
    return found


def test_the_scan_finds_the_known_irreversible_forms():
    names = {name for name, _form in irreversible_forms()}
    for expected in (
        "verification/templates/verification/requests/detail.html",
        "verification/templates/verification/certificates/_revoke.html",
        "verification/templates/verification/records/draft.html",
        "standards/templates/standards/_authorization_results.html",
        "standards/templates/standards/_status_card.html",
        "standards/templates/standards/declaration_detail.html",
        "indicators/templates/indicators/_evaluation_results.html",
        "instruments/templates/instruments/_status_card.html",
    ):
        assert expected in names


@pytest.mark.parametrize(("name", "form"), irreversible_forms(), ids=lambda v: v if v.endswith(".html") else "")
def test_every_irreversible_form_asks_first(name, form):
    assert "data-confirm=" in form, f"{name}: {form.split('>', 1)[0]}> has no data-confirm"


def test_the_request_detail_confirms_withdraw_reject_and_complete():
    text = (ROOT / "verification/templates/verification/requests/detail.html").read_text(encoding="utf-8")
    for action in ("withdraw", "reject", "complete"):
        form = next(f for f in FORM.findall(text) if f"'{action}'" in f.split(">", 1)[0])
        assert "data-confirm=" in form


def test_the_script_turns_data_confirm_into_a_dialog():
    script = (ROOT / "static/js/app.js").read_text(encoding="utf-8")
    assert "dataset.confirm" in script and "window.confirm(message)" in script and "preventDefault" in script
