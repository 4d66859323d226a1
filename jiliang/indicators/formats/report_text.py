"""The evaluation report (中期评估 / 总结评估 / 年度评估) of a city's plans as of a date, in three forms:

- :func:`report_xlsx.build_xlsx` — the workbook: a summary sheet, then one sheet per plan (every indicator with its
  figure, definition, target, judgement, projection, source and clause; below it the figures by county);
- :func:`report_pdf.build_pdf` — the printed report, A4, in Chinese: per plan a table of the indicators, a bar chart
  of how far each figure has come towards its target, and the trend of the percent indicators;
- :func:`figures_json` (here) — the figures as data (version :data:`FIGURES_VERSION`), kept on the
  :class:`~jiliang.indicators.models.Evaluation` and shown by the public disclosure pages.

This module holds what the three share: the words and numbers (titles, dates, figures with their units, judgements,
sources). All three read :class:`~jiliang.indicators.selectors.plans.PlanDashboard` objects (the caller builds them,
one per plan, for the city and the day), so the report says exactly what the dashboard says on that day. The files
are always in Chinese (the form a bureau files and publishes), whatever the reader's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.models import Region
from jiliang.metrology import trend

from ..models import Comparator, Evaluation, Indicator, Unit
from ..selectors.plans import STATUS_LABELS, IndicatorRow, PlanDashboard

# The layout of figures_json(); bump it when a key changes meaning, and keep reading the old ones.
FIGURES_VERSION = 1

# The judgements in the dashboard's order (met … no data); a judgement added there shows up here too.
STATUS_ORDER = [str(status) for status in STATUS_LABELS]
TWO_PLACES = Decimal("0.01")


# ---- words and numbers shared by the three forms --------------------------------------------------------------------


def kind_label(kind: str) -> str:
    return str(Evaluation.Kind(kind).label)


def report_title(*, city: Region, kind: str) -> str:
    """ "阜新市计量发展规划中期评估报告"."""
    return _("%(city)s计量发展规划%(kind)s报告") % {"city": city.name, "kind": kind_label(kind)}


def cn_date(day: date | None) -> str:
    if day is None:
        return "—"
    return _("%(y)d 年 %(m)d 月 %(d)d 日") % {"y": day.year, "m": day.month, "d": day.day}


def number_text(value: Decimal | None) -> str:
    """Two decimals at most, no trailing zeros: 88.0000 → "88", 84.5 → "84.5"."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(TWO_PLACES):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def unit_text(indicator: Indicator) -> str:
    return "%" if indicator.unit == Unit.PERCENT else str(indicator.get_unit_display())


def with_unit(value: Decimal | None, indicator: Indicator) -> str:
    if value is None:
        return "—"
    unit = unit_text(indicator)
    return f"{number_text(value)}{unit}" if unit == "%" else f"{number_text(value)} {unit}"


def target_text(indicator: Indicator) -> str:
    """ "≥ 90%", "≥ 80 项"."""
    return f"{indicator.get_comparator_display()} {with_unit(indicator.target, indicator)}"


def status_label(status: str) -> str:
    try:
        return str(STATUS_LABELS[trend.Status(status)])
    except (KeyError, ValueError):
        return status


def source_text(row: IndicatorRow) -> str:
    if not row.indicator.is_entered:
        return _("计算：系统记录")
    if row.entered is None:
        return _("录入：尚无录入数值") if row.value is None else _("录入：来源未记录")
    return _("录入：%(title)s（%(day)s）") % {
        "title": row.entered.source_title,
        "day": row.entered.source_date.isoformat(),
    }


def attainment(row: IndicatorRow) -> float | None:
    """How far the figure has come towards the target, in % of it (100 = reached). A "≤" target reads the other
    way round (target ÷ value); a target of 0 has no share."""
    if row.value is None:
        return None
    value, target = float(row.value), float(row.indicator.target)
    if row.indicator.comparator == Comparator.LTE:
        return 100.0 if value <= target else (100.0 * target / value if value else None)
    if target == 0:
        return 100.0 if value >= 0 else None
    return 100.0 * value / target


def status_counts(boards: Sequence[PlanDashboard]) -> dict[str, int]:
    counts = Counter(row.status for board in boards for row in board.rows)
    return {status: counts.get(status, 0) for status in STATUS_ORDER}


def _decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(_decimal(value))


def local_time(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


# ---- the figures, as data ---------------------------------------------------------------------------------------


def figures_json(
    boards: Sequence[PlanDashboard], *, city: Region, day: date, kind: str, generated_at: datetime | None = None
) -> dict[str, Any]:
    """The report's figures as JSON-ready data (Decimals as strings, dates ISO): what the disclosure page shows.

    ``{"version": 1, "city": {...}, "day", "kind", "generated_at", "counts": {status: n},
    "plans": [{"code", "name", …, "snapshot_day", "indicators": [{"code", "name", "value", "status", …}]}]}``
    """
    generated_at = generated_at or clock.now()
    plans = []
    for board in boards:
        plan = board.plan
        indicators = []
        for row in board.rows:
            i = row.indicator
            entered = None
            if row.entered is not None:
                entered = {
                    "source_title": row.entered.source_title,
                    "source_date": row.entered.source_date.isoformat(),
                    "as_of": row.entered.as_of.isoformat(),
                }
            indicators.append(
                {
                    "code": i.code,
                    "name": i.name,
                    "name_en": i.name_en,
                    "definition": i.definition,
                    "is_entered": i.is_entered,
                    "unit": i.unit,
                    "comparator": i.comparator,
                    "target": _str(i.target),
                    "deadline": i.deadline.isoformat(),
                    "clause": i.clause,
                    "value": _str(row.value),
                    "numerator": row.numerator,
                    "denominator": row.denominator,
                    "status": row.status,
                    "projection": _str(row.projection),
                    "entered": entered,
                    "counties": [
                        {"code": c.region.code, "name": c.region.name, "value": _str(c.value)} for c in row.counties
                    ],
                }
            )
        plans.append(
            {
                "code": plan.code,
                "name": plan.name,
                "name_en": plan.name_en,
                "period_start": plan.period_start,
                "period_end": plan.period_end,
                "source_title": plan.source_title,
                "source_issuer": plan.source_issuer,
                "source_number": plan.source_number,
                "snapshot_day": board.day.isoformat() if board.day else None,
                "counts": status_counts([board]),
                "indicators": indicators,
            }
        )
    return {
        "version": FIGURES_VERSION,
        "city": {"code": city.code, "name": city.name},
        "day": day.isoformat(),
        "kind": kind,
        "generated_at": generated_at.isoformat(),
        "counts": status_counts(boards),
        "plans": plans,
    }


def file_name(evaluation: Evaluation, suffix: str) -> tuple[str, str]:
    """(ASCII fallback, the Chinese name) of a report's file."""
    day = evaluation.day.isoformat()
    return (
        f"evaluation-{evaluation.city.code}-{day}-{evaluation.kind}{suffix}",
        f"{evaluation.title}-{day}{suffix}",
    )
