"""Pydantic schemas of the case API: a case with its clocks and documents, and the inputs of its acts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from jiliang.core.web.schemas import MAX_ID, IsoDate, PageOut, PageQuery, RefOut, text

from ..models import Case, CaseDocument

MONEY = {"ge": 0, "max_digits": 14, "decimal_places": 2}


class CaseClockOut(Schema):
    code: str
    label: str
    article: str = Field(description="依据的法律条款 / the article the limit comes from")
    deadline: date | None = Field(description="期限中止时为空 / empty while a pause holds the clock")
    state: str = Field(description="ok / near / due_today / overdue / paused / done")
    days_left: int
    met_on: date | None
    late: bool
    pause_reasons: list[str]
    provisional_years: list[int]


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: date
    sha256: str
    supersedes: int | None
    url: str

    @staticmethod
    def from_document(document: CaseDocument) -> dict[str, Any]:
        from django.urls import reverse

        return {
            "id": document.pk,
            "kind": document.kind,
            "number": document.number,
            "issued_on": document.issued_on,
            "sha256": document.sha256,
            "supersedes": document.supersedes_id,
            "url": reverse("supervision:case_document", args=[document.pk]),
        }


class CaseListOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    source: str
    party: RefOut
    region: RefOut
    clue_received_on: date
    filed_on: date | None
    decided_on: date | None

    @staticmethod
    def from_case(case: Case) -> dict[str, Any]:
        return {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "status_label": str(case.get_status_display()),
            "source": case.source,
            "party": {"id": case.party_id, "name": case.party.name},
            "region": {"id": case.region_id, "name": case.region.name},
            "clue_received_on": case.clue_received_on,
            "filed_on": case.filed_on,
            "decided_on": case.decided_on,
        }


class CaseOut(CaseListOut):
    bureau: RefOut
    penalty: str
    fine: Decimal | None
    confiscated: Decimal | None
    notified_on: date | None
    served_on: date | None
    paid_on: date | None
    closed_on: date | None
    clocks: list[CaseClockOut] = Field(description="员工可见 / staff only; empty for the party")
    documents: list[DocumentOut]


class CasePageOut(PageOut):
    items: list[CaseListOut]


class CaseListQuery(PageQuery):
    status: Literal[tuple(Case.Status.values)] | None = None  # type: ignore[valid-type]
    source: Literal[tuple(Case.Source.values)] | None = None  # type: ignore[valid-type]
    county: int | None = Field(None, ge=1, le=MAX_ID)


class CaseOpenIn(Schema):
    party_id: int = Field(..., ge=1, le=MAX_ID)
    source: Literal[tuple(Case.Source.values)]  # type: ignore[valid-type]
    summary: text(5000, min_length=1)  # type: ignore[valid-type]
    clue_received_on: IsoDate
    inspection_id: int | None = Field(None, ge=1, le=MAX_ID)
    rectification_id: int | None = Field(None, ge=1, le=MAX_ID)


class CaseFileIn(Schema):
    filed_on: IsoDate
    officer_ids: list[int] = Field(..., min_length=2, max_length=20)
    basis_codes: list[text(32, min_length=1)] = Field(..., min_length=1, max_length=20)  # type: ignore[valid-type]


class PenaltyIn(Schema):
    penalty: Literal[tuple(Case.Penalty.values)]  # type: ignore[valid-type]
    fine: Decimal | None = Field(None, **MONEY)
    confiscated: Decimal | None = Field(None, **MONEY)
    facts: text(5000) = ""  # type: ignore[valid-type]


class CaseNotifyIn(PenaltyIn):
    notified_on: IsoDate


class CaseDecideIn(PenaltyIn):
    decided_on: IsoDate


class CaseServeIn(Schema):
    served_on: IsoDate
    method: Literal["direct", "mail", "electronic", "left", "announcement"]
    recipient: text(100) = ""  # type: ignore[valid-type]


class CaseRevokeIn(Schema):
    reason: text(2000, min_length=1)  # type: ignore[valid-type]
