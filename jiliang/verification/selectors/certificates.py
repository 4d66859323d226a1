"""Reads of certificates, scoped by role and region; and a certificate's standing on a day."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scoped

from ..models import Certificate


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    SUPERSEDED = "superseded", _("已被替代")
    REVOKED = "revoked", _("已撤销")
    # A notice of failed verification states a result; it certifies nothing that could expire.
    FAILED = "failed", _("检定不合格")
    NOT_FOUND = "not_found", _("未找到")


def certificates_visible_to(user: User | None) -> QuerySet[Certificate]:
    """Owners see their certificates, institutes those they issued, regulators those of their region."""
    return scoped(Certificate.objects.all(), user, region="region_id", owner="owner_id", institute="institute_id")


def certificate_get(user: User | None, certificate_id: int) -> Certificate:
    certificate = (
        certificates_visible_to(user)
        .select_related("institute", "owner", "instrument__catalog_item", "record", "supersedes")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        raise NotFoundOrForbidden(_("证书不存在"))
    return certificate


def certificate_status(certificate: Certificate, today: date) -> str:
    """Revoked, then superseded, then (for a notice of failure) failed, then expired past its valid-until date,
    else valid. Reads the revocation and the superseding certificate (two small queries, or none when they
    were loaded with select_related/prefetch)."""
    if _has(certificate, "revocation"):
        return CertificateStatus.REVOKED
    if _has(certificate, "superseded_by"):
        return CertificateStatus.SUPERSEDED
    if certificate.kind == Certificate.Kind.FAILURE_NOTICE:
        return CertificateStatus.FAILED
    if certificate.valid_until is not None and certificate.valid_until < today:
        return CertificateStatus.EXPIRED
    return CertificateStatus.VALID


def _has(certificate: Certificate, relation: str) -> bool:
    try:
        getattr(certificate, relation)
    except models.ObjectDoesNotExist:
        return False
    return True


def superseding(certificate: Certificate) -> Certificate | None:
    try:
        return certificate.superseded_by
    except Certificate.DoesNotExist:
        return None


def status_q(status: str, today: date) -> Q:
    """The certificates whose ``certificate_status(c, today)`` is ``status``, as a query (the same rule, for lists)."""
    standing = Q(revocation__isnull=True, superseded_by__isnull=True)
    not_failed = ~Q(kind=Certificate.Kind.FAILURE_NOTICE)
    return {
        CertificateStatus.REVOKED: Q(revocation__isnull=False),
        CertificateStatus.SUPERSEDED: Q(revocation__isnull=True, superseded_by__isnull=False),
        CertificateStatus.FAILED: standing & Q(kind=Certificate.Kind.FAILURE_NOTICE),
        CertificateStatus.EXPIRED: standing & not_failed & Q(valid_until__lt=today),
        CertificateStatus.VALID: standing & not_failed & (Q(valid_until__isnull=True) | Q(valid_until__gte=today)),
    }.get(status, Q())
