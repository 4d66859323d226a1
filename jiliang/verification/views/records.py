"""Recording a verification (institute): the form, a live preview of the verdict, and the issue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.web.forms import form_save

from ..forms.records import POINT_ROWS, SERVICE_FIELDS, RecordForm, points_from
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
    form = RecordForm(
        request.POST or None, institute=req.institute, instrument=instrument, initial={"kind": req.service}
    )
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
    _item(request)
    kind = request.POST.get("kind") or "verification"
    context: dict = {"kind": kind, "rows": [], "conclusion": "", "error": ""}
    try:
        context["rows"], context["conclusion"] = services.verdict_points(
            kind=kind, points=points_from(request.POST), resolution=(request.POST.get("resolution") or "").strip()
        )
    except DomainError as exc:
        context["error"] = exc.message
    return render(request, "verification/records/_preview.html", context)
