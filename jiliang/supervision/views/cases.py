"""Pages of penalty cases: the list (regulators: their region; the party: its own cases from the notice on), a new
case (blank, or from a rectification or an inspection), a case's page (its clocks with their articles, pauses,
events, documents and the form of the next step only) and each act as a POST. Anyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core import clock
from jiliang.core.models import Organization
from jiliang.core.selectors import counties_visible_to, organizations_visible_to, scope_of
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import download, int_param, is_htmx, page_of

from ..forms import cases as case_forms
from ..models import Case, Inspector, LegalBasis
from ..selectors import cases as selectors
from ..selectors.rosters import is_supervisor
from ..services import cases as services


def _reader(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (is_supervisor(request.user) or scope.is_owner):
        raise Http404


def _handler(request: HttpRequest) -> None:
    if not selectors.may_handle(request.user):
        raise Http404


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    status = request.GET.get("status", "")
    status = status if status in Case.Status.values else ""
    source = request.GET.get("source", "")
    source = source if source in Case.Source.values else ""
    county = int_param(request.GET.get("county"), low=1, high=2**31 - 1)
    rows = selectors.list_rows(request.user, status=status, county=county, source=source)
    page = page_of(request, rows)
    is_owner = scope_of(request.user).is_owner
    context = {
        "rows": page.object_list,
        "page": page,
        "query": request.GET.urlencode(),
        "filters": {"status": status, "source": source, "county": county},
        "statuses": Case.Status.choices,
        "sources": Case.Source.choices,
        "counties": [] if is_owner else list(counties_visible_to(request.user).order_by("code")),
        "may_create": selectors.may_handle(request.user),
        "is_owner": is_owner,
    }
    template = "supervision/cases/_results.html" if is_htmx(request) else "supervision/cases/list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    _handler(request)
    rectification = inspection = None
    initial: dict[str, Any] = {"clue_received_on": clock.today(), "source": Case.Source.OTHER}
    if (pk := int_param(request.GET.get("rectification"), low=1, high=2**31 - 1)) is not None:
        rectification = selectors.rectification_for_case(request.user, pk)
        initial.update(party=rectification.organization_id, source=Case.Source.RECTIFICATION)
    elif (pk := int_param(request.GET.get("inspection"), low=1, high=2**31 - 1)) is not None:
        inspection = selectors.inspection_for_case(request.user, pk)
        initial.update(party=inspection.organization_id, source=Case.Source.INSPECTION)
    parties = organizations_visible_to(request.user).exclude(kind=Organization.Kind.REGULATOR).order_by("name")
    if rectification is not None or inspection is not None:
        parties = parties.filter(pk=initial["party"])
    form = case_forms.CaseForm(request.POST or None, initial=initial, parties=parties.only("id", "name"))

    def save(data: dict[str, Any]) -> Case:
        return services.case_open(
            actor=request.user,
            party_id=data["party"].pk,
            source=data["source"],
            summary=data["summary"],
            clue_received_on=data["clue_received_on"],
            inspection_id=inspection.pk if inspection else None,
            rectification_id=rectification.pk if rectification else None,
        )

    saved = form_save(request, form, save, aliases={"party_id": "party"})
    if saved:
        messages.success(request, _("已登记案件线索"))
        return redirect("supervision:case_detail", saved.value.pk)
    context = {"form": form, "rectification": rectification, "inspection": inspection}
    return render(request, "supervision/cases/form.html", context)


ACTION_TITLES = {
    "file": gettext_lazy("立案"),
    "not_file": gettext_lazy("不予立案"),
    "extend": gettext_lazy("延长期限（负责人批准）"),
    "pause": gettext_lazy("期限中止"),
    "resume": gettext_lazy("恢复计算期限"),
    "review": gettext_lazy("送法制审核"),
    "notify": gettext_lazy("告知拟作出的行政处罚"),
    "hearing": gettext_lazy("登记听证申请"),
    "decide": gettext_lazy("作出行政处罚决定"),
    "serve": gettext_lazy("送达处罚决定书"),
    "pay": gettext_lazy("登记缴款"),
    "close": gettext_lazy("结案"),
    "revoke": gettext_lazy("撤销处罚决定"),
}
# Acts that cannot be undone ask first.
CONFIRMS = {
    "file": gettext_lazy("立案后将生成立案审批表，不能撤回。确定立案？"),
    "not_file": gettext_lazy("不予立案后案件即告终结，确定？"),
    "extend": gettext_lazy("延长期限须经负责人批准，记录后不能撤回。确定？"),
    "notify": gettext_lazy("将生成行政处罚告知书，不能修改。确定？"),
    "decide": gettext_lazy("将生成行政处罚决定书并公示，不能修改。确定？"),
    "serve": gettext_lazy("将生成送达回证，不能修改。确定？"),
    "pay": gettext_lazy("缴款记录不能修改。确定？"),
    "close": gettext_lazy("将生成结案报告，案件结案。确定？"),
    "revoke": gettext_lazy("撤销后原决定书保留并被撤销决定书取代，公示将撤下。确定撤销？"),
}


def _next_steps(case: Case, has_open_pause: bool) -> list[str]:
    steps = {
        Case.Status.CLUE: ["file", "not_file", "extend"],
        Case.Status.FILED: ["review", "notify", "extend"],
        Case.Status.REVIEW: ["notify", "extend"],
        Case.Status.NOTIFIED: ["decide", "hearing", "extend"],
        Case.Status.DECIDED: ["serve", "revoke"],
        Case.Status.SERVED: ["pay", "close", "revoke"] if case.fine and not case.paid_on else ["close", "revoke"],
        Case.Status.CLOSED: ["revoke"],
    }.get(Case.Status(case.status), [])
    if case.status in (Case.Status.CLUE, Case.Status.FILED, Case.Status.REVIEW, Case.Status.NOTIFIED):
        steps.append("resume" if has_open_pause else "pause")
    if has_open_pause:
        steps = [s for s in steps if s in ("resume", "extend", "not_file")]
    if case.events.filter(step="revoke").exists():
        steps = [s for s in steps if s != "revoke"]
    return steps


def _forms_for(request: HttpRequest, case: Case, steps: list[str]) -> dict[str, forms.Form]:
    today = clock.today()
    made: dict[str, forms.Form] = {}
    for step in steps:
        if step == "file":
            made[step] = case_forms.FileForm(
                initial={"filed_on": today},
                officers=Inspector.objects.filter(organization_id=case.bureau_id, active=True).order_by("name"),
                bases=LegalBasis.objects.order_by("code"),
            )
        else:
            form_class = ACTIONS[step][0]
            date_field = next((n for n, f in form_class.base_fields.items() if isinstance(f, forms.DateField)), None)
            initial: dict[str, Any] = {date_field: today} if date_field else {}
            if step == "extend":
                initial["which"] = "filing" if case.status == Case.Status.CLUE else "decision"
            if step in ("decide",):
                initial.update(penalty=case.penalty, fine=case.fine, confiscated=case.confiscated)
            due = selectors.payment_due(case, on=today) if step == "pay" else None
            if due is not None:
                initial["amount"] = due.total
            made[step] = form_class(initial=initial)
            if due is not None:
                made[step].fields["amount"].help_text = _(
                    "缴款期限 %(date)s；今日缴纳应缴 %(total)s 元，其中加处罚款 %(surcharge)s 元（依据 %(article)s）"
                ) % {
                    "date": due.deadline.isoformat(),
                    "total": due.total,
                    "surcharge": due.surcharge,
                    "article": due.article,
                }
    return made


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    case = selectors.case_get(request.user, pk)
    documents = selectors.documents_of(request.user, case)
    if selectors.is_party(request.user, case):
        context = {"case": case, "documents": documents, "bases": case.bases.order_by("code")}
        return render(request, "supervision/cases/party_detail.html", context)
    pauses = list(case.pauses.order_by("started_on"))
    has_open_pause = any(p.ended_on is None for p in pauses)
    may_handle = selectors.may_handle(request.user, case)
    steps = _next_steps(case, has_open_pause) if may_handle else []
    events = [{"event": e, "label": selectors.STEP_LABELS.get(e.step, e.step)} for e in selectors.events_of(case)]
    context = {
        "case": case,
        "clocks": selectors.case_clocks(case),
        "pauses": pauses,
        "events": events,
        "documents": documents,
        "publications": selectors.publications_of(request.user, case),
        "officers": case.officers.order_by("name"),
        "bases": case.bases.order_by("code"),
        "may_handle": may_handle,
        "actions": [
            {
                "step": step,
                "form": form,
                "url": reverse(f"supervision:case_{step}", args=[case.pk]),
                "title": ACTION_TITLES[step],
                "confirm": CONFIRMS.get(step, ""),
            }
            for step, form in _forms_for(request, case, steps).items()
        ],
        "revoked": case.events.filter(step="revoke").exists(),
        "superseded": {d.supersedes_id for d in documents if d.supersedes_id},
    }
    return render(request, "supervision/cases/detail.html", context)


@require_GET
def case_document(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    document = selectors.document_get(request.user, pk)
    name = f"{document.get_kind_display()}-{document.number}.pdf"
    return download(bytes(document.pdf), "application/pdf", (f"case-document-{document.pk}.pdf", name))


# ---------------------------------------------------------------------------------------------------------------
# The acts: one POST each, to the service of its step


def _file(request: HttpRequest, pk: int, data: dict[str, Any]) -> Any:
    return services.case_file(
        actor=request.user,
        case_id=pk,
        filed_on=data["filed_on"],
        officer_ids=[o.pk for o in data["officers"]],
        basis_codes=[b.code for b in data["bases"]],
    )


ACTIONS: dict[str, tuple[type[forms.Form], Callable[[HttpRequest, int, dict[str, Any]], Any], str]] = {
    "not_file": (
        case_forms.NotFileForm,
        lambda r, pk, d: services.case_not_file(actor=r.user, case_id=pk, **d),
        gettext_noop("已决定不予立案"),
    ),
    "file": (case_forms.FileForm, _file, gettext_noop("已立案，立案审批表已生成")),
    "extend": (
        case_forms.ExtendForm,
        lambda r, pk, d: services.case_extend(actor=r.user, case_id=pk, **d),
        gettext_noop("期限已延长"),
    ),
    "pause": (
        case_forms.PauseForm,
        lambda r, pk, d: services.case_pause(actor=r.user, case_id=pk, **d),
        gettext_noop("期限已中止"),
    ),
    "resume": (
        case_forms.ResumeForm,
        lambda r, pk, d: services.case_resume(actor=r.user, case_id=pk, **d),
        gettext_noop("期限已恢复计算"),
    ),
    "review": (
        case_forms.ReviewForm,
        lambda r, pk, d: services.case_review(actor=r.user, case_id=pk, **d),
        gettext_noop("已送法制审核"),
    ),
    "notify": (
        case_forms.NotifyForm,
        lambda r, pk, d: services.case_notify(actor=r.user, case_id=pk, **d),
        gettext_noop("行政处罚告知书已生成"),
    ),
    "hearing": (
        case_forms.HearingForm,
        lambda r, pk, d: services.case_hearing(actor=r.user, case_id=pk, **d),
        gettext_noop("已登记听证申请"),
    ),
    "decide": (
        case_forms.DecideForm,
        lambda r, pk, d: services.case_decide(actor=r.user, case_id=pk, **d),
        gettext_noop("行政处罚决定书已生成"),
    ),
    "serve": (
        case_forms.ServeForm,
        lambda r, pk, d: services.case_serve(actor=r.user, case_id=pk, **d),
        gettext_noop("已送达"),
    ),
    "pay": (
        case_forms.PayForm,
        lambda r, pk, d: services.case_pay(actor=r.user, case_id=pk, **d),
        gettext_noop("已登记缴款"),
    ),
    "close": (
        case_forms.CloseForm,
        lambda r, pk, d: services.case_close(actor=r.user, case_id=pk, **d),
        gettext_noop("已结案"),
    ),
    "revoke": (
        case_forms.RevokeForm,
        lambda r, pk, d: services.decision_revoke(actor=r.user, case_id=pk, **d),
        gettext_noop("处罚决定已撤销，公示已撤下"),
    ),
}


def _act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    _handler(request)
    case = selectors.case_get(request.user, pk)
    if not selectors.may_handle(request.user, case):
        raise Http404
    form_class, call, done = ACTIONS[step]
    if step == "file":
        form: forms.Form = case_forms.FileForm(
            request.POST,
            officers=Inspector.objects.filter(organization_id=case.bureau_id),
            bases=LegalBasis.objects.all(),
        )
    else:
        form = form_class(request.POST)
    saved = form_save(
        request,
        form,
        lambda data: call(request, pk, data),
        aliases={"officer_ids": "officers", "basis_codes": "bases"},
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _(done))
    else:
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{error}" if label else str(error))
    return redirect("supervision:case_detail", pk)


def _action(step: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, step)

    view.__name__ = f"case_{step}"
    return view


case_not_file = _action("not_file")
case_file = _action("file")
case_extend = _action("extend")
case_pause = _action("pause")
case_resume = _action("resume")
case_review = _action("review")
case_notify = _action("notify")
case_hearing = _action("hearing")
case_decide = _action("decide")
case_serve = _action("serve")
case_pay = _action("pay")
case_close = _action("close")
case_revoke = _action("revoke")


@require_POST
def case_document_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a document: a new document that supersedes it (the original stays)."""
    _handler(request)
    document = selectors.document_get(request.user, pk)
    form = case_forms.CorrectForm(request.POST)
    saved = form_save(
        request,
        form,
        lambda data: services.document_correct(actor=request.user, document_id=pk, reason=data["reason"]),
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("已制作更正文书"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("supervision:case_detail", document.case_id)
