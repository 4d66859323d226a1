"""Evaluation report pages: the list with the form that makes one (the "button"), the two downloads, publishing.

For city-level regulators (their city's reports) and the admin (every city's); anyone else — county bureaus,
institutes, owners — gets 404, as for a page that does not exist
(:func:`selectors.evaluations.may_manage_evaluations`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.selectors import scope_of
from jiliang.core.web.http import download, not_found_as_404
from jiliang.core.web.pdf import PDF
from jiliang.core.web.xlsx import XLSX

from ..formats.report_text import file_name
from ..forms.evaluations import EvaluationForm
from ..models import Evaluation
from ..selectors import evaluations as selectors
from ..services import evaluations as services


def _require_manager(request: HttpRequest) -> None:
    if not selectors.may_manage_evaluations(request.user):
        raise Http404


def _form(request: HttpRequest, data=None) -> EvaluationForm:
    return EvaluationForm(
        data,
        admin=scope_of(request.user).is_admin,
        initial={"kind": Evaluation.Kind.MID_TERM, "day": clock.today().isoformat()},
    )


@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    rows = selectors.evaluations_visible_to(request.user).order_by("-created_at", "-pk")
    context = {
        "evaluations": rows,
        "form": _form(request),
        "city": selectors.reporting_city(request.user),
    }
    return render(request, "indicators/evaluations.html", context)


@require_POST
def evaluation_new(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = _form(request, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("evaluations:list")
    try:
        with not_found_as_404():
            evaluation = services.evaluation_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                day=form.cleaned_data["day"],
                city=form.cleaned_data.get("city"),
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已生成《%(title)s》（基准日 %(day)s），可下载核对后公开")
            % {"title": evaluation.title, "day": evaluation.day.isoformat()},
        )
    return redirect("evaluations:list")


def _get(request: HttpRequest, pk: int) -> Evaluation:
    return selectors.evaluation_get(request.user, pk)


@require_GET
def evaluation_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    evaluation = _get(request, pk)
    return download(evaluation.xlsx, XLSX, file_name(evaluation, ".xlsx"))


@require_GET
def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    evaluation = _get(request, pk)
    return download(evaluation.pdf, PDF, file_name(evaluation, ".pdf"))


@require_POST
def evaluation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    try:
        with not_found_as_404():
            evaluation = services.evaluation_publish(actor=request.user, evaluation_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("《%(title)s》已在信息公开页面公开") % {"title": evaluation.title})
    return redirect("evaluations:list")
