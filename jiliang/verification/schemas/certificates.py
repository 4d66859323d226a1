"""Schemas of the certificate API (``jiliang.verification.api.certificates``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from jiliang.core import clock
from jiliang.core.web.schemas import Id, IsoDate, PageOut, by_name

from ..models import Certificate
from ..selectors import certificates as selectors

KINDS = Literal["verification", "failure_notice", "calibration"]
STATUSES = Literal["valid", "expired", "superseded", "revoked", "failed"]


class IssuedCertificateOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    issued_on: date
    valid_until: date | None
    instrument_id: int
    instrument_name: str
    serial_number: str
    owner_id: int
    owner_name: str
    institute_id: int
    institute_name: str
    supersedes: str | None = Field(None, description="替代的证书编号 / the number this certificate supersedes")
    superseded_by: str | None = Field(None, description="替代本证书的证书编号 / the superseding certificate's number")
    revocation_reason: str | None = None
    key_id: str

    @classmethod
    def from_certificate(cls, c: Certificate, today: date | None = None) -> IssuedCertificateOut:
        status = selectors.certificate_status(c, today or clock.today())
        newer = selectors.superseding(c)
        revocation = getattr(c, "revocation", None) if status == selectors.CertificateStatus.REVOKED else None
        return cls(
            **by_name(
                IssuedCertificateOut,
                c,
                kind_label=str(c.get_kind_display()),
                status=status,
                status_label=str(selectors.CertificateStatus(status).label),
                instrument_name=c.instrument.name,
                serial_number=c.instrument.serial_number,
                owner_name=c.owner.name,
                institute_name=c.institute.name,
                supersedes=c.document.get("supersedes"),
                superseded_by=newer.number if newer else None,
                revocation_reason=revocation.reason if revocation else None,
            )
        )


class IssuedCertificateDetailOut(IssuedCertificateOut):
    document: dict[str, Any] = Field(description="签名的规范化证书内容 / the signed canonical document (version 1)")
    signature: str

    @classmethod
    def from_certificate(cls, c: Certificate, today: date | None = None) -> IssuedCertificateDetailOut:
        base = IssuedCertificateOut.from_certificate(c, today)
        return cls(**base.model_dump(), document=c.document, signature=c.signature)


class CertificatePageOut(PageOut):
    items: list[IssuedCertificateOut]


class CertificateListQuery(Schema):
    kind: KINDS | None = None
    status: STATUSES | None = None
    q: str | None = Field(None, max_length=64, description="证书编号或出厂编号（包含） / number or serial contains")
    issued_from: IsoDate | None = None
    issued_to: IsoDate | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


class PointIn(Schema):
    label: str = Field("", max_length=100)
    reference: Decimal
    indicated: Decimal
    mpe: Decimal | None = None


class CorrectIn(Schema):
    """A correction: the reason and only the fields that change (the rest is taken from the certificate)."""

    reason: str = Field(..., min_length=1, max_length=500)
    performed_on: IsoDate | None = None
    procedure_id: Id | None = None
    standard_ids: list[Id] | None = None
    checker_id: Id | None = None
    approver_id: Id | None = None
    points: list[PointIn] | None = Field(None, min_length=1, max_length=200)
    unit: str | None = Field(None, max_length=32)
    resolution: str | None = Field(None, max_length=32)
    expanded_uncertainty: str | None = Field(None, max_length=100)
    coverage_factor: Decimal | None = Field(None, gt=0, max_digits=4, decimal_places=2)
    place: str | None = Field(None, max_length=200)
    temperature: str | None = Field(None, max_length=32)
    humidity: str | None = Field(None, max_length=32)
    conditions: str | None = Field(None, max_length=300)

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"reason"}, exclude_unset=True)
        if "points" in values and values["points"] is not None:
            values["points"] = [{k: v for k, v in p.items() if v is not None} for p in values["points"]]
        return {k: v for k, v in values.items() if v is not None}


class CorrectionDraftOut(Schema):
    """A correction as started: a draft that its verifier (the caller's own person) submits, its checker checks
    and its approver approves, each by their own login, on the record pages; its approval issues the certificate
    that supersedes ``corrects``."""

    id: int
    status: str
    corrects: str
    verifier: str
    checker: str | None
    approver: str | None
    page: str

    @classmethod
    def from_draft(cls, draft: Any) -> CorrectionDraftOut:
        return cls(
            id=draft.pk,
            status=draft.status,
            corrects=draft.corrects.number,
            verifier=draft.verifier.name,
            checker=draft.checker.name if draft.checker else None,
            approver=draft.approver.name if draft.approver else None,
            page=f"/records/{draft.pk}/",
        )


class RevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)
