"""Pages of inspections on the spot and of rectification. Regulators read their region's (the bureau that made an
inspection records it); the inspected organization reads its own submitted inspections and its orders, and replies;
anyone else gets 404. Files are streamed by a view after the scope check, as downloads, never served directly."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.selectors import scope_of
from jiliang.core.web.forms import add_domain_errors, form_save
from jiliang.core.web.http import choice_param, download, int_param, not_found_as_404, page_of

from ..forms.inspections import (
    FindingsForm,
    InstrumentCheckForm,
    OrderForm,
    RecheckForm,
    ReplyForm,
    StartForm,
    SubmitForm,
    TestDrawForm,
    UploadForm,
)
from ..models import Inspection, Rectification
from ..selectors import inspections as selectors
from ..selectors.rosters import is_supervisor
from ..services import inspections as services


def _supervisor(request: HttpRequest) -> None:
    if not is_supervisor(request.user):
        raise Http404


def _reader(request: HttpRequest) -> None:
    """Supervisors, and owners (the selectors cut them to their own records)."""
    if not (is_supervisor(request.user) or scope_of(request.user).is_owner):
        raise Http404


def _managed(request: HttpRequest, pk: int) -> Inspection:
    inspection = selectors.inspection_get(request.user, pk)
    if not selectors.may_manage_inspection(request.user, inspection):
        raise Http404
    return inspection


def _form_errors_to_messages(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# ---- inspections -------------------------------------------------------------------------------------------------


@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    errors: list[str] = []
    params = {key: request.GET.get(key, "") for key in ("status", "result", "campaign", "task", "county")}
    results = selectors.result_names()
    filters = selectors.InspectionFilters(
        status=choice_param(params["status"], Inspection.Status.values, _("状态无效"), errors),
        result=choice_param(params["result"], list(results), _("检查结果无效"), errors),
        campaign=int_param(params["campaign"], low=1),
        task=int_param(params["task"], low=1),
        county=int_param(params["county"], low=1),
    )
    page = page_of(request, selectors.inspection_keys(request.user, filters))
    rows = [(row, results.get(row.result_id or "", "")) for row in selectors.inspection_rows(page.object_list)]
    context = {
        "rows": rows,
        "page": page,
        "errors": errors,
        "filters": filters,
        "query": urlencode({key: value for key, value in params.items() if value}),
        "statuses": Inspection.Status.choices,
        "results": list(results.items()),
        "campaigns": selectors.campaigns_visible_to(request.user).order_by("-starts_on"),
        "tasks": [(task.pk, f"{task.number} {task.name}") for task in selectors.tasks_for_filter(request.user)],
        "counties": selectors.counties_for(request.user),
        "may_create": selectors.may_inspect(request.user),
    }
    return render(request, "supervision/inspections/list.html", context)


@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    if not selectors.may_inspect(request.user):
        raise Http404
    target_id = int_param(request.GET.get("target"), low=1)
    target = selectors.startable_target(request.user, target_id) if target_id else None
    started = selectors.inspection_of_target(target) if target is not None else None
    if started is not None:
        messages.info(request, _("该抽中对象已开始检查"))
        return redirect("supervision:inspection_detail", started.pk)
    today = clock.today()
    day = today
    if request.method == "POST":
        try:
            day = min(date.fromisoformat(request.POST.get("inspected_on", "")), today)
        except ValueError:
            day = today
    initial: dict[str, Any] = {"inspected_on": today}
    if target is not None:
        initial["inspectors"] = list(target.inspectors.values_list("pk", flat=True))
        initial["campaign"] = target.draw.task.campaign_id
    form = StartForm(
        request.POST or None,
        initial=initial,
        inspectors=selectors.inspectors_available(request.user, day),
        campaigns=selectors.campaigns_visible_to(request.user).order_by("-starts_on"),
        target=target is not None,
    )

    def save(data: dict[str, Any]) -> Inspection:
        organization_id = None
        if target is None:
            organization_id = selectors.owner_for_inspection(request.user, data["credit_code"]).pk
        return services.inspection_start(
            actor=request.user,
            organization_id=organization_id,
            drawn_target_id=target.pk if target is not None else None,
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            inspected_on=data["inspected_on"],
            inspector_ids=[inspector.pk for inspector in data["inspectors"]],
        )

    saved = form_save(request, form, save, aliases={"organization": "credit_code", "campaign": "campaign"})
    if saved:
        messages.success(request, _("已开始现场检查"))
        return redirect("supervision:inspection_detail", saved.value.pk)
    return render(request, "supervision/inspections/start.html", {"form": form, "target": target})


@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    inspection = selectors.inspection_get(request.user, pk)
    may_manage = selectors.may_manage_inspection(request.user, inspection)
    draft = inspection.status == Inspection.Status.DRAFT
    checks = list(inspection.instrument_checks.select_related("instrument"))
    context = {
        "inspection": inspection,
        "inspectors": inspection.inspectors.order_by("name"),
        "findings": inspection.findings.select_related("basis"),
        "checks": [
            (check, InstrumentCheckForm(prefix=f"c{check.pk}") if may_manage and draft else None) for check in checks
        ],
        "draws": inspection.test_draws.select_related("instrument"),
        "attachments": inspection.attachments.order_by("uploaded_at"),
        "rectifications": inspection.rectifications.order_by("-ordered_on", "-id"),
        "may_edit": may_manage and draft,
        "may_order": may_manage
        and not draft
        and inspection.result is not None
        and inspection.result.problem
        and not inspection.rectifications.filter(
            status__in=[Rectification.Status.ORDERED, Rectification.Status.REPLIED]
        ).exists(),
        "upload_form": UploadForm() if may_manage and draft else None,
        "unanswered": inspection.findings.filter(compliant__isnull=True).count(),
        "is_owner": scope_of(request.user).is_owner,
    }
    return render(request, "supervision/inspections/detail.html", context)


@require_http_methods(["GET", "POST"])
def inspection_findings(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    inspection = _managed(request, pk)
    findings = list(inspection.findings.select_related("basis"))
    form = FindingsForm(request.POST or None, findings=findings, bases=selectors.legal_bases())
    if request.method == "POST" and form.is_valid():
        answers = {pk: services.Answer(**answer) for pk, answer in form.answers().items()}
        try:
            with not_found_as_404():
                services.findings_record(actor=request.user, inspection_id=inspection.pk, answers=answers)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已保存检查项目"))
            return redirect("supervision:inspection_detail", inspection.pk)
    return render(request, "supervision/inspections/findings.html", {"inspection": inspection, "form": form})


@require_POST
def inspection_instrument(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    inspection = _managed(request, pk)
    check_id = int_param(request.POST.get("check"), low=1)
    check = inspection.instrument_checks.filter(pk=check_id).first() if check_id else None
    if check is None:
        raise Http404
    form = InstrumentCheckForm(request.POST, prefix=f"c{check.pk}")
    saved = form_save(
        request,
        form,
        lambda data: services.instrument_check_record(actor=request.user, instrument_check_id=check.pk, **data),
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("已记录器具检查情况"))
    else:
        _form_errors_to_messages(request, form)
    return redirect("supervision:inspection_detail", inspection.pk)


@require_http_methods(["GET", "POST"])
def inspection_draw(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    inspection = _managed(request, pk)
    instruments = [check.instrument for check in inspection.instrument_checks.select_related("instrument")]
    form = TestDrawForm(request.POST or None, instruments=instruments)
    saved = form_save(
        request,
        form,
        lambda data: services.test_draw_add(
            actor=request.user,
            inspection_id=inspection.pk,
            indicated=data["indicated"],
            actual=data["actual"],
            label=data["label"],
            instrument_id=data["instrument"],
        ),
        missing_is_404=True,
    )
    if saved:
        draw = saved.value
        if draw.passed:
            messages.success(request, _("已记录现场试验：合格"))
        else:
            messages.warning(request, _("已记录现场试验：超出最大允许误差"))
        return redirect("supervision:inspection_detail", inspection.pk)
    mpe = inspection.checklist.test_draw_mpe_percent
    return render(
        request, "supervision/inspections/draw_form.html", {"inspection": inspection, "form": form, "mpe": mpe}
    )


@require_POST
def inspection_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    inspection = _managed(request, pk)
    form = UploadForm(request.POST, request.FILES)
    saved = form_save(
        request,
        form,
        lambda data: services.attachment_add(actor=request.user, inspection_id=inspection.pk, upload=data["file"]),
        aliases={"upload": "file"},
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("已上传附件"))
    else:
        _form_errors_to_messages(request, form)
    return redirect("supervision:inspection_detail", inspection.pk)


@require_http_methods(["GET", "POST"])
def inspection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    inspection = _managed(request, pk)
    form = SubmitForm(request.POST or None, results=selectors.result_categories())
    saved = form_save(
        request,
        form,
        lambda data: services.inspection_submit(
            actor=request.user, inspection_id=inspection.pk, result_code=data["result"], summary=data["summary"]
        ),
        aliases={"result_code": "result"},
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("检查结果已录入"))
        return redirect("supervision:inspection_detail", inspection.pk)
    context = {
        "inspection": inspection,
        "form": form,
        "unanswered": inspection.findings.filter(compliant__isnull=True).count(),
        "failed_draws": inspection.test_draws.filter(passed=False).count(),
        "not_met": inspection.findings.filter(compliant=False).count(),
    }
    return render(request, "supervision/inspections/submit.html", context)


@require_http_methods(["GET", "POST"])
def inspection_order(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    inspection = _managed(request, pk)
    bases = selectors.legal_bases()
    # The bases the findings not met cite, proposed; the officer chooses.
    cited = inspection.findings.filter(compliant=False, basis__isnull=False).values_list("basis__code", flat=True)
    form = OrderForm(request.POST or None, bases=bases, initial={"bases": sorted(set(cited))})
    saved = form_save(
        request,
        form,
        lambda data: services.rectification_order(
            actor=request.user,
            inspection_id=inspection.pk,
            requirement=data["requirement"],
            deadline=data["deadline"],
            basis_codes=data["bases"],
        ),
        aliases={"basis_codes": "bases"},
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("已责令改正，通知书已生成"))
        return redirect("supervision:rectification_detail", saved.value.pk)
    return render(request, "supervision/inspections/order_form.html", {"inspection": inspection, "form": form})


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    _reader(request)
    row = selectors.attachment_get(request.user, pk)
    response = FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---- rectifications ----------------------------------------------------------------------------------------------


@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    errors: list[str] = []
    params = {key: request.GET.get(key, "") for key in ("status", "overdue", "county")}
    filters = selectors.RectificationFilters(
        status=choice_param(params["status"], Rectification.Status.values, _("状态无效"), errors),
        overdue=params["overdue"] == "1",
        county=int_param(params["county"], low=1),
    )
    today = clock.today()
    page = page_of(request, selectors.rectification_list(request.user, filters, today=today))
    context = {
        "rows": [(row, selectors.is_overdue(row, today)) for row in page.object_list],
        "page": page,
        "errors": errors,
        "filters": filters,
        "query": urlencode({key: value for key, value in params.items() if value}),
        "statuses": Rectification.Status.choices,
        "counties": selectors.counties_for(request.user),
    }
    return render(request, "supervision/inspections/rectifications.html", context)


def _escalation_url(rectification: Rectification) -> str:
    """The cases area's page that files a case from this order, when that area is installed."""
    try:
        return f"{reverse('supervision:case_create')}?{urlencode({'rectification': rectification.pk})}"
    except NoReverseMatch:
        return ""


@require_GET
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    rectification = selectors.rectification_get(request.user, pk)
    may_manage = selectors.may_manage_rectification(request.user, rectification)
    open_after_recheck = rectification.status == Rectification.Status.ORDERED and rectification.recheck_on is not None
    today = clock.today()
    overdue = selectors.is_overdue(rectification, today)
    context = {
        "rectification": rectification,
        "bases": rectification.bases.order_by("code"),
        "attachments": rectification.attachments.order_by("uploaded_at"),
        "overdue": overdue,
        "open_after_recheck": open_after_recheck,
        "may_manage": may_manage,
        "may_reply": selectors.may_reply(request.user, rectification),
        "recheck_form": RecheckForm(initial={"recheck_on": today, "passed": "yes"})
        if may_manage and rectification.status == Rectification.Status.REPLIED
        else None,
        "is_owner": scope_of(request.user).is_owner,
        "escalation_url": _escalation_url(rectification) if may_manage and (open_after_recheck or overdue) else "",
    }
    return render(request, "supervision/inspections/rectification_detail.html", context)


@require_GET
def rectification_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    rectification = selectors.rectification_get(request.user, pk)
    if not rectification.pdf:
        raise Http404
    number = rectification.number
    return download(bytes(rectification.pdf), "application/pdf", (f"{number}.pdf", f"责令改正通知书-{number}.pdf"))


@require_http_methods(["GET", "POST"])
def rectification_reply(request: HttpRequest, pk: int) -> HttpResponse:
    if not scope_of(request.user).is_owner:
        raise Http404
    rectification = selectors.rectification_get(request.user, pk)
    if not selectors.may_reply(request.user, rectification):
        raise Http404
    form = ReplyForm(request.POST or None, request.FILES or None)
    saved = form_save(
        request,
        form,
        lambda data: services.rectification_reply(
            actor=request.user, rectification_id=rectification.pk, reply=data["reply"], attachments=data["attachments"]
        ),
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("已提交整改情况"))
        return redirect("supervision:rectification_detail", rectification.pk)
    return render(request, "supervision/inspections/reply_form.html", {"rectification": rectification, "form": form})


@require_POST
def rectification_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    rectification = selectors.rectification_get(request.user, pk)
    if not selectors.may_manage_rectification(request.user, rectification):
        raise Http404
    form = RecheckForm(request.POST)
    saved = form_save(
        request,
        form,
        lambda data: services.rectification_recheck(
            actor=request.user,
            rectification_id=rectification.pk,
            passed=data["passed"] == "yes",
            note=data["note"],
            recheck_on=data["recheck_on"],
        ),
        missing_is_404=True,
    )
    if saved:
        messages.success(request, _("已记录复查结论"))
    else:
        _form_errors_to_messages(request, form)
    return redirect("supervision:rectification_detail", rectification.pk)


# ---- the inspected organization's own page ------------------------------------------------------------------------


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """An owner's inspections (once their result is entered) and its orders."""
    if not scope_of(request.user).is_owner:
        raise Http404
    today = clock.today()
    inspections = selectors.inspection_rows(
        selectors.inspection_keys(request.user, selectors.InspectionFilters())[:200]
    )
    rectifications = selectors.rectification_list(request.user, selectors.RectificationFilters(), today=today)[:200]
    results = selectors.result_names()
    context = {
        "inspections": [(row, results.get(row.result_id or "", "")) for row in inspections],
        "rectifications": [(row, selectors.is_overdue(row, today)) for row in rectifications],
    }
    return render(request, "supervision/inspections/mine.html", context)
