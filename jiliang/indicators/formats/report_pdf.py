"""The evaluation report as a PDF (:func:`build_pdf`): A4, in Chinese, per plan a table of the indicators, a bar
chart of how far each figure has come towards its target, and the trend of the percent indicators. The words and
numbers come from :mod:`report_text`.

The PDF embeds Noto Sans SC (every PDF's font, :mod:`jiliang.core.web.pdf`), so its text extracts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from jiliang.core import clock
from jiliang.core.models import Region
from jiliang.core.web.pdf import FONT, FONT_BOLD, INK, MUTED, PAGE_H, PAGE_W, a4_document, esc
from jiliang.metrology import trend

from ..selectors.plans import IndicatorRow, PlanDashboard
from .report_text import (
    STATUS_ORDER,
    attainment,
    cn_date,
    local_time,
    report_title,
    source_text,
    status_counts,
    status_label,
    target_text,
    with_unit,
)

STATUS_COLORS = {
    trend.Status.MET: colors.HexColor("#1e8e3e"),
    trend.Status.ON_TRACK: colors.HexColor("#b26a00"),
    trend.Status.OFF_TRACK: colors.HexColor("#c0392b"),
    "missed": colors.HexColor("#8e1b10"),
    trend.Status.NO_DATA: colors.HexColor("#7b8794"),
}


def status_color(status: str) -> colors.Color:
    return STATUS_COLORS.get(status, colors.HexColor("#7b8794"))


MARGIN = 18 * mm
BODY_W = PAGE_W - 2 * MARGIN
GRID = colors.HexColor("#c4cad3")
HEAD_BG = colors.HexColor("#e8eef7")
VALUE_BLUE = colors.HexColor("#0b4aa2")
CN_NUMERALS = "一二三四五六七八九十"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, textColor=INK, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=28, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10.5, leading=16, alignment=TA_CENTER),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=20, spaceBefore=8, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=16, spaceBefore=6, spaceAfter=3
        ),
        "body": base,
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11.5),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(esc(text), style)


def _heading_number(n: int) -> str:
    """1 → "一", 12 → "十二" (section numbers; a report never has more than 99 plans)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMERALS[tens - 1]) + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def _table_style(extra: Sequence[tuple] = ()) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


def _fit_label(text: str, size: float, width: float) -> str:
    """``text`` cut (with "…") to fit ``width`` at ``size`` points."""
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def _percent_axis(axis: Any, size: float) -> None:
    """A value axis in percent, with light grid lines across the chart."""
    axis.labels.fontName = FONT
    axis.labels.fontSize = size
    axis.labelTextFormat = "%d%%"
    axis.strokeColor = GRID
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#eceff3")


def attainment_chart(board: PlanDashboard) -> Drawing | None:
    """Horizontal bars: each indicator's figure as % of its target (the dashed line is 100 %), coloured by the
    judgement. Indicators without a figure have no bar."""
    rows = board.rows
    if not rows or all(r.value is None for r in rows):
        return None
    label_w, bar_h, scale_max = 62 * mm, 11.5, 150.0
    values = [attainment(r) for r in rows]
    height = len(rows) * bar_h + 44
    drawing = Drawing(BODY_W, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 30
    chart.width, chart.height = BODY_W - label_w - 34, len(rows) * bar_h
    # The first indicator on top: categories are drawn from the bottom up.
    shown = list(reversed(values))
    chart.data = [[None if v is None else min(v, scale_max) for v in shown]]
    chart.categoryAxis.categoryNames = [
        _fit_label(f"{n}. {r.indicator.name}", 7, label_w - 8) for n, r in reversed(list(enumerate(rows, start=1)))
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = GRID
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, scale_max, 25
    _percent_axis(chart.valueAxis, 7)
    chart.barWidth = bar_h * 0.62
    chart.groupSpacing = bar_h * 0.38
    chart.bars.strokeColor = None
    reversed_rows = list(reversed(rows))
    for index, row in enumerate(reversed_rows):
        chart.bars[(0, index)].fillColor = status_color(row.status)
    labels = [None if v is None else f"{v:.0f}%" for v in shown]
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[label or "" for label in labels]]
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    # The target line (100 %) and the "no figure" marks.
    x100 = chart.x + chart.width * 100 / scale_max
    drawing.add(Line(x100, chart.y, x100, chart.y + chart.height, strokeColor=INK, strokeDashArray=[3, 2]))
    drawing.add(String(x100, chart.y + chart.height + 4, _("目标"), fontName=FONT, fontSize=7, textAnchor="middle"))
    slot = chart.height / len(rows)
    for index, value in enumerate(shown):
        if value is None:
            y = chart.y + slot * index + slot / 2 - 2.5
            drawing.add(String(chart.x + 3, y, _("暂无数据"), fontName=FONT, fontSize=6.5, fillColor=MUTED))
    drawing.add(
        String(
            chart.x + chart.width / 2,
            4,
            _("占目标的百分比（超过 150% 按 150% 绘制）"),
            fontName=FONT,
            fontSize=7,
            fillColor=MUTED,
            textAnchor="middle",
        )
    )
    return drawing


def _month_label(ordinal: float) -> str:
    day = date.fromordinal(max(1, round(ordinal)))
    return f"{day.year}-{day.month:02d}"


def trend_chart(row: IndicatorRow, width: float, height: float) -> Drawing:
    """One percent indicator's snapshots over time (solid), its target (red dashes) and the projection to the
    deadline (grey dashes)."""
    drawing = Drawing(width, height)
    points = [(p.day.toordinal(), float(p.value)) for p in row.trend]
    target = float(row.indicator.target)
    end = row.indicator.deadline.toordinal()
    lines = [points]
    start = points[0][0]
    last = max(points[-1][0], end if row.projection is not None else points[-1][0])
    lines.append([(start, target), (last, target)])
    if row.projection is not None:
        lines.append([points[-1], (end, float(row.projection))])
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 26, 18, width - 36, height - 26
    plot.data = lines
    plot.lines[0].strokeColor = VALUE_BLUE
    plot.lines[0].strokeWidth = 1.4
    plot.lines[0].symbol = makeMarker("FilledCircle", size=2.6, fillColor=VALUE_BLUE, strokeColor=VALUE_BLUE)
    plot.lines[1].strokeColor = status_color(trend.Status.OFF_TRACK)
    plot.lines[1].strokeDashArray = [3, 2]
    plot.lines[1].strokeWidth = 0.8
    plot.lines[2].strokeColor = MUTED
    plot.lines[2].strokeDashArray = [2, 2]
    plot.lines[2].strokeWidth = 0.9
    values = [y for line in lines for _, y in line]
    low = max(0.0, min(values) - 10)
    plot.yValueAxis.valueMin = 10 * int(low // 10)
    plot.yValueAxis.valueMax = min(100.0, max(values) + 5) if max(values) <= 100 else max(values) + 5
    _percent_axis(plot.yValueAxis, 6.5)
    plot.xValueAxis.valueMin = start
    plot.xValueAxis.valueMax = last if last > start else start + 1
    plot.xValueAxis.labels.fontName = FONT
    plot.xValueAxis.labels.fontSize = 6.5
    plot.xValueAxis.labelTextFormat = _month_label
    # Ticks on the snapshot days (at most six of them) and the deadline, not on arbitrary days between.
    days = sorted({x for x, _ in points} | ({end} if row.projection is not None else set()))
    if len(days) > 6:
        days = [days[round(k * (len(days) - 1) / 5)] for k in range(6)]
    plot.xValueAxis.valueSteps = days
    plot.xValueAxis.strokeColor = GRID
    drawing.add(plot)
    return drawing


def _percent_trend_rows(board: PlanDashboard) -> list[tuple[int, IndicatorRow]]:
    return [(n, r) for n, r in enumerate(board.rows, start=1) if r.is_percent and len(r.trend) >= 2]


class _Numbered(BaseDocTemplate):
    def __init__(self, buffer, *, footer: str, **kwargs) -> None:
        super().__init__(buffer, **kwargs)
        self.footer = footer
        frame = Frame(MARGIN, MARGIN + 6 * mm, BODY_W, PAGE_H - 2 * MARGIN - 6 * mm, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setStrokeColor(GRID)
        canvas.line(MARGIN, MARGIN + 2 * mm, PAGE_W - MARGIN, MARGIN + 2 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, self.footer)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 2 * mm, _("第 %(page)d 页") % {"page": doc.page})
        canvas.restoreState()


def build_pdf(
    boards: Sequence[PlanDashboard], *, city: Region, day: date, kind: str, generated_at: datetime | None = None
) -> bytes:
    """The report as PDF bytes (A4, Chinese, the CJK font embedded)."""
    generated_at = generated_at or clock.now()
    with translation.override(settings.LANGUAGE_CODE):
        title = report_title(city=city, kind=kind)
        buffer = io.BytesIO()
        doc = a4_document(
            buffer,
            margin=MARGIN,
            title=title,
            author=_("计量监管平台"),
            subject=_("计量发展规划指标评估"),
            template=_Numbered,
            footer=_("%(title)s · 基准日 %(day)s") % {"title": title, "day": day.isoformat()},
        )
        doc.build(_story(boards, city=city, day=day, kind=kind, title=title, generated_at=generated_at))
    return buffer.getvalue()


def _story(boards, *, city, day, kind, title, generated_at) -> list:
    st = _styles()
    story: list = [
        Spacer(1, 6 * mm),
        _p(title, st["title"]),
        Spacer(1, 2 * mm),
        _p(_("评估基准日：%(day)s") % {"day": cn_date(day)}, st["subtitle"]),
        _p(
            _("生成时间：%(at)s · 计量监管平台") % {"at": local_time(generated_at).strftime("%Y-%m-%d %H:%M")},
            st["subtitle"],
        ),
        Spacer(1, 6 * mm),
    ]
    totals = status_counts(boards)
    story.append(_p(_("%(n)s、总体情况") % {"n": _heading_number(1)}, st["h1"]))
    counted = "，".join(_("%(label)s %(n)d 项") % {"label": status_label(s), "n": totals[s]} for s in STATUS_ORDER)
    story.append(
        _p(
            _(
                "本报告依据计量监管平台的每日指标快照（基准日当日或之前最近一次），对%(city)s执行的 %(plans)d 项规划、"
                "共 %(indicators)d 项量化指标逐项评估：%(counts)s。"
            )
            % {
                "city": city.name,
                "plans": len(boards),
                "indicators": sum(len(b.rows) for b in boards),
                "counts": counted,
            },
            st["body"],
        )
    )
    story.append(Spacer(1, 3 * mm))
    head = [_("规划"), _("数据截至"), _("指标数")] + [status_label(s) for s in STATUS_ORDER]
    data = [[_p(h, st["cell_head"]) for h in head]]
    for board in boards:
        counts = status_counts([board])
        data.append(
            [_p(board.plan.name, st["cell"]), board.day.isoformat() if board.day else _("尚无快照"), len(board.rows)]
            + [counts[s] for s in STATUS_ORDER]
        )
    data.append(
        [_p(_("合计"), st["cell_head"]), "", sum(len(b.rows) for b in boards)] + [totals[s] for s in STATUS_ORDER]
    )
    status_w = 17 * mm
    widths = [BODY_W - 2 * 18 * mm - len(STATUS_ORDER) * status_w, 18 * mm, 18 * mm] + [status_w] * len(STATUS_ORDER)
    summary = Table(data, colWidths=widths, repeatRows=1)
    summary.setStyle(_table_style([("ALIGN", (1, 1), (-1, -1), "CENTER"), ("FONT", (0, -1), (-1, -1), FONT_BOLD, 8.5)]))
    story.append(summary)
    story.append(Spacer(1, 2 * mm))
    story.append(
        _p(
            _(
                "评价：已达标——基准日数值已满足目标；预计可达标——尚未满足，但按快照的线性趋势外推到期限可满足；"
                "预计难以达标——外推到期限仍不满足；期限已过未达标——期限已过而数值未满足目标；"
                "暂无数据——基准日前没有可计算或录入的数值。"
            ),
            st["note"],
        )
    )
    for n, board in enumerate(boards, start=2):
        story.extend(_plan_section(board, number=_heading_number(n), st=st))
    return story


def _plan_section(board: PlanDashboard, *, number: str, st) -> list:
    plan = board.plan
    parts: list = [CondPageBreak(60 * mm), _p(f"{number}、{plan.name}", st["h1"])]
    source = "，".join(p for p in (plan.source_issuer, plan.source_number) if p)
    parts.append(
        _p(
            _("规划期 %(start)d—%(end)d 年 · 来源：%(title)s%(source)s · 数据截至 %(day)s")
            % {
                "start": plan.period_start,
                "end": plan.period_end,
                "title": plan.source_title,
                "source": f"（{source}）" if source else "",
                "day": board.day.isoformat() if board.day else _("尚无快照"),
            },
            st["note"],
        )
    )
    parts.append(Spacer(1, 2 * mm))
    sub = iter(CN_NUMERALS)
    parts.append(_p(_("（%(n)s）指标完成情况") % {"n": next(sub)}, st["h2"]))
    head = [_("序号"), _("指标"), _("目标"), _("期限"), _("数值"), _("评价"), _("预测值")]
    data = [[_p(h, st["cell_head"]) for h in head]]
    extra: list[tuple] = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (2, 1), (-1, -1), "CENTER")]
    for n, row in enumerate(board.rows, start=1):
        color = status_color(row.status)
        data.append(
            [
                str(n),
                _p(row.indicator.name, st["cell"]),
                target_text(row.indicator),
                row.indicator.deadline.isoformat(),
                with_unit(row.value, row.indicator),
                status_label(row.status),
                with_unit(row.projection, row.indicator),
            ]
        )
        extra.append(("TEXTCOLOR", (5, n), (5, n), color))
        extra.append(("FONT", (5, n), (5, n), FONT_BOLD, 8.5))
    widths = [9 * mm, BODY_W - 9 * mm - 4 * 21 * mm - 19 * mm, 21 * mm, 21 * mm, 21 * mm, 21 * mm, 19 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style(extra))
    parts.append(table)

    chart = attainment_chart(board)
    if chart is not None:
        parts.append(
            KeepTogether(
                [
                    _p(_("（%(n)s）目标完成程度") % {"n": next(sub)}, st["h2"]),
                    chart,
                    _p(
                        _("颜色同“评价”：绿色已达标，黄色预计可达标，红色预计难以达标，深红期限已过未达标。"),
                        st["small"],
                    ),
                ]
            )
        )
    trends = _percent_trend_rows(board)
    if trends:
        parts.append(_p(_("（%(n)s）百分比指标的变化趋势") % {"n": next(sub)}, st["h2"]))
        parts.append(_p(_("实线为各期快照数值，红色虚线为目标，灰色虚线为按线性趋势外推到期限的预测。"), st["small"]))
        cell_w = BODY_W / 2
        # Title and chart in one cell, so a page break never parts them.
        cells: list[Any] = [
            [_p(f"{n}. {row.indicator.name}", st["cell"]), trend_chart(row, cell_w - 6, 44 * mm)] for n, row in trends
        ]
        if len(cells) % 2:
            cells.append("")
        grid = [cells[k : k + 2] for k in range(0, len(cells), 2)]
        charts = Table(grid, colWidths=[cell_w, cell_w])
        charts.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        parts.append(charts)

    parts.append(_p(_("（%(n)s）口径与来源") % {"n": next(sub)}, st["h2"]))
    data = [[_p(h, st["cell_head"]) for h in (_("序号"), _("口径"), _("来源"), _("条款"))]]
    for n, row in enumerate(board.rows, start=1):
        i = row.indicator
        data.append(
            [
                str(n),
                [_p(i.get_definition_display(), st["cell_head"]), _p(row.definition_text, st["small"])],
                _p(source_text(row), st["cell"]),
                _p(i.clause, st["cell"]),
            ]
        )
    sources = Table(data, colWidths=[9 * mm, BODY_W - 9 * mm - 52 * mm - 24 * mm, 52 * mm, 24 * mm], repeatRows=1)
    sources.setStyle(_table_style([("ALIGN", (0, 1), (0, -1), "CENTER"), ("VALIGN", (0, 1), (-1, -1), "TOP")]))
    parts.append(sources)
    return parts
