"""Pages of 建标覆盖率: the figure for the city and each county (with a bar chart), and the gaps list.

Regulators (a county bureau sees its county only) and the admin; anyone else gets 404, like a missing page.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core import clock
from jiliang.core.web.http import date_param

from ..selectors.coverage import CoverageReport, coverage_for

# The Yan'an plan's target for 建标覆盖率 (≥ 80 % by 2025), drawn as a line on the chart.
TARGET_PERCENT = 80


def parse_day(raw: str | None) -> tuple[date, str]:
    """The ``date`` query parameter (YYYY-MM-DD), today when absent; a bad value falls back to today with a reason."""
    return date_param(raw, clock.today(), _("日期“%(value)s”无效，已按今天计算"))


def _reports(request: HttpRequest) -> tuple[list[CoverageReport], date, str]:
    day, error = parse_day(request.GET.get("date"))
    reports = coverage_for(request.user, day=day)
    if reports is None:
        raise Http404
    return reports, day, error


def _chart(report: CoverageReport) -> dict:
    rows = report.counties or [report.root]
    return {
        "target": TARGET_PERCENT,
        "target_label": _("目标 %(n)s%%") % {"n": TARGET_PERCENT},
        "y_label": _("覆盖率（%）"),
        "series_label": _("建标覆盖率"),
        "rows": [
            {
                "name": row.region.name,
                "percent": None if row.percent is None else round(row.percent, 1),
                "numerator": row.numerator,
                "denominator": row.denominator,
            }
            for row in rows
        ],
    }


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    reports, day, error = _reports(request)
    context = {
        "reports": [
            {"report": r, "chart": _chart(r), "chart_id": f"coverage-chart-{r.root.region.pk}"} for r in reports
        ],
        "day": day,
        "date_error": error,
        "target": TARGET_PERCENT,
        "list_url": reverse("instruments:list"),
    }
    return render(request, "standards/coverage_index.html", context)


@require_GET
def gaps(request: HttpRequest) -> HttpResponse:
    reports, day, error = _reports(request)
    context = {"reports": reports, "day": day, "date_error": error, "list_url": reverse("instruments:list")}
    return render(request, "standards/coverage_gaps.html", context)
