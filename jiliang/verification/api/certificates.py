"""Certificates over HTTP: ``/api/v1/certificates``. Thin: parse, call one selector or service, serialize.

GET /certificates (scoped like the list page: owners their certificates, institutes those they issued, regulators
those of their region; filters kind, status, q, issued_from, issued_to), GET /certificates/{id} (with the signed
document), GET /certificates/{id}/signed (the signed JSON file, verifiable offline), POST
/certificates/{id}/correct (a superseding certificate; issuing institute only), POST /certificates/{id}/revoke.
Out-of-scope ids answer 404 like missing ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import ERRORS, MAX_ID, ErrorOut

from ..formats import documents
from ..forms.certificates import parse_filters
from ..schemas.certificates import (
    CertificateListQuery,
    CertificatePageOut,
    CorrectIn,
    CorrectionDraftOut,
    IssuedCertificateDetailOut,
    IssuedCertificateOut,
    RevokeIn,
)
from ..selectors import certificates as selectors
from ..selectors.requests import NotAllowed
from ..services import certificates as services

router = Router(tags=["certificates"])

BODY_ERRORS = {400: ErrorOut, 409: ErrorOut, **ERRORS}
RELATED = ("instrument", "owner", "institute", "revocation", "superseded_by")


class SignatureOut(Schema):
    algorithm: str
    canonical_form: str
    key_id: str
    public_key: str
    value: str


class SignedOut(Schema):
    certificate: dict[str, Any]
    signature: SignatureOut


class RevocationOut(Schema):
    certificate: IssuedCertificateOut
    reason: str
    revoked_at: datetime


@router.get("/certificates", response={200: CertificatePageOut, **ERRORS}, summary="证书列表 / list certificates")
def certificate_list(request: HttpRequest, query: Query[CertificateListQuery]):
    params = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in query.model_dump().items()}
    filters = parse_filters(params)
    if filters.errors:  # the schema validated the dates already; never drop a filter silently
        raise DomainError(_("筛选条件无效"), errors=[("", m) for m in filters.errors])
    today = clock.today()
    qs = filters.apply(selectors.certificates_visible_to(request.auth), today)
    qs = qs.select_related(*RELATED).order_by("-issued_on", "-id")
    return page_out(query, qs, lambda c: IssuedCertificateOut.from_certificate(c, today))


def _get(request: HttpRequest, certificate_id: int):
    certificate = selectors.certificate_get(request.auth, certificate_id)
    return selectors.certificates_visible_to(request.auth).select_related(*RELATED).get(pk=certificate.pk)


@router.get(
    "/certificates/{certificate_id}",
    response={200: IssuedCertificateDetailOut, **ERRORS},
    summary="证书详情（含签名内容） / one certificate with its signed document",
)
def certificate_detail(request: HttpRequest, certificate_id: int = Path(..., ge=1, le=MAX_ID)):
    return IssuedCertificateDetailOut.from_certificate(_get(request, certificate_id))


@router.get(
    "/certificates/{certificate_id}/signed",
    response={200: SignedOut, **ERRORS},
    summary="签名的 JSON 证书文件 / the signed JSON file (verify offline with manage.py verify_certificate)",
)
def certificate_signed(request: HttpRequest, certificate_id: int = Path(..., ge=1, le=MAX_ID)):
    return documents.signed_file(selectors.certificate_get(request.auth, certificate_id))


@router.post(
    "/certificates/{certificate_id}/correct",
    response={201: CorrectionDraftOut, 403: ErrorOut, **BODY_ERRORS},
    summary="开始更正证书 / start a correction: a draft that is checked and approved before it supersedes the "
    "certificate (issuing institute's staff, by their own login)",
)
def certificate_correct(request: HttpRequest, payload: CorrectIn, certificate_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        draft = services.certificate_correct(
            actor=request.auth, certificate_id=certificate_id, reason=payload.reason, **payload.changes()
        )
    except NotAllowed as exc:
        return Status(403, {"detail": exc.message, "errors": [{"field": f, "message": m} for f, m in exc.errors]})
    return Status(201, CorrectionDraftOut.from_draft(draft))


@router.post(
    "/certificates/{certificate_id}/revoke",
    response={200: RevocationOut, **BODY_ERRORS},
    summary="撤销证书 / revoke a certificate, with a reason (issuing institute only)",
)
def certificate_revoke(request: HttpRequest, payload: RevokeIn, certificate_id: int = Path(..., ge=1, le=MAX_ID)):
    revocation = services.certificate_revoke(actor=request.auth, certificate_id=certificate_id, reason=payload.reason)
    return {
        "certificate": IssuedCertificateOut.from_certificate(_get(request, certificate_id)),
        "reason": revocation.reason,
        "revoked_at": revocation.revoked_at,
    }
