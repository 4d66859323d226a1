"""core.web.xlsx: neutralised cells, the sheet writer of the exports and the download."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from jiliang.core.web.xlsx import BOLD, HEADER_FILL, XLSX, attachment, cell, neutralize, write_sheet


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("普通文字", "普通文字"),
        ("a=b", "a=b"),
        ("bad\x00byte", "badbyte"),
    ],
)
def test_neutralize_makes_every_formula_like_text_plain(value, safe):
    assert neutralize(value) == safe


def test_cell_neutralises_text_only():
    assert cell("=A1") == "'=A1"
    assert cell(-5) == -5
    assert cell(date(2026, 3, 1)) == date(2026, 3, 1)
    assert cell(None) is None


def _read(workbook: Workbook):
    out = io.BytesIO()
    workbook.save(out)
    return load_workbook(io.BytesIO(out.getvalue()))


def test_a_sheet_has_its_title_headers_and_rows_all_neutralised():
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "=预警" + "长" * 40,
        title="=标题",
        headers=["名称", "-数量"],
        rows=[["=1+1", 3], ["普通", date(2026, 3, 1)]],
        header_fill=HEADER_FILL,
        widths=(20, 10),
    )
    sheet = _read(workbook).worksheets[0]
    assert sheet.title == ("'=预警" + "长" * 40)[:31]
    values = [list(row) for row in sheet.values]
    assert values[0][0] == "'=标题"
    assert values[1] == ["名称", "'-数量"]
    assert values[2] == ["'=1+1", 3]
    assert values[3][0] == "普通" and values[3][1].date() == date(2026, 3, 1)
    assert sheet.freeze_panes == "A3"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 12
    assert sheet["B2"].font.b and sheet["B2"].fill.fgColor.rgb.endswith("E8EEF7")
    assert sheet.column_dimensions["A"].width == 20
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_a_sheet_without_title_freezes_below_the_headers_and_plain_headers_stay_plain():
    workbook = Workbook(write_only=True)
    write_sheet(workbook, "台账", headers=["A"], rows=[["x"]], header_font=None)
    sheet = _read(workbook).worksheets[0]
    assert [list(r) for r in sheet.values] == [["A"], ["x"]]
    assert sheet.freeze_panes == "A2"
    assert not sheet["A1"].font.b
    assert BOLD.b


def test_no_freeze_when_asked():
    workbook = Workbook(write_only=True)
    write_sheet(workbook, "预警", title="t", headers=["A"], rows=[], freeze=False, title_font=None)
    sheet = _read(workbook).worksheets[0]
    assert sheet.freeze_panes is None
    assert not sheet["A1"].font.b


def test_the_attachment_is_an_xlsx_download_named_in_utf8():
    workbook = Workbook(write_only=True)
    write_sheet(workbook, "预警", headers=["A"], rows=[[1]])
    response = attachment("计量预警-2026-03-01.xlsx", workbook.save)
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].values] == [["A"], [1]]
