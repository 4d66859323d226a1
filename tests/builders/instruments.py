"""Instrument registry builders shared by the import, upload and last-verification tests: a good import row and
an .xlsx made from rows."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook

from jiliang.instruments.excel import IMPORT_COLUMNS

HEADERS = [c.header for c in IMPORT_COLUMNS]


def good_row(n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "目录条目": "02 电子计价秤(数字指示秤)",
        "用途": "贸易结算",
        "器具名称": "电子计价秤",
        "制造单位": "某衡器有限公司",
        "型号规格": "ACS-15",
        "出厂编号": f"IMP-{n:05d}",
        "设备（资产）编号": "",
        "准确度等级": "Ⅲ",
        "测量范围": "(0～15) kg",
        "安装使用地点": f"{n} 号摊位",
        "备案日期": date(2025, 1, 10),
        "最近检定日期": date(2025, 3, 1),
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict[str, Any]], *, headers: list[str] = HEADERS, text_cells: set[tuple[int, str]] = frozenset()):
    """An .xlsx whose first sheet has ``headers`` in row 1 and ``rows`` from row 2.

    A value starting with "=" becomes a real formula unless (row index, header) is in ``text_cells``.
    """
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for index, row in enumerate(rows):
        ws.append([row.get(h, "") for h in headers])
        for column, header in enumerate(headers, start=1):
            if (index, header) in text_cells:
                ws.cell(row=index + 2, column=column).data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
