"""Pydantic schemas of the people API (``/api/v1/people``, ``/api/v1/qualifications``).

Personal data (masked ID number, phone, hire date) sits in its own object, ``personal``, that is ``null`` for a
caller who may not see it (:func:`jiliang.people.selectors.may_see_personal`); the full ID number is never stored
and so can never be sent.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from jiliang.core.web.schemas import MAX_ID, PageOut, PageQuery, text

from .models import Person, Qualification
from .selectors import EXPIRING_WITHIN_DAYS

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
TitleCode = Literal[tuple(Person.Title.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(Qualification.Kind.values)]  # type: ignore[valid-type]
MAX_DAYS = 3650


class IdNameOut(Schema):
    id: int
    name: str


class PersonalOut(Schema):
    id_number_masked: str = Field(description="身份证号（前 6 位和后 4 位，其余为 *）/ masked ID number")
    phone: str
    hired_on: date | None


class ScopeItemOut(Schema):
    id: int
    code: str
    name: str


class QualificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    grade: str
    number: str
    issued_on: date
    valid_until: date
    catalog_items: list[ScopeItemOut]
    procedures: list[ScopeItemOut]
    scope_note: str

    @staticmethod
    def from_qualification(q: Qualification) -> dict[str, Any]:
        """Expects ``catalog_items`` and ``procedures`` prefetched."""
        return {
            "id": q.pk,
            "kind": q.kind,
            "kind_label": str(q.get_kind_display()),
            "grade": q.grade,
            "number": q.number,
            "issued_on": q.issued_on,
            "valid_until": q.valid_until,
            "catalog_items": [{"id": i.pk, "code": i.code, "name": i.kind} for i in q.catalog_items.all()],
            "procedures": [{"id": p.pk, "code": p.code, "name": p.name} for p in q.procedures.all()],
            "scope_note": q.scope_note,
        }


class PersonOut(Schema):
    id: int
    name: str
    organization: IdNameOut
    title: str
    title_label: str
    left_on: date | None
    qualifications: list[QualificationOut]
    personal: PersonalOut | None = Field(
        description="个人信息；无权查看时为 null / personal data, null for callers who may not see it"
    )

    @staticmethod
    def from_person(person: Person, *, personal: bool) -> dict[str, Any]:
        return {
            "id": person.pk,
            "name": person.name,
            "organization": {"id": person.organization_id, "name": person.organization.name},
            "title": person.title,
            "title_label": str(person.get_title_display()),
            "left_on": person.left_on,
            "qualifications": [QualificationOut.from_qualification(q) for q in person.qualifications.all()],
            "personal": (
                {"id_number_masked": person.id_number_masked, "phone": person.phone, "hired_on": person.hired_on}
                if personal
                else None
            ),
        }


class PersonPageOut(PageOut):
    items: list[PersonOut]


class PersonListQuery(PageQuery):
    organization: Id | None = Field(None, description="单位 id")
    title: TitleCode | None = None
    kind: KindCode | None = Field(None, description="持有此类资质的人员 / staff holding this kind")
    expiring_within: int | None = Field(
        None,
        ge=0,
        le=MAX_DAYS,
        description="持有 N 天内到期资质的人员 / staff with a qualification ending within N days",
    )
    q: text(50) | None = Field(None, description="姓名")  # type: ignore[valid-type]


class QualificationListQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=500)
    expiring_within: int = Field(
        EXPIRING_WITHIN_DAYS,
        ge=0,
        le=MAX_DAYS,
        description="今天起 N 天内到期（含今天）/ valid today and ending within N days, today included",
    )
    kind: KindCode | None = None
    organization: Id | None = None


class QualificationRowOut(QualificationOut):
    person: IdNameOut
    organization: IdNameOut
    days_left: int


class QualificationPageOut(PageOut):
    items: list[QualificationRowOut]
