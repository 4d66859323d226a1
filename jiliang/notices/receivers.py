"""Receivers of verification's signals (``jiliang/verification/signals.py``), connected by ``NoticesConfig.ready``.

Each turns an event the owner cares about into one stored notice (``owner_notices.owner_notice_record``), written
in the service's transaction and delivered after it commits. The rest (submit, resubmit, withdraw, start) are
ignored: the owner did them itself, or they tell it nothing it must act on.
"""

from __future__ import annotations

from typing import Any

from jiliang.core.models import User
from jiliang.verification.models import Certificate, CertificateRevocation, ServiceRequest

from . import owner_notices


def on_request_changed(
    sender: Any, *, request: ServiceRequest, action: str, reason: str = "", actor: User | None = None, **kwargs: Any
) -> None:
    if action not in owner_notices.REQUEST_KINDS:
        return
    owner_notices.owner_notice_record(lambda: owner_notices.request_draft(request, action, reason or ""))


def on_certificate_issued(sender: Any, *, certificate: Certificate, actor: User | None = None, **kwargs: Any) -> None:
    owner_notices.owner_notice_record(lambda: owner_notices.certificate_draft(certificate))


def on_certificate_revoked(
    sender: Any,
    *,
    certificate: Certificate,
    revocation: CertificateRevocation,
    actor: User | None = None,
    **kwargs: Any,
) -> None:
    owner_notices.owner_notice_record(lambda: owner_notices.revocation_draft(certificate, revocation))


def connect() -> None:
    from jiliang.verification import signals

    signals.request_changed.connect(on_request_changed, dispatch_uid="notices.owner.request_changed")
    signals.certificate_issued.connect(on_certificate_issued, dispatch_uid="notices.owner.certificate_issued")
    signals.certificate_revoked.connect(on_certificate_revoked, dispatch_uid="notices.owner.certificate_revoked")
