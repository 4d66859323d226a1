"""Recording a verification (institute): the form, a live preview of the verdict, and the issue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.web.forms import form_save

from ..formats.documents import mpe_rule_text
from ..forms.records import POINT_ROWS, SERVICE_FIELDS, RecordForm, mpe_rule_from, outside_range, points_from
from ..selectors.records import request_item_for_record
from ..services import records as services


def _item(request: HttpRequest):
    try:
        item_id = int(request.GET.get("item") or request.POST.get("item") or 0)
        return request_item_for_record(request.user, item_id)
    except (ValueError, NotFoundOrForbidden) as exc:
        raise Http404(_("申请器具不存在")) from exc


@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    item = _item(request)
    req = item.request
    instrument = item.instrument
    # "List again for this date" posts what was typed with ``refresh``: it comes back as an unbound form's initial
    # values, listed for the date typed, and nothing is saved.
    refresh = request.method == "POST" and bool(request.POST.get("refresh"))
    initial = {"kind": req.service}
    if refresh:
        initial |= {k: v for k, v in request.POST.items() if k in RecordForm.base_fields and v}
        initial["standards"] = request.POST.getlist("standards")
    data = None if refresh else request.POST or None
    form = RecordForm(data, institute=req.institute, instrument=instrument, initial=initial)
    saved = form_save(
        request,
        form,
        lambda data: services.record_create(actor=request.user, request_item_id=item.pk, **form.service_values()),
        aliases=SERVICE_FIELDS,
    )
    if saved is not None:
        certificate = saved.value
        messages.success(
            request,
            _("已出具%(kind)s %(number)s") % {"kind": certificate.get_kind_display(), "number": certificate.number},
        )
        return redirect(f"/certificates/{certificate.pk}/")
    rows = []
    for i in range(POINT_ROWS):
        rows.append(
            {k: request.POST.get(f"p-{i}-{k}", "") for k in ("label", "reference", "indicated", "mpe")} | {"i": i}
        )
    return render(
        request,
        "verification/records/form.html",
        {"form": form, "item": item, "req": req, "instrument": instrument, "rows": rows},
    )


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
        context["rows"], context["conclusion"] = services.verdict_points(
            kind=kind,
            points=points,
            resolution=(request.POST.get("resolution") or "").strip(),
            mpe_rule=rule,
        )
    except DomainError as exc:
        context["error"] = exc.message
    return render(request, "verification/records/_preview.html", context)
