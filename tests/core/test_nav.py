"""The menu registry (jiliang.core.nav): the apps' entries, their groups in order, and the side menu's markup.

Which entries each role sees is tests/core/test_nav_entries.py; the menu in a browser is tests/browser/test_navigation.py.
"""

from __future__ import annotations

import doctest
import re

import pytest
from django.urls import reverse

from jiliang.core import nav
from jiliang.notices.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_the_examples_in_the_registry_hold():
    assert doctest.testmod(nav).failed == 0


def test_every_entry_the_apps_declare_names_a_page_and_a_group():
    entries = list(nav._registry.values())
    # Core's two, and one of every app that has pages.
    names = {"home", "admin:index", "instruments:list", "requests:list", "standards:list", "people:list"}
    assert {e.url_name for e in entries} >= names | {"plans:list", "notices:list"}
    for entry in entries:
        assert reverse(entry.url_name).startswith("/"), entry.url_name
        assert entry.roles and entry.roles <= nav.ALL_ROLES, entry.url_name
        assert entry.group is None or entry.group in nav.Group, entry.url_name
    assert [e.url_name for e in entries if e.group is None] == ["home"]


def _groups(client, user) -> list[str | None]:
    client.force_login(user)
    return [group["label"] and str(group["label"]) for group in client.get(reverse("home")).context["nav_groups"]]


def test_groups_come_in_their_order_and_only_with_entries(city, client):
    assert _groups(client, city.admin) == [None, "器具与检定", "标准与溯源", "监督执法", "规划与预警", "系统"]
    # Owner A, a market without a laboratory, has no entry in 标准与溯源 (its one entry is the declarations); it
    # reads its own inspections, orders and cases under 监督执法.
    assert _groups(client, city.owner_a_user) == [None, "器具与检定", "监督执法", "系统"]
    assert _groups(client, city.institute_user) == [None, "器具与检定", "标准与溯源", "规划与预警", "系统"]


def test_the_groups_hold_the_same_items_as_the_flat_list(city, client):
    client.force_login(city.city_regulator)
    context = client.get(reverse("home")).context
    assert [item for group in context["nav_groups"] for item in group["items"]] == context["nav_items"]


def test_an_anonymous_visitor_gets_no_menu_and_no_button(city, client):
    response = client.get(reverse("login"))
    assert response.context["nav_groups"] == []
    body = response.content.decode()
    assert "nav-toggle" not in body and 'class="mainnav"' not in body


@pytest.mark.parametrize("path", ["/", "/instruments/", "/instruments/import/", "/instruments/no-such-page/"])
def test_one_entry_is_the_current_page(city, client, path):
    client.force_login(city.city_regulator)
    response = client.get(path)
    body = response.content.decode()
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', body)
    expected = {"/instruments/no-such-page/": "/instruments/"}.get(path, path)
    assert current == [expected]


def test_the_menu_button_controls_the_menu_landmark(city, client):
    client.force_login(city.city_regulator)
    body = client.get(reverse("home")).content.decode()
    button = re.search(r'<button type="button" class="nav-toggle"([^>]*)>', body)
    assert button and 'aria-expanded="false"' in button.group(1) and 'aria-controls="mainnav"' in button.group(1)
    assert '<nav class="mainnav" id="mainnav" aria-label="主导航">' in body
    assert "css/nav.css" in body and "js/nav.js" in body


def test_the_badge_stays_out_of_the_label(city, client):
    Notification.objects.create(organization=city.owner_a, kind=Kind.DUE_REMINDER, title="到期提醒")
    client.force_login(city.owner_a_user)
    body = client.get(reverse("home")).content.decode()
    link = re.search(r'<a href="/notices/"[^>]*>(.*?)</a>', body, re.S).group(1)
    assert re.search(r'<span class="nav-badge"[^>]*>1<', link)
    assert link.endswith("消息")  # the label is the link's last text


def test_an_entrys_address_follows_the_script_prefix_it_is_reversed_under():
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    try:
        set_script_prefix("/city/")
        assert nav.address("instruments:list") == "/city/instruments/"
    finally:
        set_script_prefix(before)
    assert nav.address("instruments:list") == reverse("instruments:list") == "/instruments/"


def test_an_entrys_address_follows_a_request_that_sets_its_own_url_configuration(settings):
    from django.urls import set_urlconf

    settings.ROOT_URLCONF = "jiliang.urls"
    try:
        set_urlconf("tests.core.nav_urls")
        assert nav.address("home") == "/elsewhere/"
    finally:
        set_urlconf(None)
    assert nav.address("home") == "/"
