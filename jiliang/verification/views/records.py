"""Recording a verification (institute), by three people with their own logins: the verifier's form (a draft,
saved and submitted), the draft's page where the checker checks or returns it and the approver approves it (which
issues the certificate), and a live preview of the verdict."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.web.forms import form_save

from ..formats.documents import humidity_text, mpe_rule_text, temperature_text
from ..forms.records import POINT_ROWS, SERVICE_FIELDS, RecordForm, mpe_rule_from, outside_range, points_from
from ..models import RecordDraft
from ..selectors.records import draft_for, request_item_for_record
from ..selectors.requests import NotAllowed
from ..services import drafts as services
from ..services import records as record_rules


def _item(request: HttpRequest):
    try:
        item_id = int(request.GET.get("item") or request.POST.get("item") or 0)
        return request_item_for_record(request.user, item_id)
    except (ValueError, NotFoundOrForbidden) as exc:
        raise Http404(_("申请器具不存在")) from exc


def _draft(request: HttpRequest, pk: int) -> RecordDraft:
    try:
        return draft_for(request.user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(_("检定记录不存在")) from exc


def _rows(data: Any) -> list[dict[str, Any]]:
    """The readings table's rows: what was posted, else the draft's points."""
    rows = []
    for i in range(POINT_ROWS):
        rows.append({k: data.get(f"p-{i}-{k}", "") for k in ("label", "reference", "indicated", "mpe")} | {"i": i})
    return rows


def _draft_rows(draft: RecordDraft) -> list[dict[str, Any]]:
    points = list(draft.values.get("points") or [])
    return [
        {
            k: str((points[i] if i < len(points) else {}).get(k) or "")
            for k in ("label", "reference", "indicated", "mpe")
        }
        | {"i": i}
        for i in range(POINT_ROWS)
    ]


def _values(form: RecordForm) -> dict[str, Any]:
    values = form.service_values()
    values.pop("verifier_id", None)
    return values


def _acting(request: HttpRequest, institute_id: int):
    try:
        return services.acting_person(request.user, institute_id)
    except NotAllowed:
        return None


def _form(data: Any, *, institute, instrument, person, initial: dict[str, Any]) -> RecordForm:
    form = RecordForm(data, institute=institute, instrument=instrument, initial=initial)
    # The verifier is the person whose login records: shown, never chosen.
    verifier = form.fields["verifier"]
    verifier.queryset = verifier.queryset.model.objects.filter(pk=person.pk)
    verifier.initial = person.pk
    verifier.disabled = True
    return form


@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    item = _item(request)
    req = item.request
    instrument = item.instrument
    person = _acting(request, req.institute_id)
    if person is None:
        return render(
            request, "verification/records/no_person.html", {"req": req, "instrument": instrument}, status=403
        )
    # "List again for this date" posts what was typed with ``refresh``: it comes back as an unbound form's initial
    # values, listed for the date typed, and nothing is saved.
    refresh = request.method == "POST" and bool(request.POST.get("refresh"))
    initial = {"kind": req.service}
    if refresh:
        initial |= {k: v for k, v in request.POST.items() if k in RecordForm.base_fields and v}
        initial["standards"] = request.POST.getlist("standards")
    data = None if refresh else request.POST or None
    form = _form(data, institute=req.institute, instrument=instrument, person=person, initial=initial)
    saved = _save(request, form, request_item_id=item.pk)
    if saved is not None:
        return saved
    return render(
        request,
        "verification/records/form.html",
        {"form": form, "item": item, "req": req, "instrument": instrument, "rows": _rows(request.POST)},
    )


def _save(request: HttpRequest, form: RecordForm, **target: int) -> HttpResponse | None:
    """Save the posted form as the verifier's draft (a new one for ``request_item_id``, or ``draft_id``) and go to
    its page; None when nothing was saved (the form shows why)."""
    saved = form_save(
        request,
        form,
        lambda data: services.draft_save(actor=request.user, **target, **_values(form)),
        aliases=SERVICE_FIELDS,
    )
    return None if saved is None else _after_save(request, saved.value)


def _after_save(request: HttpRequest, draft: RecordDraft) -> HttpResponse:
    """Saved: submit too when the verifier asked for it; the draft's page either way."""
    if request.POST.get("then") == "submit":
        try:
            services.draft_submit(actor=request.user, draft_id=draft.pk)
            messages.success(request, _("已提交核验，等待核验员 %(name)s 核验") % {"name": draft.checker})
        except DomainError as exc:
            for _field, message in exc.errors or [("", exc.message)]:
                messages.error(request, message)
    else:
        messages.success(request, _("已保存草稿"))
    return redirect("records:draft", draft.pk)


@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    person = _acting(request, draft.institute_id)
    if "edit" not in services.acts_open_to(draft, person.pk if person else None):
        raise Http404(_("检定记录不存在"))
    values = draft.values
    initial = {
        "kind": draft.kind,
        "performed_on": values.get("performed_on"),
        "procedure": values.get("procedure_id"),
        "checker": values.get("checker_id"),
        "approver": values.get("approver_id"),
        "standards": values.get("standard_ids") or [],
        **{k: values.get(k) for k in ("place", "temperature", "humidity", "conditions", "unit", "resolution")},
        "expanded_uncertainty": values.get("expanded_uncertainty"),
        "coverage_factor": values.get("coverage_factor"),
    }
    rule = values.get("mpe_rule") or {}
    if rule:
        initial |= {
            "mpe_kind": rule.get("kind"),
            "mpe_a": rule.get("a"),
            "mpe_b": rule.get("b"),
            "mpe_basis": rule.get("basis"),
            "mpe_full_scale": rule.get("full_scale"),
        }
    req = draft.request_item.request
    form = _form(
        request.POST or None, institute=draft.institute, instrument=draft.instrument, person=person, initial=initial
    )
    saved = _save(request, form, draft_id=draft.pk)
    if saved is not None:
        return saved
    rows = _rows(request.POST) if request.method == "POST" else _draft_rows(draft)
    return render(
        request,
        "verification/records/form.html",
        {
            "form": form,
            "item": draft.request_item,
            "req": req,
            "instrument": draft.instrument,
            "rows": rows,
            "draft": draft,
        },
    )


def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    person = _acting(request, draft.institute_id)
    mine = person.pk if person else None
    preview: dict[str, Any] = {"rows": [], "conclusion": "", "error": ""}
    try:
        preview["rows"], preview["conclusion"] = record_rules.verdict_points(
            kind=draft.kind,
            points=list(draft.values.get("points") or []),
            resolution=draft.values.get("resolution") or "",
            mpe_rule=draft.values.get("mpe_rule"),
        )
    except DomainError as exc:
        preview["error"] = exc.message
    may = {act: True for act in services.acts_open_to(draft, mine)}
    certificate = draft.record.certificates.order_by("-issued_at").first() if draft.record_id else None
    return render(
        request,
        "verification/records/draft.html",
        {
            "draft": draft,
            "req": draft.request_item.request,
            "instrument": draft.instrument,
            "values": draft.values,
            "preview": preview,
            "kind": draft.kind,
            "may": may,
            "person": person,
            "certificate": certificate,
            "events": list(draft.events.all()),
            "statuses": RecordDraft.Status.choices,
            "temperature": temperature_text(str(draft.values.get("temperature") or "")),
            "humidity": humidity_text(str(draft.values.get("humidity") or "")),
            "mpe_rule": mpe_rule_text(draft.values.get("mpe_rule"), str(draft.values.get("unit") or "")),
        },
    )


# Each action's service and whether it takes the posted reason.
ACTIONS = {
    "submit": (services.draft_submit, False),
    "check": (services.draft_check, False),
    "return": (services.draft_return, True),
    "approve": (services.draft_approve, False),
    "withdraw": (services.draft_withdraw, True),
}


@require_POST
def draft_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    draft = _draft(request, pk)
    if action not in ACTIONS:
        raise Http404
    service, needs_reason = ACTIONS[action]
    kwargs: dict[str, Any] = {"actor": request.user, "draft_id": draft.pk}
    if needs_reason:
        kwargs["reason"] = (request.POST.get("reason") or "")[:500]
    try:
        result = service(**kwargs)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    except DomainError as exc:
        for _field, message in exc.errors or [("", exc.message)]:
            messages.error(request, message)
        return redirect("records:draft", draft.pk)
    if action == "approve":
        messages.success(
            request, _("已批准，出具%(kind)s %(number)s") % {"kind": result.get_kind_display(), "number": result.number}
        )
        return redirect("certificates:detail", result.pk)
    done = {
        "submit": _("已提交核验"),
        "check": _("已核验，等待批准人批准"),
        "return": _("已退回检定员修改"),
        "withdraw": _("已撤回该记录"),
    }
    messages.success(request, done[action])
    return redirect("records:draft", draft.pk)


@require_POST
def record_preview(request: HttpRequest) -> HttpResponse:
    """The verdict the points would give (HTMX), computed by the service's own rule; nothing is saved."""
    item = _item(request)
    kind = request.POST.get("kind") or "verification"
    points = points_from(request.POST)
    rule = mpe_rule_from(request.POST) if kind == "verification" else None
    unit = (request.POST.get("unit") or "").strip()
    context: dict = {
        "kind": kind,
        "rows": [],
        "conclusion": "",
        "error": "",
        "rule": mpe_rule_text(rule, unit) if rule else "",
        "warnings": outside_range(points, item.instrument.measuring_range, unit),
    }
    try:
        context["rows"], context["conclusion"] = record_rules.verdict_points(
            kind=kind,
            points=points,
            resolution=(request.POST.get("resolution") or "").strip(),
            mpe_rule=rule,
        )
    except DomainError as exc:
        context["error"] = exc.message
    return render(request, "verification/records/_preview.html", context)
