"""Certificates after issue: correct (a new record and a certificate that supersedes the old one, through the same
three acts as any record: ``services.drafts``) and revoke (a signed revocation). Nothing is edited or deleted; both
stay visible.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of
from jiliang.metrology import signing

from .. import keys, signals
from ..formats import documents
from ..models import Certificate, CertificateRevocation, RecordDraft
from .drafts import DRAFT_FIELDS, correction_draft
from .records import _refresh_instrument

# What a correction may change: what the verifier records, but its kind; the instrument, institute and request stay.
CORRECTABLE = frozenset(DRAFT_FIELDS) - {"kind"}


def _certificate_for_change(actor: User, certificate_id: int) -> Certificate:
    scope = scope_of(actor)
    if not (scope.is_institute or scope.is_admin):
        raise NotFoundOrForbidden(_("证书不存在"))
    qs = Certificate.objects.select_related("record", "institute", "instrument__catalog_item")
    if not scope.is_admin:
        qs = qs.filter(institute_id=scope.organization_id)
    certificate = qs.select_for_update(of=("self",)).filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFoundOrForbidden(_("证书不存在"))
    if CertificateRevocation.objects.filter(certificate=certificate).exists():
        raise DomainError(_("证书 %(number)s 已撤销") % {"number": certificate.number}, code="conflict")
    if Certificate.objects.filter(supersedes=certificate).exists():
        raise DomainError(_("证书 %(number)s 已被更正证书替代") % {"number": certificate.number}, code="conflict")
    return certificate


def certificate_correct(*, actor: User, certificate_id: int, reason: str, **changes: Any) -> RecordDraft:
    """Start the correction of a certificate: a draft prefilled with the old record and ``changes``, by the
    actor's own person as its verifier. It is submitted, checked and approved like any record
    (``services.drafts``); only its approval issues the new certificate, which supersedes the old one. Both stay
    visible; the old one shows as superseded with a link to the new one. Returns the draft."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写更正原因"), field="reason")
    unknown = set(changes) - CORRECTABLE
    if unknown:
        raise DomainError(_("这些内容不能更正：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        old = _certificate_for_change(actor, certificate_id)
        record = old.record
        values: dict[str, Any] = {
            "kind": record.kind,
            "performed_on": record.performed_on,
            "procedure_id": record.procedure_id,
            "standard_ids": list(record.standards_used.values_list("standard_id", flat=True)),
            "checker_id": record.checker_id,
            "approver_id": record.approver_id,
            "points": [
                {"label": p.label, "reference": p.reference, "indicated": p.indicated, "mpe": p.mpe}
                for p in record.points.all()
            ],
            "mpe_rule": record.mpe_rule,
            "unit": record.unit,
            "resolution": record.resolution,
            "expanded_uncertainty": record.expanded_uncertainty,
            "coverage_factor": record.coverage_factor,
            "place": record.place,
            "temperature": record.temperature,
            "humidity": record.humidity,
            "conditions": record.conditions,
        }
        values.update(changes)
        return correction_draft(actor=actor, certificate=old, reason=reason, values=values)


def certificate_revoke(*, actor: User, certificate_id: int, reason: str) -> CertificateRevocation:
    """Revoke a certificate, with a reason. The certificate stays visible, marked revoked. The revocation is
    signed (``documents.revocation_document``); its reason is not part of what is signed or shown publicly."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("撤销证书须填写原因"), field="reason")
    with transaction.atomic():
        certificate = _certificate_for_change(actor, certificate_id)
        revoked_at = clock.now()
        # Signed like the certificate: the public check believes only a revocation whose signature verifies.
        document = documents.revocation_document(certificate=certificate, revoked_at=revoked_at)
        signature, key_id = signing.sign_canonical(document, keys.signing_key())
        revocation = CertificateRevocation.objects.create(
            certificate=certificate,
            reason=reason[:500],
            revoked_at=revoked_at,
            revoked_by=actor,
            document=document,
            signature=signature,
            key_id=key_id,
        )
        audit.record(actor=actor, action="certificate.revoke", obj=certificate, changes={"reason": reason})
        signals.certificate_revoked.send(Certificate, certificate=certificate, revocation=revocation, actor=actor)
        _refresh_instrument(certificate.instrument, actor)
        return revocation
