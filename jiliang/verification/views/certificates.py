"""Certificate pages: the list, one certificate, its downloads (PDF, signed JSON, DCC-like XML), and for the
issuing institute the correction (出具更正证书) and the revocation (撤销证书).

Every read goes through ``selectors`` (owners see their certificates, institutes those they issued, regulators those
of their region); an out-of-scope id answers 404 exactly like a missing one. Downloads are named by the number.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiliang.core import clock
from jiliang.core.selectors import scope_of
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import page_of

from ..formats import dcc, documents
from ..formats.pdf import certificate_pdf
from ..forms.certificates import LIST_STATUSES, CorrectForm, RevokeForm, parse_filters
from ..forms.records import SERVICE_FIELDS
from ..models import Certificate
from ..selectors import certificates as selectors
from ..services import certificates as services

# Badge classes of app.css for each status: 有效 green, 已过期 grey, 已被替代 orange, 已撤销 and 检定不合格 red.
STATUS_BADGES = {
    selectors.CertificateStatus.VALID: "due-valid",
    selectors.CertificateStatus.EXPIRED: "due-never",
    selectors.CertificateStatus.SUPERSEDED: "due-due_soon",
    selectors.CertificateStatus.REVOKED: "due-overdue",
    selectors.CertificateStatus.FAILED: "due-overdue",
}


def _get(request: HttpRequest, pk: int) -> Certificate:
    return selectors.certificate_get(request.user, pk)


def _may_change(request: HttpRequest, certificate: Certificate) -> bool:
    """Only the issuing institute (and the admin) corrects or revokes."""
    scope = scope_of(request.user)
    return scope.is_admin or (scope.is_institute and scope.organization_id == certificate.institute_id)


def _status(certificate: Certificate) -> dict[str, str]:
    status = selectors.certificate_status(certificate, clock.today())
    return {
        "value": status,
        "label": str(selectors.CertificateStatus(status).label),
        "badge": STATUS_BADGES.get(status, "due-na"),
    }


# ---- list --------------------------------------------------------------------------------------------------------


@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    filters = parse_filters(request.GET)
    today = clock.today()
    qs = filters.apply(selectors.certificates_visible_to(request.user), today)
    qs = qs.select_related("instrument", "owner", "institute", "revocation", "superseded_by").order_by(
        "-issued_on", "-id"
    )
    page = page_of(request, qs)
    rows = [{"certificate": c, "status": _status(c)} for c in page.object_list]
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "page_query": urlencode(query),
        "kinds": Certificate.Kind.choices,
        "statuses": LIST_STATUSES,
    }
    return render(request, "verification/certificates/list.html", context)


# ---- one certificate ---------------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, certificate: Certificate, **forms: Any) -> dict[str, Any]:
    status = _status(certificate)
    may_change = _may_change(request, certificate) and status["value"] not in (
        selectors.CertificateStatus.REVOKED,
        selectors.CertificateStatus.SUPERSEDED,
    )
    revocation = getattr(certificate, "revocation", None) if status["value"] == "revoked" else None
    url = documents.public_check_url(certificate.token)
    qr = segno.make(url, error="m").svg_inline(scale=3, dark="#1f2329")
    doc = certificate.document
    context = {
        "certificate": certificate,
        "doc": doc,
        "status": status,
        "superseded_by": selectors.superseding(certificate),
        "revocation": revocation,
        "public_url": url,
        "qr_svg": mark_safe(qr),  # noqa: S308 (segno's own SVG; the URL is ours and percent-safe)
        "calibration": certificate.kind == Certificate.Kind.CALIBRATION,
        "may_change": may_change,
    }
    if may_change:
        context["correct_form"] = CorrectForm(certificate=certificate, prefix="correct")
        context["revoke_form"] = RevokeForm(prefix="revoke")
    # A form that was posted is shown with its errors, even when the certificate can no longer change (a stale page
    # posting a second revocation sees the service's refusal).
    context.update({name: form for name, form in forms.items() if form is not None})
    return context


@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get(request, pk)
    return render(request, "verification/certificates/detail.html", _detail_context(request, certificate))


@require_POST
def certificate_correct(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get(request, pk)
    if not _may_change(request, certificate):
        raise Http404
    form = CorrectForm(request.POST, certificate=certificate, prefix="correct")
    saved = form_save(
        request,
        form,
        lambda data: services.certificate_correct(
            actor=request.user, certificate_id=certificate.pk, **form.service_kwargs()
        ),
        aliases=SERVICE_FIELDS,
        missing_is_404=True,
    )
    if saved is not None:
        messages.success(
            request,
            _("已开始更正 %(old)s：请提交核验，核验员核验、批准人批准后出具替代证书") % {"old": certificate.number},
        )
        return redirect("records:draft", saved.value.pk)
    context = _detail_context(request, certificate, correct_form=form)
    context["open_form"] = "correct"
    return render(request, "verification/certificates/detail.html", context)


@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get(request, pk)
    if not _may_change(request, certificate):
        raise Http404
    form = RevokeForm(request.POST, prefix="revoke")
    saved = form_save(
        request,
        form,
        lambda data: services.certificate_revoke(
            actor=request.user, certificate_id=certificate.pk, reason=data["reason"]
        ),
        aliases=SERVICE_FIELDS,
        missing_is_404=True,
    )
    if saved is not None:
        messages.success(request, _("证书 %(number)s 已撤销") % {"number": certificate.number})
        return redirect("certificates:detail", certificate.pk)
    context = _detail_context(request, certificate, revoke_form=form)
    context["open_form"] = "revoke"
    return render(request, "verification/certificates/detail.html", context)


# ---- downloads ---------------------------------------------------------------------------------------------------


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def certificate_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get(request, pk)
    return _download(certificate_pdf(certificate), "application/pdf", f"{certificate.number}.pdf")


def signed_json_bytes(certificate: Certificate) -> bytes:
    return json.dumps(documents.signed_file(certificate), ensure_ascii=False, indent=2).encode("utf-8")


@require_GET
def certificate_json_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get(request, pk)
    return _download(signed_json_bytes(certificate), "application/json; charset=utf-8", f"{certificate.number}.json")


@require_GET
def certificate_xml_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get(request, pk)
    return _download(dcc.certificate_xml(certificate), "application/xml; charset=utf-8", f"{certificate.number}.xml")
