"""Pydantic schemas of the supervision API: inspections on the spot and rectification."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from jiliang.core.web.schemas import MAX_ID, PageOut, PageQuery, RefOut, text

from ..models import Inspection, Rectification


class FindingOut(Schema):
    code: str
    text: str
    compliant: bool | None = Field(description="未填写为 null / null while not answered")
    note: str
    basis: str = Field(description="法律依据编码 / the legal basis cited, by code")


class InstrumentCheckOut(Schema):
    instrument: RefOut
    serial_number: str
    due_state: str = Field(
        description="检查当日的检定状态 / verification status on the day: valid | due_soon | overdue | never | na"
    )
    due_on: date | None
    seal_intact: bool | None


class TestDrawOut(Schema):
    __test__ = False

    label: str
    instrument_id: int | None
    indicated: Decimal
    actual: Decimal
    mpe_percent: Decimal
    error_percent: Decimal = Field(
        description="（示值 − 实际值）÷ 实际值 × 100，修约到 0.001 / relative error in percent"
    )
    passed: bool


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


class InspectionOut(Schema):
    id: int
    number: str
    organization: RefOut
    region: RefOut
    inspected_on: date
    status: str
    status_label: str
    result: str | None = Field(description="检查结果类别编码 / result category code")
    result_label: str
    task_id: int | None
    campaign_id: int | None
    publish_due: date | None

    @staticmethod
    def from_row(row: Inspection, results: dict[str, str]) -> dict[str, Any]:
        return {
            "id": row.pk,
            "number": row.number,
            "organization": {"id": row.organization_id, "name": row.organization.name},
            "region": {"id": row.region_id, "name": row.region.name},
            "inspected_on": row.inspected_on,
            "status": row.status,
            "status_label": str(row.get_status_display()),
            "result": row.result_id,
            "result_label": results.get(row.result_id or "", ""),
            "task_id": row.task_id,
            "campaign_id": row.campaign_id,
            "publish_due": row.publish_due,
        }


class InspectionPageOut(PageOut):
    items: list[InspectionOut]


class InspectionDetailOut(InspectionOut):
    bureau: RefOut
    inspectors: list[str] = Field(description="执法证号 / the officers' certificate numbers")
    summary: str
    submitted_at: datetime | None
    findings: list[FindingOut]
    instruments: list[InstrumentCheckOut]
    test_draws: list[TestDrawOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def from_inspection(row: Inspection, results: dict[str, str]) -> dict[str, Any]:
        return {
            **InspectionOut.from_row(row, results),
            "bureau": {"id": row.bureau_id, "name": row.bureau.name},
            "inspectors": sorted(row.inspectors.values_list("certificate_number", flat=True)),
            "summary": row.summary,
            "submitted_at": row.submitted_at,
            "findings": [
                {
                    "code": f.code,
                    "text": f.text,
                    "compliant": f.compliant,
                    "note": f.note,
                    "basis": f.basis.code if f.basis_id else "",
                }
                for f in row.findings.select_related("basis")
            ],
            "instruments": [
                {
                    "instrument": {"id": c.instrument_id, "name": c.instrument.name},
                    "serial_number": c.instrument.serial_number,
                    "due_state": c.due_state,
                    "due_on": c.due_on,
                    "seal_intact": c.seal_intact,
                }
                for c in row.instrument_checks.select_related("instrument")
            ],
            "test_draws": [
                {
                    "label": d.label,
                    "instrument_id": d.instrument_id,
                    "indicated": d.indicated,
                    "actual": d.actual,
                    "mpe_percent": d.mpe_percent,
                    "error_percent": d.error_percent,
                    "passed": d.passed,
                }
                for d in row.test_draws.all()
            ],
            "attachments": [
                {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
                for a in row.attachments.order_by("uploaded_at")
            ],
        }


class InspectionListQuery(PageQuery):
    status: str | None = Field(None, max_length=16)
    result: str | None = Field(None, max_length=32)
    campaign: int | None = Field(None, ge=1, le=MAX_ID)
    task: int | None = Field(None, ge=1, le=MAX_ID)
    county: int | None = Field(None, ge=1, le=MAX_ID)


class RectificationOut(Schema):
    id: int
    number: str
    organization: RefOut
    inspection: RefOut
    status: str
    status_label: str
    ordered_on: date
    deadline: date
    overdue: bool = Field(description="逾期未回复 / past its deadline without a reply")
    replied_at: datetime | None

    @staticmethod
    def from_row(row: Rectification, overdue: bool) -> dict[str, Any]:
        return {
            "id": row.pk,
            "number": row.number,
            "organization": {"id": row.organization_id, "name": row.organization.name},
            "inspection": {"id": row.inspection_id, "name": row.inspection.number},
            "status": row.status,
            "status_label": str(row.get_status_display()),
            "ordered_on": row.ordered_on,
            "deadline": row.deadline,
            "overdue": overdue,
            "replied_at": row.replied_at,
        }


class RectificationPageOut(PageOut):
    items: list[RectificationOut]


class RectificationDetailOut(RectificationOut):
    bureau: RefOut
    requirement: str
    bases: list[str] = Field(description="法律依据编码 / legal bases by code")
    reply: str
    recheck_on: date | None
    recheck_note: str
    attachments: list[AttachmentOut]

    @staticmethod
    def from_rectification(row: Rectification, overdue: bool) -> dict[str, Any]:
        return {
            **RectificationOut.from_row(row, overdue),
            "bureau": {"id": row.bureau_id, "name": row.bureau.name},
            "requirement": row.requirement,
            "bases": sorted(row.bases.values_list("code", flat=True)),
            "reply": row.reply,
            "recheck_on": row.recheck_on,
            "recheck_note": row.recheck_note,
            "attachments": [
                {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
                for a in row.attachments.order_by("uploaded_at")
            ],
        }


class RectificationListQuery(PageQuery):
    status: str | None = Field(None, max_length=16)
    overdue: bool = False
    county: int | None = Field(None, ge=1, le=MAX_ID)


class ReplyIn(Schema):
    reply: text(5000, min_length=1)  # type: ignore[valid-type]
