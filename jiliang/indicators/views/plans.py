"""Plan pages: the list of plans, one plan (its dashboard for regulators), one indicator drilled into by county.

Plans are public documents, so every logged-in persona with a scope sees the shipped plans and its own city's
targets; another city's plan answers 404 exactly like a missing one. Figures — computed and entered, values and
sources — follow one rule (:func:`selectors.plans.figure_region_ids`): the admin reads every city, a city bureau
its city and every county, a county bureau its own county only; owners and institutes read none (the plan page
shows them the targets alone). A county outside the reader's regions answers 404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Region
from jiliang.core.selectors import scope_of
from jiliang.core.web.http import date_param, int_param

from ..models import Unit
from ..selectors import evaluations, plans

STATUS_LABELS = plans.STATUS_LABELS


def _day(raw: str | None) -> tuple[date | None, str]:
    return date_param(raw, None, _("日期“%(value)s”无效，已显示最新数据"))


def _plan(request: HttpRequest, code: str):
    return plans.plan_get(request.user, code)


def _region(request: HttpRequest, county_id: int | None) -> Region:
    """The focus region: the reader's own (``focus_region``), or a county inside it."""
    try:
        region = plans.focus_region(request.user, city_id=int_param(request.GET.get("city")))
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    if county_id is None or county_id == region.pk:
        return region
    county = Region.objects.filter(pk=county_id, parent=region, level=Region.Level.COUNTY).first()
    if county is None or not plans.may_read_region_figures(request.user, county):
        raise Http404(_("县（区）不存在或无权查看"))
    return county


def _chart_row(row: plans.IndicatorRow) -> dict:
    """What the trend chart draws: the dated figures, the target, and the projection line to the deadline."""
    points = [[p.day.isoformat(), float(p.value)] for p in row.trend]
    projection = []
    if row.projection is not None and points:
        projection = [points[-1], [row.indicator.deadline.isoformat(), float(row.projection)]]
    return {
        "code": row.indicator.code,
        "name": row.indicator.name,
        "unit": "%" if row.indicator.unit == Unit.PERCENT else str(row.indicator.get_unit_display()),
        "target": float(row.indicator.target),
        "points": points,
        "projection": projection,
        "status": row.status,
        "labels": {"value": _("数值"), "target": _("目标"), "projection": _("趋势预测")},
    }


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    visible = plans.plans_visible_to(request.user).select_related("region").order_by("period_start", "code")
    context = {"plans": visible, "may_evaluate": evaluations.may_manage_evaluations(request.user)}
    return render(request, "indicators/plan_list.html", context)


@require_GET
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(request, code)
    reads_figures = plans.may_read_figures(request.user)
    figures = defaultdict(list)
    for figure in plans.entered_figures_visible_to(request.user, plan):
        figures[figure.indicator_id].append(figure)
    rows = [{"indicator": indicator, "figures": figures.get(indicator.pk, [])} for indicator in plan.indicators.all()]
    context: dict = {
        "plan": plan,
        "rows": rows,
        "reads_figures": reads_figures,
        "status_labels": STATUS_LABELS,
        "may_evaluate": evaluations.may_manage_evaluations(request.user),
    }
    if reads_figures:
        day, error = _day(request.GET.get("date"))
        region = _region(request, None)
        board = plans.plan_dashboard(plan, region=region, day=day)
        counts = {key: 0 for key in STATUS_LABELS}
        for row in board.rows:
            counts[row.status] += 1
        context.update(
            board=board,
            date_error=error,
            status_counts=[(str(key), STATUS_LABELS[key], n) for key, n in counts.items()],
            charts={row.indicator.code: _chart_row(row) for row in board.rows},
            cities=Region.objects.filter(level=Region.Level.CITY) if scope_of(request.user).is_admin else None,
        )
    return render(request, "indicators/plan_detail.html", context)


@require_GET
def indicator_detail(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    """One indicator: its figure, trend and projection, and the county breakdown (each county one click deeper:
    ``?county=<id>`` shows that county's own trend and links to its records)."""
    if not plans.may_read_figures(request.user):
        raise Http404
    plan = _plan(request, code)
    if not any(i.code == indicator for i in plan.indicators.all()):
        raise Http404(_("指标不存在"))
    day, error = _day(request.GET.get("date"))
    region = _region(request, int_param(request.GET.get("county")))
    board = plans.plan_dashboard(plan, region=region, day=day)
    row = board.row(indicator)
    parent_board = None
    if region.level == Region.Level.COUNTY and region.parent_id and _may_read_parent(request, region):
        parent_board = plans.plan_dashboard(plan, region=region.parent, day=day, live=False)
    counties = parent_board.row(indicator).counties if parent_board else row.counties
    context = {
        "plan": plan,
        "board": board,
        "row": row,
        "region": region,
        "counties": counties,
        "date_error": error,
        "status_labels": STATUS_LABELS,
        "chart": _chart_row(row),
        "county_chart": {
            "target": float(row.indicator.target),
            "unit": "%" if row.indicator.unit == Unit.PERCENT else str(row.indicator.get_unit_display()),
            "selected": region.pk,
            "rows": [
                {"id": c.region.pk, "name": c.region.name, "value": None if c.value is None else float(c.value)}
                for c in counties
            ],
            "labels": {"value": row.indicator.name, "target": _("目标")},
        },
    }
    return render(request, "indicators/indicator_detail.html", context)


def _may_read_parent(request: HttpRequest, county: Region) -> bool:
    """A city bureau (or the admin) drilling into a county still sees the other counties beside it; a county
    bureau, which does not read the city's figures, does not."""
    ids = plans.figure_region_ids(request.user)
    return ids is None or county.parent_id in ids
