"""Pydantic schemas of the standards API (``/api/v1/standards``, ``/api/v1/authorizations``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from jiliang.catalog.schemas import CatalogItemRefOut
from jiliang.core.web.schemas import Id, IsoDate, PageOut, PageQuery, RefOut, by_name, text

from ..models import Authorization, EquipmentCertificate, Standard, StandardEquipment

LevelCode = Literal[tuple(Standard.Level.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Standard.Status.values)]  # type: ignore[valid-type]


class StandardListQuery(PageQuery):
    holder: Id | None = Field(None, description="建标单位 id / holder institute id")
    level: LevelCode | None = None
    is_public: bool | None = Field(None, description="社会公用计量标准 / public standard")
    is_highest: bool | None = Field(None, description="最高计量标准 / highest standard")
    status: StatusCode | None = None
    valid: bool | None = Field(None, description="在 valid_on 当天是否有效 / valid on valid_on (default today)")
    valid_on: IsoDate | None = Field(None, description="判断有效性的日期，默认今天；同时决定每项的 valid / the day")
    reassessment_due: bool = Field(False, description="考核证书六个月内到期（待复查）/ re-assessment due")
    q: text(100) | None = Field(  # type: ignore[valid-type]
        None, description="名称、代码或测量参数 / name, code or quantity"
    )


class AuthorityRefOut(Schema):
    id: int
    name: str
    level: str


class IssuerStandardOut(Schema):
    id: int
    name: str
    code: str
    holder: RefOut


class CertificateOut(Schema):
    id: int
    number: str
    issued_on: date
    valid_until: date
    result: str
    uncertainty: str
    issuer_standard: IssuerStandardOut | None = Field(description="系统内出具证书的计量标准 / issuing standard")
    issuer_authority: AuthorityRefOut | None = Field(description="外部溯源机构 / external issuing authority")
    in_force: bool = Field(description="在 valid_on 当天有效 / in force on the day asked")

    @staticmethod
    def from_certificate(c: EquipmentCertificate, day: date) -> CertificateOut:
        issuer = c.issuer_standard
        issuer_standard = None
        if issuer:
            holder = RefOut(id=issuer.holder_id, name=issuer.holder.name)
            issuer_standard = IssuerStandardOut(**by_name(IssuerStandardOut, issuer, holder=holder))
        authority = AuthorityRefOut.model_validate(c.issuer_authority) if c.issuer_authority else None
        return CertificateOut(
            **by_name(
                CertificateOut,
                c,
                issuer_standard=issuer_standard,
                issuer_authority=authority,
                in_force=c.issued_on <= day <= c.valid_until,
            )
        )


class EquipmentOut(Schema):
    id: int
    role: str
    name: str
    model: str
    serial_number: str
    manufacturer: str
    certificates: list[CertificateOut]

    @staticmethod
    def from_equipment(e: StandardEquipment, day: date) -> EquipmentOut:
        certificates = [CertificateOut.from_certificate(c, day) for c in e.certificates.all()]
        return EquipmentOut(**by_name(EquipmentOut, e, certificates=certificates))


class ValidityOut(Schema):
    on: date = Field(description="判断日期 / the day judged")
    valid: bool
    reasons: list[str] = Field(description="无效的原因（代码）/ reason codes")
    messages: list[str] = Field(description="无效的原因（文字）/ reasons in words")


class StandardOut(Schema):
    id: int
    holder: RefOut
    region: RefOut
    name: str
    code: str
    measurand: str
    measuring_range: str
    uncertainty: str
    is_public: bool
    is_highest: bool
    level: LevelCode
    status: StatusCode
    certificate_number: str
    certificate_issued_on: date
    certificate_valid_until: date
    established_on: date | None
    validity: ValidityOut


class StandardDetailOut(StandardOut):
    catalog_items: list[CatalogItemRefOut]
    procedures: list[str] = Field(description="规程规范编号 / procedure codes")
    equipment: list[EquipmentOut]


class StandardPageOut(PageOut):
    items: list[StandardOut]


class AuthorizationListQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=500)
    institute: Id | None = Field(None, description="被授权机构 id / institute id")
    in_force_on: IsoDate | None = Field(None, description="只列出该日有效的授权 / only those in force that day")


class AuthorizationOut(Schema):
    id: int
    number: str
    institute: RefOut
    issued_by: RefOut
    catalog_items: list[CatalogItemRefOut]
    valid_from: date
    valid_until: date
    revoked_on: date | None
    in_force_today: bool

    @staticmethod
    def from_authorization(a: Authorization, today: date, in_force: bool) -> AuthorizationOut:
        return AuthorizationOut(
            **by_name(
                AuthorizationOut,
                a,
                institute=RefOut(id=a.institute_id, name=a.institute.name),
                issued_by=RefOut(id=a.issued_by_id, name=a.issued_by.name),
                catalog_items=[CatalogItemRefOut.model_validate(i) for i in a.catalog_items.all()],
                in_force_today=in_force,
            )
        )


class AuthorizationPageOut(PageOut):
    items: list[AuthorizationOut]
