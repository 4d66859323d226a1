"""An owner in a real browser: its home page, registering an instrument by hand, and importing a filled-in
template."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from jiliang.core.models import AuditEvent
from jiliang.instruments.models import Instrument
from tests.conftest import PASSWORD
from tests.factories import InstrumentFactory, catalog_item

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_owner_home_lists_overdue_and_due_soon_and_the_form_derives_the_due_date(page, city):
    today = timezone.localdate()
    for n, age in enumerate([20, 200, 352, 358, 420, 700]):
        InstrumentFactory(
            owner=city.owner_a,
            serial_number=f"OWN-{n:03d}",
            location=f"{n + 1}号摊位",
            last_verified_on=today - timedelta(days=age),
        )
    log_in(page, "owner_a", PASSWORD)
    overdue = page.locator("[data-testid=list-overdue] tbody tr")
    assert overdue.count() == 2
    assert page.locator("[data-testid=list-overdue] .badge.due-overdue").count() == 2
    assert page.locator("[data-testid=list-due_soon] .badge.due-due_soon").count() == 2
    assert page.locator("[data-testid=kpi-registered] .kpi-value").inner_text() == "6"
    screenshot(page, "home-owner")

    page.click("text=新增器具")
    page.wait_for_url("**/instruments/new/")
    assert page.locator("input[name=owner]").count() == 0  # an owner registers for itself
    page.select_option("#id_catalog_item", str(catalog_item("02").pk))
    page.select_option("#id_usage", "trade")
    page.fill("#id_name", "电子计价秤")
    page.fill("#id_serial_number", "FORM-001")
    page.fill("#id_last_verified_on", "2026-04-01")
    page.locator("#id_last_verified_on").dispatch_event("change")
    # HTMX asks the server for the derived fields; nothing is typed for them.
    page.wait_for_selector("#derived >> text=2027-03-31")
    assert "未核实" not in page.locator("#derived").inner_text()  # the catalog's confidence is the admin's
    screenshot(page, "create-owner")
    with page.expect_navigation():
        page.click("#instrument-form button[type=submit]")
    instrument = Instrument.objects.get(serial_number="FORM-001")
    assert instrument.owner == city.owner_a and instrument.due_on.isoformat() == "2027-03-31"
    assert page.locator("#history").inner_text().count("登记") == 1
    # The date typed at registration is a declared record, listed on the page; on edit it is no input.
    records = page.locator("#record-table tbody tr")
    assert records.count() == 1
    assert "2026-04-01" in records.inner_text() and "既往检定" in records.inner_text()
    assert AuditEvent.objects.filter(object_id=str(instrument.pk), action="instrument.create").exists()
    assert page.js_errors == []


def test_regulator_picks_the_owner_from_suggestions_in_scope(page, city):
    log_in(page, "county_reg_a", PASSWORD)
    page.goto("/instruments/new/")
    page.fill("#id_owner", "县")
    page.wait_for_selector("#owner-options option", state="attached")
    values = page.locator("#owner-options option").evaluate_all("els => els.map(e => e.value)")
    assert values == [city.owner_a.credit_code]
    assert page.js_errors == []


def fill_template(template: Path, target: Path, rows: list[dict[str, object]]) -> None:
    """Write ``rows`` (header → value) into the downloaded template, overwriting its example row."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    for cell in sheet[2]:
        cell.value = None
    for offset, row in enumerate(rows):
        for header, value in row.items():
            sheet.cell(row=2 + offset, column=columns[header], value=value)
    workbook.save(target)


def test_owner_imports_the_filled_in_template_and_sees_its_instruments(page, city, tmp_path):
    today = timezone.localdate()
    log_in(page, "owner_a", PASSWORD)
    page.click("nav.mainnav >> text=批量导入")
    page.wait_for_url("**/instruments/import/")
    with page.expect_download() as download_info:
        page.click("text=下载导入模板")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    scale = "02 " + catalog_item("02").kind
    common = {"目录条目": scale, "用途": "贸易结算", "器具名称": "电子计价秤", "安装使用地点": "东区"}
    filled = tmp_path / "filled.xlsx"
    fill_template(
        template,
        filled,
        [
            {**common, "出厂编号": "IMP-OVERDUE", "最近检定日期": today - timedelta(days=500)},
            {**common, "出厂编号": "IMP-VALID", "最近检定日期": today - timedelta(days=30)},
            {**common, "出厂编号": "IMP-NEVER"},
        ],
    )
    page.set_input_files("#import-form input[type=file]", str(filled))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")
    page.wait_for_selector("#imported-count")
    assert page.locator("#imported-count").inner_text() == "3"
    screenshot(page, "import-report")

    page.click("text=查看台账")
    page.wait_for_url("**/instruments/")
    table = page.locator("#instrument-table")
    for serial in ("IMP-OVERDUE", "IMP-VALID", "IMP-NEVER"):
        assert serial in table.inner_text()
    overdue_row = page.locator("#instrument-table tbody tr", has_text="IMP-OVERDUE")
    assert overdue_row.locator(".badge.due-overdue").inner_text() == "已超期"
    assert page.locator("#instrument-table tbody tr", has_text="IMP-NEVER").locator(".badge.due-never").count() == 1
    assert set(Instrument.objects.filter(serial_number__startswith="IMP-").values_list("owner", flat=True)) == {
        city.owner_a.pk
    }
    screenshot(page, "list-owner")
    assert page.js_errors == []


def test_an_import_with_a_bad_row_imports_nothing_and_says_where(page, city, tmp_path):
    log_in(page, "owner_a", PASSWORD)
    page.goto("/instruments/import/")
    with page.expect_download() as download_info:
        page.click("text=下载导入模板")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    filled = tmp_path / "bad.xlsx"
    good = {"目录条目": "02", "用途": "贸易结算", "器具名称": "电子计价秤", "出厂编号": "BAD-1"}
    fill_template(template, filled, [good, {**good, "出厂编号": "", "器具名称": "缺出厂编号"}])
    page.set_input_files("#import-form input[type=file]", str(filled))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")
    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1
    assert errors.first.locator("td").first.inner_text() == "3"
    assert not Instrument.objects.filter(serial_number="BAD-1").exists()
    screenshot(page, "import-report-errors")
