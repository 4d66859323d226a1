"""A county-level picture in a real browser: the regulator's home chart and the list filtered by county."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

from .conftest import log_in, populate, screenshot

# serialized_rollback: the flush after a transactional test would otherwise empty the catalog the migration loaded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_regulator_sees_the_county_chart_and_filters_the_list_by_county(page, city):
    populate(city)
    log_in(page, "city_reg", PASSWORD)

    chart = page.locator("#due-by-county-chart")
    chart.wait_for()
    page.wait_for_selector("#due-by-county-chart[data-ready=true] canvas")
    assert page.locator("#county-table tbody tr").count() == 2
    assert "甲县" in page.locator("#county-table").inner_text()
    screenshot(page, "home-regulator")

    # A number in the table opens the list filtered by county and due state.
    page.locator(f"#county-table a[data-county='{city.county_b.pk}'][data-state='overdue']").click()
    page.wait_for_url(f"**/instruments/?county={city.county_b.pk}&due_state=overdue")
    badges = page.locator("#instrument-table tbody tr .badge.due-overdue")
    assert badges.count() == page.locator("#instrument-table tbody tr").count() > 0

    # The list, filtered by county through the select (HTMX swaps the results and updates the address).
    page.goto("/instruments/")
    page.select_option("#f-county", str(city.county_a.pk))
    page.wait_for_url(f"**/instruments/?*county={city.county_a.pk}*")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#instrument-table tbody tr')].every(r => r.innerText.includes('甲县'))"
    )
    rows = page.locator("#instrument-table tbody tr")
    assert rows.count() == 30
    counties = {rows.nth(i).locator("td").nth(4).inner_text() for i in range(rows.count())}
    assert counties == {"甲县"}
    assert "乙县" not in page.locator("#results").inner_text()
    assert "county=" in page.locator("#export-link").get_attribute("href")
    screenshot(page, "list-regulator")

    page.locator("#instrument-table tbody tr td a").first.click()
    page.wait_for_selector("text=变更记录")
    assert "检定周期" in page.locator("[data-testid=interval]").inner_text()
    screenshot(page, "detail")
    assert page.js_errors == []


def test_county_regulator_never_sees_the_other_county(page, city):
    populate(city)
    log_in(page, "county_reg_a", PASSWORD)
    page.wait_for_selector("#due-by-county-chart[data-ready=true] canvas")
    assert "乙县" not in page.content()
    page.goto("/instruments/")
    options = page.locator("#f-county option").all_inner_texts()
    assert "乙县" not in options and "甲县" in options
    page.fill("#f-q", "B")
    page.wait_for_url("**q=B*")
    page.wait_for_selector("text=没有符合条件的计量器具")
    assert page.js_errors == []
