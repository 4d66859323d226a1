"""The spreadsheet formats: the import template (headers, example row, drop-downs) and the export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.instruments.excel import (
    EXAMPLE_SERIAL,
    EXPORT_HEADERS,
    IMPORT_COLUMNS,
    build_template,
    export_xlsx,
)
from jiliang.instruments.importing import instruments_import
from jiliang.instruments.models import Instrument
from jiliang.instruments.selectors import InstrumentFilters, instrument_list

from ..factories import InstrumentFactory


@pytest.fixture
def template(db):
    return load_workbook(io.BytesIO(build_template()))


def test_the_template_has_the_chinese_headers_in_row_1(template):
    sheet = template.worksheets[0]

    assert [c.value for c in sheet[1]] == [c.header for c in IMPORT_COLUMNS]
    assert sheet.freeze_panes == "A2"


def test_the_template_has_a_marked_example_row_and_a_sheet_of_instructions(template):
    sheet = template.worksheets[0]
    example = {c.header: cell.value for c, cell in zip(IMPORT_COLUMNS, sheet[2], strict=True)}

    assert example["目录条目"] == "02 电子计价秤(数字指示秤)"
    assert example["出厂编号"] == EXAMPLE_SERIAL
    assert example["用途"] == "贸易结算"
    assert "示例" in sheet["A2"].comment.text and sheet["A2"].font.i
    help_text = "\n".join(str(c.value) for row in template["说明"].iter_rows() for c in row if c.value)
    assert "示例" in help_text and "公式" in help_text and "出厂编号" in help_text


def test_the_template_offers_drop_downs_for_catalog_item_and_usage_from_a_hidden_sheet(template):
    sheet = template.worksheets[0]
    lists = template["lists"]
    validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}

    catalog = validations["A2:A1048576"]
    usage = validations["B2:B1048576"]
    assert (
        catalog.type == "list"
        and catalog.formula1 == f"lists!$A$1:$A${CatalogItem.objects.filter(active=True).count()}"
    )
    assert usage.type == "list" and usage.formula1 == f"lists!$B$1:$B${len(Usage.values)}"
    assert lists.sheet_state == "hidden"
    items = [c.value for c in lists["A"] if c.value]
    assert items[1] == "02 电子计价秤(数字指示秤)"
    assert len(items) == CatalogItem.objects.filter(active=True).count()
    assert [c.value for c in lists["B"] if c.value] == [str(label) for label in Usage.labels]


def test_the_template_lists_only_active_catalog_items(db):
    CatalogItem.objects.filter(code="03").update(active=False)

    lists = load_workbook(io.BytesIO(build_template()))["lists"]

    assert not any(str(c.value).startswith("03 ") for c in lists["A"] if c.value)


def test_a_filled_template_imports_and_its_example_row_is_ignored(city, template):
    sheet = template.worksheets[0]
    sheet.append(["08 燃油加油机", "贸易结算", "燃油加油机", "", "", "JY-001", "", "", "", "", None, date(2025, 5, 6)])
    sheet.append(["02", "其他（非强制用途）", "电子秤", "", "", "JY-002", "", "", "", "库房", None, None])
    out = io.BytesIO()
    template.save(out)

    report = instruments_import(actor=city.owner_a_user, owner=None, file=out.getvalue())

    assert report.ok, report.as_dict()
    assert report.imported == 2 and report.total_rows == 2 and report.ignored_example_row == 2
    assert not Instrument.objects.filter(serial_number=EXAMPLE_SERIAL).exists()
    dispenser = Instrument.objects.get(serial_number="JY-001")
    assert dispenser.catalog_item.code == "08" and dispenser.mandatory and dispenser.due_on is not None


def test_an_edited_example_row_is_imported_like_any_other(city, template):
    template.worksheets[0]["F2"] = "REAL-1"
    out = io.BytesIO()
    template.save(out)

    report = instruments_import(actor=city.owner_a_user, owner=None, file=out.getvalue())

    assert report.imported == 1 and report.ignored_example_row is None


def read_export(data: bytes) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].values)
    assert list(rows[0]) == list(EXPORT_HEADERS)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_export_neutralizes_cells_that_a_spreadsheet_would_run(city):
    InstrumentFactory(
        owner=city.owner_a,
        serial_number='=HYPERLINK("http://evil")',
        name="+cmd",
        location="@SUM(1)",
        model="-2+3",
        manufacturer="\tTAB",
        measuring_range="\rCR",
    )

    (row,) = read_export(export_xlsx(Instrument.objects.all()))

    assert row["出厂编号"] == '\'=HYPERLINK("http://evil")'
    assert row["器具名称"] == "'+cmd"
    assert row["安装使用地点"] == "'@SUM(1)"
    assert row["型号规格"] == "'-2+3"
    assert row["制造单位"] == "'\tTAB"
    # XML reads a carriage return back as a line feed; what matters is the leading quote.
    assert row["测量范围"].startswith("'") and row["测量范围"].endswith("CR")


def test_the_export_sheet_holds_no_formula_at_all(city):
    InstrumentFactory(owner=city.owner_a, serial_number="=1+1")

    sheet = load_workbook(io.BytesIO(export_xlsx(Instrument.objects.all()))).worksheets[0]

    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_export_carries_the_owner_county_and_derived_columns(city, instrument_a):
    (row,) = read_export(export_xlsx(Instrument.objects.all()))

    assert row["使用单位"] == city.owner_a.name and row["县（区）"] == "甲县"
    assert row["目录条目"] == "02 电子计价秤(数字指示秤)" and row["用途"] == "贸易结算"
    assert row["强制检定"] == "是"
    assert row["下次检定日期"].date() == instrument_a.due_on
    assert row["检定状态"] == instrument_a.get_due_state_display()
    assert row["状态"] == "在用"
    assert row["最近检定日期"].date() == instrument_a.last_verified_on


def test_owner_bs_export_never_contains_owner_as_instruments(city, instrument_a, instrument_b):
    mine = instrument_list(city.owner_b_user, InstrumentFilters())

    rows = read_export(export_xlsx(mine))

    assert {r["出厂编号"] for r in rows} == {instrument_b.serial_number}
    assert {r["使用单位"] for r in rows} == {city.owner_b.name}


def test_the_export_streams_into_a_file_object(city, instrument_a):
    out = io.BytesIO()

    assert export_xlsx(Instrument.objects.all(), stream=out) is None
    assert len(read_export(out.getvalue())) == 1


def test_an_export_reimports_into_another_owner(city, instrument_a):
    data = export_xlsx(Instrument.objects.filter(owner=city.owner_a))

    report = instruments_import(actor=city.owner_b_user, owner=None, file=data)

    assert report.ok and report.imported == 1
    copy = Instrument.objects.get(owner=city.owner_b)
    assert (copy.serial_number, copy.catalog_item, copy.usage) == (
        instrument_a.serial_number,
        instrument_a.catalog_item,
        instrument_a.usage,
    )
