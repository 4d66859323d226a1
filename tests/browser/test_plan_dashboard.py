"""A regulator in a real browser: opens the Yan'an plan's dashboard, drills into coverage for one county, and
downloads the evaluation .xlsx (which opens with openpyxl and holds every indicator of both plans)."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from jiliang.indicators.models import Indicator
from tests.conftest import PASSWORD

from .conftest import build_registry, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_regulator_opens_the_yanan_dashboard_drills_into_a_county_and_downloads_the_evaluation(page, city):
    build_registry(city)
    log_in(page, "city_reg", PASSWORD)
    page.goto("/plans/yanan-2021/")
    page.wait_for_selector("#dashboard")
    # City coverage today: 3 of 5 in-use mandatory instruments have a valid verification.
    assert page.locator("[data-testid=value-coverage]").inner_text().strip().startswith("60")
    page.wait_for_selector("[data-chart='indicator-trend'][data-code='coverage'][data-ready=true] canvas")
    screenshot(page, "plan_dashboard_yanan")

    page.locator(".ind-card[data-code='coverage'] .ind-links a", has_text="分县详情").click()
    page.wait_for_url("**/plans/yanan-2021/coverage/")
    page.wait_for_selector("[data-chart='indicator-counties'][data-ready=true] canvas")
    page.locator(f"#county-table tr[data-county='{city.county_a.pk}'] a").first.click()
    page.wait_for_url(f"**/plans/yanan-2021/coverage/?county={city.county_a.pk}")
    # County A: 2 of 3.
    assert page.locator("[data-testid=value]").inner_text().strip().startswith("66.67")
    assert city.county_a.name in page.locator(".page-head").inner_text()
    page.wait_for_selector("[data-chart='indicator-trend-large'][data-ready=true] canvas")
    screenshot(page, "plan_indicator_coverage_county")
    # The records behind the county's figure: its instrument list.
    page.locator("[data-testid=records-link]").click()
    page.wait_for_url(f"**/instruments/?county={city.county_a.pk}&mandatory=1")
    assert page.locator("table tbody tr").count() == 3

    page.goto("/plans/yanan-2021/")
    page.locator("[data-testid=evaluations-link]").click()
    page.wait_for_url("**/evaluations/")
    page.locator("select[name=kind]").select_option("mid_term")
    page.fill("input[name=day]", timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="生成评估报告").click()
    screenshot(page, "evaluations")
    with page.expect_download() as info:
        page.locator("a[href$='report.xlsx']").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        book = openpyxl.load_workbook(BytesIO(handle.read()), read_only=True)
    text = "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )
    for indicator in Indicator.objects.filter(plan__code__in=["fuxin-2015", "yanan-2021"]):
        assert indicator.name in text, indicator.name
    assert page.js_errors == []
