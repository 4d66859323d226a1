"""The coverage page in a real browser: the county bar chart draws, and a gap opens the instruments behind it."""

from __future__ import annotations

import pytest

from tests.builders.standards import build_small_city
from tests.conftest import PASSWORD
from tests.factories import catalog_item

from .conftest import log_in, screenshot

# serialized_rollback: the flush after a transactional test would otherwise empty the catalog the migration loaded.
# It lives beside the other browser tests so that every test in a worker shares the one Playwright instance
# (a second instance in the same thread fails: Playwright's sync API refuses to start inside a running loop).

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_regulator_sees_the_coverage_chart_and_opens_a_gap(page, city):
    build_small_city(city)
    log_in(page, "city_reg", PASSWORD)
    page.goto("/coverage/")
    page.wait_for_selector("[data-chart='coverage-by-county'][data-ready=true] canvas")
    assert "80.0%" in page.locator("[data-testid=kpi-ratio]").inner_text()
    assert page.locator("table.coverage-counties tbody tr").count() == 2
    screenshot(page, "coverage-city")

    page.locator("[data-testid=kpi-gaps]").click()
    page.wait_for_url("**/coverage/gaps/**")
    rows = page.locator("table.coverage-gaps tbody tr")
    assert [rows.nth(i).get_attribute("data-item") for i in range(rows.count())] == ["03", "21", "22"]
    screenshot(page, "coverage-gaps")

    # The first gap's count opens the instrument list filtered by that catalog item: the three 03 instruments.
    item = catalog_item("03")
    rows.first.locator("a.count").click()
    page.wait_for_url(f"**/instruments/?catalog_item={item.pk}&mandatory=1&status=in_use")
    assert page.locator("table tbody tr").count() == 3
    assert page.js_errors == []
