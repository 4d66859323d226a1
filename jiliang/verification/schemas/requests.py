"""Pydantic in/out schemas of the one window's API (``/api/v1/requests``).

Amounts are strings with two decimals (``"30.00"``): a JSON number would lose cents in some clients.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from jiliang.core.web.schemas import Id, IsoDate, PageOut, PageQuery, by_name, text

from ..models import RequestItem, Service, ServiceRequest
from ..selectors.request_clock import Clock, clock_of
from ..selectors.requests import MAX_DUE_WITHIN_DAYS, MAX_ITEMS, TRANSITIONS

StatusCode = Literal[tuple(ServiceRequest.Status.values)]  # type: ignore[valid-type]
ServiceCode = Literal[tuple(Service.values)]  # type: ignore[valid-type]
PlaceCode = Literal[tuple(ServiceRequest.Place.values)]  # type: ignore[valid-type]
ActionCode = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]


# Dates a person could mean: the calendar and the database both need a sane year.
Day = Annotated[IsoDate, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class RequestListQuery(PageQuery):
    status: StatusCode | None = None
    late: bool = Field(False, description="只看超期未办的申请 / only requests past their limit")
    county: Id | None = Field(None, description="县（区）id")
    q: text(64) | None = Field(None, description="申请编号或使用单位名称 / number or owner name")  # type: ignore[valid-type]


class RequestIn(Schema):
    """A new request: ``instrument_ids`` or ``due_within_days`` (all own mandatory instruments due within that many
    days, overdue or never verified), not both."""

    instrument_ids: list[Id] | None = Field(None, max_length=MAX_ITEMS)
    due_within_days: int | None = Field(None, ge=0, le=MAX_DUE_WITHIN_DAYS)
    service: ServiceCode
    place: PlaceCode
    preferred_from: Day | None = None
    preferred_to: Day | None = None
    institute_id: Id | None = Field(None, description="不填则由系统推荐 / omitted: the proposed institute")
    contact: text(100) = ""  # type: ignore[valid-type]
    phone: text(40) = ""  # type: ignore[valid-type]
    note: text(500) = ""  # type: ignore[valid-type]


class ActionIn(Schema):
    """The body of an action; each action reads only its own fields:
    reject/return ``reason`` (required); withdraw ``reason``; schedule ``scheduled_on`` (required);
    accept/schedule/complete ``note``; resubmit any of ``note``, ``contact``, ``phone``, ``preferred_from``,
    ``preferred_to``, ``instrument_ids`` (fields left out are kept)."""

    reason: text(500) = ""  # type: ignore[valid-type]
    note: text(500) | None = None  # type: ignore[valid-type]
    scheduled_on: Day | None = None
    contact: text(100) | None = None  # type: ignore[valid-type]
    phone: text(40) | None = None  # type: ignore[valid-type]
    preferred_from: Day | None = None
    preferred_to: Day | None = None
    instrument_ids: list[Id] | None = Field(None, max_length=MAX_ITEMS)


class ClockOut(Schema):
    stage: Literal["accept", "work", "paused", "closed"]
    limit: date | None
    allowed: int | None
    used: int | None
    left: int | None
    late: bool
    closed_late: bool
    provisional: bool = Field(
        description="时限跨入节假日安排尚未确认（或未录入）的年份，为暂定 / the limit may move when that year's notice is entered"
    )
    provisional_years: list[int] = Field(description="尚未确认的年份 / the years not confirmed")
    provisional_note: str = Field(description="如“（暂定：2027年节假日安排尚未确认）”，不是暂定时为空")

    @staticmethod
    def of(state: Clock) -> ClockOut:
        return ClockOut.model_validate(state)  # the clock's fields, by name


class RecordRefOut(Schema):
    id: int
    performed_on: date
    conclusion: str
    certificate_ids: list[int]


class RequestItemOut(Schema):
    id: int
    instrument_id: int
    serial_number: str
    instrument_name: str
    catalog_item_code: str | None
    fee: str
    waived: str
    waiver_reason: str
    records: list[RecordRefOut]

    @staticmethod
    def of(item: RequestItem) -> RequestItemOut:
        instrument = item.instrument
        return RequestItemOut(
            id=item.pk,
            instrument_id=instrument.pk,
            serial_number=instrument.serial_number,
            instrument_name=instrument.name,
            catalog_item_code=instrument.catalog_item.code if instrument.catalog_item_id else None,
            fee=f"{item.fee:.2f}",
            waived=f"{item.waived:.2f}",
            waiver_reason=item.waiver_reason,
            records=[
                RecordRefOut(**by_name(RecordRefOut, r, certificate_ids=[c.pk for c in r.certificates.all()]))
                for r in item.records.all()
            ],
        )


class EventOut(Schema):
    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class RequestOut(Schema):
    id: int
    number: str
    status: StatusCode
    status_label: str
    owner_id: int
    owner_name: str
    region_id: int
    institute_id: int
    institute_name: str
    service: ServiceCode
    place: PlaceCode
    preferred_from: date | None
    preferred_to: date | None
    contact: str
    phone: str
    note: str
    reason: str
    submitted_at: datetime
    accepted_at: datetime | None
    scheduled_on: date | None
    started_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    accept_by: date
    complete_by: date | None
    fee_total: str
    fee_waived: str
    fee_payable: str
    clock: ClockOut
    deadline_provisional: bool = Field(
        description="当前时限为暂定（同 clock.provisional）/ the running limit is provisional"
    )
    item_count: int
    items: list[RequestItemOut] | None = Field(None, description="详情才有 / detail only")
    events: list[EventOut] | None = Field(None, description="详情才有 / detail only")

    @staticmethod
    def of(request: ServiceRequest, *, detail: bool = False) -> RequestOut:
        items = list(request.items.all()) if detail else None
        count = len(items) if items is not None else getattr(request, "item_count", None)
        if count is None:
            count = request.items.count()
        state = clock_of(request)
        return RequestOut(
            id=request.pk,
            number=request.number,
            status=request.status,
            status_label=str(request.get_status_display()),
            owner_id=request.owner_id,
            owner_name=request.owner.name,
            region_id=request.region_id,
            institute_id=request.institute_id,
            institute_name=request.institute.name,
            service=request.service,
            place=request.place,
            preferred_from=request.preferred_from,
            preferred_to=request.preferred_to,
            contact=request.contact,
            phone=request.phone,
            note=request.note,
            reason=request.reason,
            submitted_at=request.submitted_at,
            accepted_at=request.accepted_at,
            scheduled_on=request.scheduled_on,
            started_at=request.started_at,
            completed_at=request.completed_at,
            closed_at=request.closed_at,
            accept_by=request.accept_by,
            complete_by=request.complete_by,
            fee_total=f"{request.fee_total:.2f}",
            fee_waived=f"{request.fee_waived:.2f}",
            fee_payable=f"{request.fee_total - request.fee_waived:.2f}",
            clock=ClockOut.of(state),
            deadline_provisional=state.provisional,
            item_count=count,
            items=[RequestItemOut.of(i) for i in items] if items is not None else None,
            events=[
                EventOut(
                    at=e.at,
                    actor=e.actor.get_username() if e.actor_id else "system",
                    from_status=e.from_status,
                    to_status=e.to_status,
                    note=e.note,
                )
                for e in request.events.all()
            ]
            if detail
            else None,
        )


class RequestPageOut(PageOut):
    items: list[RequestOut]
