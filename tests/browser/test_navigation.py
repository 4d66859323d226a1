"""The side menu as the city regulator sees it, on a laptop (1280×800) and a phone (390×844), in Chinese and in
English: a screenshot of the window under artifacts/screenshots/ (nav-<language>-<width>.png, the phone's with the
menu open), no label cut off, and every entry opened from the menu lands on its page, marked as the current one.
Then the same menu with the thirty entries it is drawn for (nav30-*.png)."""

from __future__ import annotations

import pytest

from jiliang.core import nav
from jiliang.core.nav import ALL_ROLES, Entry, Group
from tests.conftest import PASSWORD

from .conftest import SCREENSHOTS, log_in, populate, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The regulator's entries (tests/core/test_nav_entries.py has them for every role), by address.
ENTRIES = [
    "/",
    "/instruments/",
    "/instruments/import/",
    "/requests/",
    "/certificates/",
    "/standards/",
    "/people/",
    "/coverage/",
    "/supervision/",
    "/supervision/campaigns/",
    "/supervision/inspections/",
    "/supervision/rectifications/",
    "/supervision/cases/",
    "/supervision/items/",
    "/supervision/inspectors/",
    "/plans/",
    "/warnings/",
    "/notices/",
]
GROUPS = {
    "zh": ["器具与检定", "标准与溯源", "监督执法", "规划与预警", "系统"],
    "en": [
        "Instruments & verification",
        "Standards & traceability",
        "Supervision & enforcement",
        "Planning & warnings",
        "System",
    ],
}
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _choose_language(page, language: str) -> None:
    if language == "en":
        with page.expect_navigation():
            page.click(".langswitch button[value=en]")
        assert page.locator("html").get_attribute("lang") == "en"


def _open_menu(page, phone: bool) -> None:
    """On the phone the menu sits behind its button; on the laptop it is always there and the button is not."""
    menu = page.locator("nav.mainnav")
    toggle = page.locator("button.nav-toggle")
    if not phone:
        assert toggle.is_hidden() and menu.is_visible()
        return
    if toggle.get_attribute("aria-expanded") == "true":
        return
    assert menu.is_hidden()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    menu.wait_for(state="visible")


def _screenshot(page, name: str) -> None:
    """The window as the user sees it (not the full page: the menu is what is looked at, at its real size)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _labels_fit(page) -> list[str]:
    """The menu labels drawn narrower than their text (cut off or overflowing)."""
    return page.eval_on_selector_all(
        "nav.mainnav a",
        "links => links.filter(a => a.scrollWidth > a.clientWidth + 1 || a.scrollHeight > a.clientHeight + 1)"
        ".map(a => a.textContent.trim())",
    )


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_regulator_opens_every_entry_from_the_menu(page, city, language, viewport):
    populate(city)
    phone = viewport is PHONE
    page.set_viewport_size(viewport)
    log_in(page, "city_reg", PASSWORD)
    _choose_language(page, language)

    if phone:  # the page starts with the menu closed
        assert page.locator("button.nav-toggle").get_attribute("aria-expanded") == "false"
    _open_menu(page, phone)
    menu = page.locator("nav.mainnav")
    assert menu.locator(".nav-group-title").all_inner_texts() == GROUPS[language]
    assert [menu.locator("a").nth(i).get_attribute("href") for i in range(menu.locator("a").count())] == ENTRIES
    assert _labels_fit(page) == []
    # Nothing sticks out sideways: the page is no wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_load_state("networkidle")  # the home page's chart, drawn from the API, is in the picture too
    _screenshot(page, f"nav-{language}-{viewport['width']}")

    for url in ENTRIES:
        _open_menu(page, phone)
        link = menu.locator(f'a[href="{url}"]')
        label = link.inner_text().strip()
        with page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        assert response is not None and response.status < 400, (url, response and response.status)
        assert page.url.endswith(url), (url, page.url)
        assert page.locator("main h1").first.inner_text().strip(), url
        assert page.title().strip(), url
        current = page.locator('nav.mainnav a[aria-current="page"]')
        assert current.count() == 1 and current.get_attribute("href") == url, url
        assert current.inner_text().strip() == label
        if phone:  # a new page starts with the menu closed
            assert page.locator("button.nav-toggle").get_attribute("aria-expanded") == "false"
    assert page.js_errors == []


# The areas still to come, as stand-ins for the thirty entries the menu is drawn for (labels in both languages; the
# addresses are today's pages that have no entry of their own). Supervision's own seven entries are real now.
COMING = [
    (Group.STANDARDS, "计量授权", "Metrology authorizations", "standards:authorizations"),
    (Group.SUPERVISION, "定量包装商品检查", "Prepackaged goods checks", "people:qualifications"),
    (Group.SUPERVISION, "产品质量抽查", "Product quality sampling", "people:expert_create"),
    (Group.COMPLAINTS, "投诉受理", "Complaints received", "standards:authorization_grant"),
    (Group.COMPLAINTS, "举报线索", "Reports and tips", "coverage:gaps"),
    (Group.INTEGRITY, "诚信计量示范单位", "Model honest-measurement businesses", "records:new"),
    (Group.INTEGRITY, "计量承诺", "Measurement pledges", "records:preview"),
    (Group.INTEGRITY, "信用评价", "Credit ratings", "tokens"),
    (Group.ENERGY, "重点用能单位", "Key energy-using units", "portal:index"),
    (Group.ENERGY, "能源计量器具配备", "Energy meter provision", "disclosure:index"),
    (Group.ENERGY, "能耗在线监测", "Online energy monitoring", "password_change"),
    (Group.PLANNING, "评价报告", "Evaluation reports", "evaluations:list"),
]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_thirty_entries_fit(page, city, monkeypatch, language, viewport):
    for n, (group, chinese, english, url_name) in enumerate(COMING):
        label = chinese if language == "zh" else english
        monkeypatch.setitem(nav._registry, url_name, Entry(label, url_name, ALL_ROLES, group, 50 + n))
    phone = viewport is PHONE
    page.set_viewport_size(viewport)
    log_in(page, "city_reg", PASSWORD)
    _choose_language(page, language)
    _open_menu(page, phone)

    menu = page.locator("nav.mainnav")
    assert menu.locator("a").count() == 30
    assert menu.locator(".nav-group-title").count() == 8
    assert _labels_fit(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if phone:
        page.wait_for_load_state("networkidle")
        screenshot(page, f"nav30-{language}-390")  # the whole open menu, taller than the window
    else:
        # On the laptop the menu scrolls on its own, the page stays where it is: the last entry can be reached.
        assert menu.evaluate("m => m.scrollHeight > m.clientHeight")
        page.wait_for_load_state("networkidle")
        _screenshot(page, f"nav30-{language}-1280")
        last = menu.locator("a").last
        last.scroll_into_view_if_needed()
        assert last.is_visible() and page.evaluate("window.scrollY") == 0
        _screenshot(page, f"nav30-{language}-1280-scrolled")
        # The page of an entry below the fold opens with its entry in view.
        with page.expect_navigation():
            last.click()
        current = page.locator('nav.mainnav a[aria-current="page"]')
        assert current.get_attribute("href") == "/notices/"
        box = current.bounding_box()
        assert box is not None and 60 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
