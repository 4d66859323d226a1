"""The evaluation report as a workbook (:func:`build_xlsx`): "概况" (the summary) and one sheet per plan, every
indicator with its figure, definition, target, judgement, projection, source and clause, and below it the figures
by county. Every text cell is neutralised (never read as a formula). The words and numbers come from
:mod:`report_text`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from jiliang.core import clock
from jiliang.core.models import Region
from jiliang.core.web.xlsx import neutralize

from ..selectors.plans import PlanDashboard
from .report_text import (
    STATUS_ORDER,
    _decimal,
    kind_label,
    local_time,
    report_title,
    source_text,
    status_counts,
    status_label,
    target_text,
    unit_text,
)

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F2")
_THIN = Side(style="thin", color="9AA3AF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_NUMBER = "0.00"
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, Decimal):
        return _decimal(value)
    return value


def _header(ws, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=_cell(label))
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.border = _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _put(ws, row: int, values: Sequence[Any]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=_cell(value))
        cell.border = _BOX
        cell.alignment = _WRAP
        if isinstance(value, Decimal):
            cell.number_format = _NUMBER


def sheet_title(board: PlanDashboard, taken: set[str]) -> str:
    """The plan's code, fit to Excel's 31 characters and unique in the workbook."""
    base = board.plan.code.translate(_SHEET_TITLE_FORBIDDEN)[:31] or "plan"
    title, n = base, 2
    while title.lower() in taken or title == _("概况"):
        suffix = f"-{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def build_xlsx(
    boards: Sequence[PlanDashboard], *, city: Region, day: date, kind: str, generated_at: datetime | None = None
) -> bytes:
    """The workbook: "概况" (the summary) and one sheet per plan, titled with the plan's code."""
    generated_at = generated_at or clock.now()
    with translation.override(settings.LANGUAGE_CODE):
        wb = Workbook()
        wb.properties.title = report_title(city=city, kind=kind)
        wb.properties.creator = _("计量监管平台")
        _summary_sheet(wb.active, boards, city=city, day=day, kind=kind, generated_at=generated_at)
        taken: set[str] = set()
        for board in boards:
            _plan_sheet(wb.create_sheet(sheet_title(board, taken)), board)
        out = io.BytesIO()
        wb.save(out)
    return out.getvalue()


def _summary_sheet(ws, boards, *, city, day, kind, generated_at) -> None:
    ws.title = _("概况")
    ws.cell(row=1, column=1, value=_cell(report_title(city=city, kind=kind))).font = _TITLE
    facts = [
        (_("城市"), city.name),
        (_("评估基准日"), day),
        (_("评估类型"), kind_label(kind)),
        (_("生成时间"), local_time(generated_at).strftime("%Y-%m-%d %H:%M")),
        (_("数据来源"), _("计量监管平台每日指标快照（基准日当日或之前最近一次）")),
    ]
    row = 3
    for label, value in facts:
        ws.cell(row=row, column=1, value=_cell(label)).font = _BOLD
        cell = ws.cell(row=row, column=2, value=_cell(value))
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    labels = [_("规划"), _("工作表"), _("数据截至"), _("指标数")] + [status_label(s) for s in STATUS_ORDER]
    _header(ws, row, labels)
    taken: set[str] = set()
    for board in boards:
        row += 1
        counts = status_counts([board])
        _put(
            ws,
            row,
            [board.plan.name, sheet_title(board, taken), board.day.isoformat() if board.day else _("尚无快照")]
            + [len(board.rows)]
            + [counts[s] for s in STATUS_ORDER],
        )
    row += 1
    totals = status_counts(boards)
    _put(ws, row, [_("合计"), "", "", sum(len(b.rows) for b in boards)] + [totals[s] for s in STATUS_ORDER])
    for col in range(1, len(labels) + 1):
        ws.cell(row=row, column=col).font = _BOLD
    for col, width in enumerate([46, 16, 14, 9, 10, 12, 13, 10], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _plan_sheet(ws, board: PlanDashboard) -> None:
    plan = board.plan
    ws.cell(row=1, column=1, value=_cell(plan.name)).font = _TITLE
    source = " · ".join(p for p in (plan.source_title, plan.source_issuer, plan.source_number) if p)
    ws.cell(row=2, column=1, value=_cell(_("来源文件：%(source)s") % {"source": source}))
    ws.cell(
        row=3,
        column=1,
        value=_cell(
            _("规划期 %(start)d—%(end)d；数据截至 %(day)s")
            % {
                "start": plan.period_start,
                "end": plan.period_end,
                "day": board.day.isoformat() if board.day else _("尚无快照"),
            }
        ),
    )
    labels = [
        _("序号"),
        _("指标"),
        _("口径"),
        _("口径说明"),
        _("目标"),
        _("期限"),
        _("数值"),
        _("单位"),
        _("分子"),
        _("分母"),
        _("评价"),
        _("预测值（期限）"),
        _("来源"),
        _("条款"),
        _("原文摘录"),
    ]
    head = 5
    _header(ws, head, labels)
    row = head
    for n, r in enumerate(board.rows, start=1):
        i = r.indicator
        row += 1
        _put(
            ws,
            row,
            [
                n,
                i.name,
                i.get_definition_display(),
                r.definition_text,
                target_text(i),
                i.deadline,
                r.value,
                unit_text(i),
                r.numerator,
                r.denominator,
                status_label(r.status),
                r.projection,
                source_text(r),
                i.clause,
                i.clause_quote,
            ],
        )
        ws.cell(row=row, column=6).number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    for col, width in enumerate([6, 34, 22, 48, 14, 12, 10, 7, 10, 10, 13, 13, 36, 14, 48], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width

    counties = board.rows[0].counties if board.rows else []
    if not counties:
        return
    row += 2
    ws.cell(row=row, column=1, value=_cell(_("分县（区）情况"))).font = _BOLD
    row += 1
    _header(ws, row, [_("序号"), _("指标"), _("单位"), _("全市")] + [c.region.name for c in counties])
    for n, r in enumerate(board.rows, start=1):
        row += 1
        _put(ws, row, [n, r.indicator.name, unit_text(r.indicator), r.value] + [c.value for c in r.counties])
