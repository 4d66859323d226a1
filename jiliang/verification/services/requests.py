"""The one window (一个受理窗口, 网上审批): an owner's request for verification or calibration, and its handling.

Every transition runs in one transaction, writes a ``RequestEvent`` (who, when, from, to, why) and an audit event.

::

    submitted ──accept──▶ accepted ──schedule──▶ scheduled ──start──▶ in_work ──complete──▶ completed
        │  ▲                  └───────────start──────────────────────▲
        │  └─resubmit── returned ◀──return── submitted
        ├──reject──▶ rejected
        └──withdraw─▶ withdrawn   (also from returned)

The owner submits, resubmits and withdraws; the institute the request is routed to does everything else. The
statutory clock is ``jiliang.verification.selectors.request_clock``; fees and the Fuxin plan's waiver are
``jiliang.metrology.fees``; what a request would be before it is submitted (proposals, quote) and who may take which
action are read in ``jiliang.verification.selectors.requests``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core import clock as core_clock
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization, User
from jiliang.core.selectors import locked_one, scope_of
from jiliang.instruments.models import Instrument

from .. import signals
from ..models import RequestEvent, RequestItem, ServiceRequest
from ..selectors import request_clock
from ..selectors.requests import (
    INSTITUTE,
    OWNER,
    TRANSITIONS,
    NotAllowed,
    Quote,
    _check_service,
    _owner_of,
    _pick,
    _quote,
    _serials,
    action_label,
    requests_visible_to,
)

Status = ServiceRequest.Status

_UNSET: Any = object()


# ---- submission -----------------------------------------------------------------------------------------------


def _clean_text(value: str | None, name: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError(_("最多 %(limit)s 个字符") % {"limit": limit}, field=name)
    return text


def _check_dates(preferred_from: date | None, preferred_to: date | None) -> None:
    if preferred_from and preferred_to and preferred_to < preferred_from:
        raise DomainError(_("期望结束日期不能早于期望开始日期"), field="preferred_to")


def _lock_submissions() -> None:
    # Two submissions must neither take the same sequence number nor put one instrument into two open requests
    # (the check and the insert must not interleave). SQLite holds its write lock from BEGIN.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(727005)")


def _next_number(year: int) -> str:
    prefix = f"SQ-{year}-"
    last = (
        ServiceRequest.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
    ).first()
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def _event(request: ServiceRequest, actor: User | None, from_status: str, note: str = "") -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, at=core_clock.now(), actor=actor, from_status=from_status, to_status=request.status, note=note
    )


def _write_items(request: ServiceRequest, quote: Quote) -> None:
    RequestItem.objects.bulk_create(
        [
            RequestItem(
                request=request,
                instrument=line.instrument,
                fee=line.fee.fee,
                waived=line.fee.waived,
                waiver_reason=line.fee.reason,
            )
            for line in quote.lines
        ]
    )


def request_submit(
    *,
    actor: User,
    service: str,
    place: str,
    instrument_ids: list[int] | None = None,
    due_within_days: int | None = None,
    preferred_from: date | None = None,
    preferred_to: date | None = None,
    institute_id: int | None = None,
    contact: str = "",
    phone: str = "",
    note: str = "",
) -> ServiceRequest:
    """An owner asks for verification or calibration of its own in-use instruments (listed, or "all mandatory
    instruments due within N days or overdue"). The request goes to ``institute_id`` when that institute is
    authorized for every instrument, else to the proposal; each item carries its fee and waiver."""
    _check_service(service)
    if place not in ServiceRequest.Place.values:
        raise DomainError(_("检定方式无效"), field="place")
    _check_dates(preferred_from, preferred_to)
    contact = _clean_text(contact, "contact", 100)
    phone = _clean_text(phone, "phone", 40)
    note = _clean_text(note, "note", 500)
    with transaction.atomic():
        owner = _owner_of(actor)
        _lock_submissions()
        now = core_clock.now()
        today = core_clock.local_date(now)
        quote = _quote(owner, _pick(owner, instrument_ids, due_within_days, today), service, institute_id, today)
        if quote.problems:
            raise DomainError(quote.problems[0][1], errors=quote.problems)
        if quote.institute is None:
            raise DomainError(_("没有可受理的检定机构"), field="institute")
        request = ServiceRequest.objects.create(
            number=_next_number(today.year),
            owner=owner,
            region_id=owner.region_id,
            institute=quote.institute,
            service=service,
            place=place,
            preferred_from=preferred_from,
            preferred_to=preferred_to,
            contact=contact or owner.contact,
            phone=phone or owner.phone,
            note=note,
            status=Status.SUBMITTED,
            submitted_at=now,
            accept_by=request_clock.accept_by(today),
            fee_total=quote.fee_total,
            fee_waived=quote.fee_waived,
            created_by=actor,
        )
        _write_items(request, quote)
        _event(request, actor, "")
        audit.record(
            actor=actor,
            action="request.submit",
            obj=request,
            changes=audit.values(
                request, "number", "institute", "service", "place", "fee_total", "fee_waived", "accept_by"
            )
            | {"instruments": [line.instrument.pk for line in quote.lines]},
        )
    return request


# ---- transitions ----------------------------------------------------------------------------------------------


def _load(actor: User, request_id: int, action: str) -> ServiceRequest:
    request = locked_one(requests_visible_to(actor), request_id, _("服务申请不存在"))
    states, who = TRANSITIONS[action]
    scope = scope_of(actor)
    if who == INSTITUTE and not (scope.is_institute and request.institute_id == scope.organization_id):
        raise NotAllowed(_("只有受理该申请的检定机构可以%(action)s") % {"action": action_label(action)})
    if who == OWNER and not (scope.is_owner and request.owner_id == scope.organization_id):
        raise NotAllowed(_("只有提出申请的使用单位可以%(action)s") % {"action": action_label(action)})
    if request.status not in states:
        raise DomainError(
            _("申请当前状态为“%(status)s”，不能%(action)s")
            % {"status": request.get_status_display(), "action": action_label(action)},
            code="conflict",
        )
    return request


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("请填写原因"), field="reason")
    if len(text) > 500:
        raise DomainError(_("最多 %(limit)s 个字符") % {"limit": 500}, field="reason")
    return text


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _move(
    actor: User, request: ServiceRequest, action: str, to_status: str, *, event_note: str = "", **fields: Any
) -> ServiceRequest:
    from_status = request.status
    request.status = to_status
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()
    _event(request, actor, from_status, event_note)
    changes: dict[str, Any] = {"status": [from_status, to_status]}
    changes.update({k: _plain(v) for k, v in fields.items()})
    if event_note:
        changes["event_note"] = event_note
    audit.record(actor=actor, action=f"request.{action}", obj=request, changes=changes)
    signals.request_changed.send(ServiceRequest, request=request, action=action, reason=event_note, actor=actor)
    return request


def _act(actor: User, request_id: int, action: str, to_status: str, *, note: str = "", **fields: Any) -> ServiceRequest:
    """In one transaction: the request the actor may ``action``, moved to ``to_status`` with ``fields``; ``note``
    (checked once the request is found) goes on the event."""
    with transaction.atomic():
        request = _load(actor, request_id, action)
        return _move(actor, request, action, to_status, event_note=_clean_text(note, "note", 500), **fields)


def request_accept(*, actor: User, request_id: int, note: str = "") -> ServiceRequest:
    now = core_clock.now()
    complete_by = request_clock.complete_by(core_clock.local_date(now))
    return _act(
        actor, request_id, "accept", Status.ACCEPTED, note=note, accepted_at=now, complete_by=complete_by, reason=""
    )


def request_reject(*, actor: User, request_id: int, reason: str) -> ServiceRequest:
    text = _reason(reason)
    return _act(actor, request_id, "reject", Status.REJECTED, note=text, reason=text, closed_at=core_clock.now())


def request_return(*, actor: User, request_id: int, reason: str) -> ServiceRequest:
    """退回补正: the request goes back to its owner with what to correct; the accept clock stops."""
    text = _reason(reason)
    return _act(actor, request_id, "return", Status.RETURNED, note=text, reason=text)


def request_resubmit(
    *,
    actor: User,
    request_id: int,
    note: str | None = _UNSET,
    contact: str | None = _UNSET,
    phone: str | None = _UNSET,
    preferred_from: date | None = _UNSET,
    preferred_to: date | None = _UNSET,
    instrument_ids: list[int] | None = _UNSET,
) -> ServiceRequest:
    """The owner, having corrected what it was asked to, submits again; the accept clock restarts today. Fields
    not given are kept; a new instrument list replaces the items (fees recomputed, the same institute must be
    authorized for all of them)."""
    with transaction.atomic():
        request = _load(actor, request_id, "resubmit")
        fields: dict[str, Any] = {}
        for name, value, limit in (("note", note, 500), ("contact", contact, 100), ("phone", phone, 40)):
            if value is not _UNSET:
                fields[name] = _clean_text(value, name, limit)
        for name, value in (("preferred_from", preferred_from), ("preferred_to", preferred_to)):
            if value is not _UNSET:
                fields[name] = value
        _check_dates(
            fields.get("preferred_from", request.preferred_from), fields.get("preferred_to", request.preferred_to)
        )
        today = core_clock.today()
        if instrument_ids is not _UNSET and instrument_ids is not None:
            _lock_submissions()
            owner = Organization.objects.select_related("region").get(pk=request.owner_id)
            instruments = _pick(owner, list(instrument_ids), None, today, exclude_request_id=request.pk)
            quote = _quote(owner, instruments, request.service, request.institute_id, today)
            if quote.problems:
                raise DomainError(quote.problems[0][1], errors=quote.problems)
            request.items.all().delete()
            _write_items(request, quote)
            fields.update(fee_total=quote.fee_total, fee_waived=quote.fee_waived)
            fields["instruments"] = [line.instrument.pk for line in quote.lines]
        instruments_changed = fields.pop("instruments", None)
        moved = _move(
            actor,
            request,
            "resubmit",
            Status.SUBMITTED,
            accept_by=request_clock.accept_by(today),
            **fields,
        )
        if instruments_changed is not None:
            audit.record(actor=actor, action="request.items", obj=moved, changes={"instruments": instruments_changed})
        return moved


def request_withdraw(*, actor: User, request_id: int, reason: str = "") -> ServiceRequest:
    with transaction.atomic():
        request = _load(actor, request_id, "withdraw")
        text = _clean_text(reason, "reason", 500)
        return _move(actor, request, "withdraw", Status.WITHDRAWN, event_note=text, closed_at=core_clock.now())


def request_schedule(*, actor: User, request_id: int, scheduled_on: date, note: str = "") -> ServiceRequest:
    if not isinstance(scheduled_on, date):
        raise DomainError(_("请输入日期（YYYY-MM-DD）"), field="scheduled_on")
    if scheduled_on < core_clock.today():
        raise DomainError(_("安排日期不能早于今天"), field="scheduled_on")
    return _act(actor, request_id, "schedule", Status.SCHEDULED, note=note, scheduled_on=scheduled_on)


def request_start(*, actor: User, request_id: int) -> ServiceRequest:
    return _act(actor, request_id, "start", Status.IN_WORK, started_at=core_clock.now())


def request_complete(*, actor: User, request_id: int, note: str = "") -> ServiceRequest:
    """办结: refused while an instrument of the request has no verification record."""
    with transaction.atomic():
        request = _load(actor, request_id, "complete")
        missing = list(
            Instrument.objects.filter(
                pk__in=RequestItem.objects.filter(request=request, records__isnull=True).values("instrument_id")
            ).order_by("pk")
        )
        if missing:
            raise DomainError(
                _("以下器具尚无检定记录，不能办结：%(serials)s") % {"serials": _serials(missing)}, code="conflict"
            )
        now = core_clock.now()
        return _move(
            actor,
            request,
            "complete",
            Status.COMPLETED,
            event_note=_clean_text(note, "note", 500),
            completed_at=now,
            closed_at=now,
        )


ACTIONS = {
    "accept": request_accept,
    "reject": request_reject,
    "return": request_return,
    "resubmit": request_resubmit,
    "withdraw": request_withdraw,
    "schedule": request_schedule,
    "start": request_start,
    "complete": request_complete,
}
