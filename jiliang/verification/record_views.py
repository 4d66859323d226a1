"""Recording a verification (institute): the form, a live preview of the verdict, and the issue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.metrology.verification import Mpe, Point, judge

from . import services
from .record_forms import POINT_ROWS, RecordForm


def _item(request: HttpRequest):
    try:
        item_id = int(request.GET.get("item") or request.POST.get("item") or 0)
        return services.request_item_for(request.user, item_id)
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
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.verification_record(
                actor=request.user, request_item_id=item.pk, **form.service_values()
            )
        except DomainError as exc:
            for field, message in exc.errors or [("", exc.message)]:
                target = {"standard_ids": "standards", "verifier_id": "verifier", "checker_id": "checker"}.get(
                    field, field
                )
                target = {"approver_id": "approver", "procedure_id": "procedure"}.get(target, target)
                form.add_error(target if target in form.fields else None, message)
        else:
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
    """The verdict the points would give (HTMX), computed by the same rule the service uses; nothing is saved."""
    _item(request)
    form = RecordForm(request.POST, institute=None, instrument=_NoItem())
    points = form.points()
    resolution = (request.POST.get("resolution") or "").strip() or None
    context: dict = {"points": [], "error": "", "kind": request.POST.get("kind")}
    if request.POST.get("kind") == "calibration":
        try:
            context["points"] = [
                {"label": p["label"], "error": Decimal(p["indicated"]) - Decimal(p["reference"])} for p in points
            ]
        except InvalidOperation:
            context["error"] = _("检定点中有非数字的值")
        return render(request, "verification/records/_preview.html", context)
    try:
        verdict = judge(
            [
                Point(indicated=p["indicated"], reference=p["reference"], mpe=Mpe.absolute(p["mpe"]), label=p["label"])
                for p in points
            ],
            resolution=resolution,
        )
    except (ValueError, InvalidOperation, KeyError):
        context["error"] = _("请完整填写每个检定点的标准值、示值和最大允许误差（数字）")
    else:
        context["verdict"] = verdict
    return render(request, "verification/records/_preview.html", context)


class _NoItem:
    catalog_item = None
