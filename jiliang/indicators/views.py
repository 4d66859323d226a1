"""Plan pages: the list of plans a user may see and one plan's indicator table.

Plans are public documents, so every logged-in persona with a scope sees the shipped plans and its own city's;
another city's plan answers 404 exactly like a missing one. Live values against the targets are later work: the
pages show targets, definitions, clauses and the figures typed in with their sources, and no computed value.
"""

from __future__ import annotations

from collections import defaultdict

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiliang.core.errors import NotFoundOrForbidden

from . import selectors


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_visible_to(request.user).select_related("region").order_by("period_start", "code")
    return render(request, "indicators/plan_list.html", {"plans": plans})


@require_GET
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        plan = selectors.plan_get(request.user, code)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    figures = defaultdict(list)
    for figure in selectors.entered_figures_visible_to(request.user, plan):
        figures[figure.indicator_id].append(figure)
    rows = [{"indicator": indicator, "figures": figures.get(indicator.pk, [])} for indicator in plan.indicators.all()]
    return render(request, "indicators/plan_detail.html", {"plan": plan, "rows": rows})
