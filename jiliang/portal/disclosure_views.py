"""Public disclosure of the plans' indicators (no login): /open/ lists the published evaluation reports by city,
with the latest report's figures; /open/<pk>/ shows one report's figures; the .pdf and .xlsx of a published
report download from there. An unpublished report answers 404 exactly like a missing one.

Every figure shown comes from ``Evaluation.figures`` as it was published (never recomputed), so the page says what
the published files say. Like the certificate check, the pages render without the request's context processors
(no staff navigation, no session read).
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jiliang.core.web.http import download
from jiliang.core.web.pdf import PDF
from jiliang.core.web.xlsx import XLSX
from jiliang.indicators.formats import report_text
from jiliang.indicators.models import Comparator, Evaluation, Unit
from jiliang.indicators.selectors import evaluations
from jiliang.indicators.selectors.plans import STATUS_LABELS
from jiliang.metrology import trend

from . import pages


def _number(raw: str | None) -> str:
    if raw in (None, ""):
        return "—"
    try:
        return report_text.number_text(Decimal(raw))
    except InvalidOperation:
        return "—"


def _unit_label(unit: str) -> str:
    if unit == Unit.PERCENT:
        return "%"
    try:
        return str(Unit(unit).label)
    except ValueError:
        return unit


def _with_unit(raw: str | None, unit: str) -> str:
    text = _number(raw)
    if text == "—":
        return text
    label = _unit_label(unit)
    return f"{text}{label}" if label == "%" else f"{text} {label}"


def _comparator_label(comparator: str) -> str:
    try:
        return str(Comparator(comparator).label)
    except ValueError:
        return comparator


def _status_label(status: str) -> str:
    try:
        return str(STATUS_LABELS[trend.Status(status)])
    except ValueError:
        return status


def figures_view(evaluation: Evaluation) -> dict[str, Any]:
    """The stored figures (version 1) with the words the page shows beside them."""
    figures = evaluation.figures or {}
    plans = []
    for plan in figures.get("plans", []):
        rows = []
        for i in plan.get("indicators", []):
            unit = i.get("unit", "")
            entered = i.get("entered")
            if i.get("is_entered"):
                source = (
                    _("录入：%(title)s（%(day)s）") % {"title": entered["source_title"], "day": entered["source_date"]}
                    if entered
                    else (_("录入：尚无录入数值") if i.get("value") is None else _("录入：来源未记录"))
                )
            else:
                source = _("计算：系统记录")
            rows.append(
                {
                    **i,
                    "target_text": f"{_comparator_label(i.get('comparator', ''))} {_with_unit(i.get('target'), unit)}",
                    "value_text": _with_unit(i.get("value"), unit),
                    "projection_text": _with_unit(i.get("projection"), unit),
                    "status_label": _status_label(i.get("status", "")),
                    "source_text": source,
                }
            )
        counts = plan.get("counts", {})
        plans.append(
            {
                **plan,
                "indicators": rows,
                "counts": [(key, _status_label(key), counts.get(key, 0)) for key in report_text.STATUS_ORDER],
            }
        )
    return {"evaluation": evaluation, "plans": plans}


def _page(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    return pages.respond(request, render_to_string(template, {**context, **pages.SLOTS}), status=status)


def _published(pk: int, *, files: bool) -> Evaluation:
    return evaluations.published_evaluation_get(pk, files=files)


@login_not_required
@require_safe
def disclosure_index(request: HttpRequest) -> HttpResponse:
    """Published reports grouped by city: the latest one's figures in full, the earlier ones as links."""
    by_city: OrderedDict[int, list[Evaluation]] = OrderedDict()
    for evaluation in evaluations.published_evaluations():
        by_city.setdefault(evaluation.city_id, []).append(evaluation)
    cities = [
        {"city": reports[0].city, "latest": figures_view(reports[0]), "reports": reports}
        for reports in by_city.values()
    ]
    return _page(request, "portal/disclosure.html", {"cities": cities})


@login_not_required
@require_safe
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, "portal/disclosure_detail.html", figures_view(_published(pk, files=False)))


@login_not_required
@require_safe
def disclosure_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _published(pk, files=True)
    return download(evaluation.pdf, PDF, report_text.file_name(evaluation, ".pdf"))


@login_not_required
@require_safe
def disclosure_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _published(pk, files=True)
    return download(evaluation.xlsx, XLSX, report_text.file_name(evaluation, ".xlsx"))
