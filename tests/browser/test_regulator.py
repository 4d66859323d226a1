"""A county-level picture in a real browser: the regulator's home chart and the list filtered by county."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import InstrumentFactory, OrganizationFactory, catalog_item

from .conftest import log_in, screenshot

# serialized_rollback: the flush after a transactional test would otherwise empty the catalog the migration loaded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def populate(city) -> None:
    """A few owners per county with instruments in every due state."""
    today = timezone.localdate()
    scale, dispenser = catalog_item("02"), catalog_item("08")
    ages = [30, 60, 120, 200, 300, 350, 355, 400, 500, None]
    for county, prefix, owners in ((city.county_a, "A", 3), (city.county_b, "B", 2)):
        for o in range(owners):
            owner = OrganizationFactory(name=f"{county.name}第{o + 1}农贸市场", region=county)
            for n, age in enumerate(ages):
                InstrumentFactory(
                    owner=owner,
                    serial_number=f"{prefix}{o}-{n:03d}",
                    catalog_item=scale if n % 2 else dispenser,
                    name="电子计价秤" if n % 2 else "燃油加油机",
                    last_verified_on=today - timedelta(days=age) if age is not None else None,
                )


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
