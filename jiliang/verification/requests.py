"""The one window (一个受理窗口, 网上审批): an owner's request for verification or calibration, and its handling.

Every transition runs in one transaction, writes a ``RequestEvent`` (who, when, from, to, why) and an audit event.

::

    submitted ──accept──▶ accepted ──schedule──▶ scheduled ──start──▶ in_work ──complete──▶ completed
        │  ▲                  └───────────start──────────────────────▲
        │  └─resubmit── returned ◀──return── submitted
        ├──reject──▶ rejected
        └──withdraw─▶ withdrawn   (also from returned)

The owner submits, resubmits and withdraws; the institute the request is routed to does everything else. The
statutory clock is ``jiliang.verification.clock``; fees and the Fuxin plan's waiver are
``jiliang.metrology.fees``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core import clock as core_clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of
from jiliang.instruments.models import Instrument
from jiliang.metrology import fees as fee_rules
from jiliang.standards.selectors import authorized_institutes

from . import clock
from .models import FeeSchedule, RequestEvent, RequestItem, Service, ServiceRequest
from .request_selectors import requests_visible_to

Status = ServiceRequest.Status

OPEN_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.SCHEDULED, Status.IN_WORK)
MAX_DUE_WITHIN_DAYS = 366
MAX_ITEMS = 2000


class NotAllowed(DomainError):
    """The actor sees the request but its role may not take this action (the API answers 403)."""


_UNSET: Any = object()


# ---- proposals and quotes --------------------------------------------------------------------------------------


@dataclass
class ProposalOption:
    institute: Organization
    instrument_ids: list[int]


@dataclass
class Proposals:
    """Institutes authorized for the instruments: per instrument, and as options ordered by how many they cover.

    ``proposed`` covers the most instruments (ties: by name); ``uncovered`` lists instruments no institute in the
    owner's county or city is authorized for."""

    per_instrument: dict[int, list[Organization]]
    options: list[ProposalOption]
    proposed: Organization | None
    uncovered: list[Instrument]

    def covers_all(self, institute_id: int) -> bool:
        return all(any(o.pk == institute_id for o in found) for found in self.per_instrument.values())


@dataclass
class QuoteLine:
    instrument: Instrument
    fee: fee_rules.ItemFee
    scheduled: bool  # whether the fee schedule has a row for the instrument's item and the service


@dataclass
class Quote:
    """What a request would be: its instruments with fees and waivers, the proposals and the institute chosen;
    ``problems`` are the reasons it could not be submitted as it stands (field, message)."""

    owner: Organization
    service: str
    lines: list[QuoteLine]
    proposals: Proposals
    institute: Organization | None
    fee_total: Decimal
    fee_waived: Decimal
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def payable(self) -> Decimal:
        return self.fee_total - self.fee_waived

    @property
    def unscheduled(self) -> list[Instrument]:
        return [line.instrument for line in self.lines if not line.scheduled]


def _owner_of(actor: User | None) -> Organization:
    scope = scope_of(actor)
    if not scope.is_owner or scope.organization_id is None:
        raise NotAllowed(_("只有使用单位可以申请检定"))
    return Organization.objects.select_related("region").get(pk=scope.organization_id)


def _in_open_request(instrument_ids: list[int], *, exclude_request_id: int | None = None) -> set[int]:
    qs = RequestItem.objects.filter(instrument_id__in=instrument_ids, request__status__in=OPEN_STATUSES)
    if exclude_request_id is not None:
        qs = qs.exclude(request_id=exclude_request_id)
    return set(qs.values_list("instrument_id", flat=True))


def _serials(instruments: list[Instrument]) -> str:
    shown = "、".join(i.serial_number for i in instruments[:10])
    return shown + ("等" if len(instruments) > 10 else "")


def due_instruments(owner_id: int, within_days: int, *, today: date | None = None):
    """The owner's in-use mandatory instruments due within ``within_days`` days, overdue, or never verified."""
    today = today or core_clock.today()
    return Instrument.objects.filter(
        Q(due_on__lte=today + timedelta(days=within_days)) | Q(last_verification__isnull=True),
        owner_id=owner_id,
        mandatory__in=[True],
        status=Instrument.Status.IN_USE,
    )


def _pick(
    owner: Organization,
    instrument_ids: list[int] | None,
    due_within_days: int | None,
    today: date,
    *,
    exclude_request_id: int | None = None,
) -> list[Instrument]:
    if (instrument_ids is None) == (due_within_days is None):
        raise DomainError(_("请选择器具，或选择“N 天内到期的全部强检器具”"), field="instrument_ids")
    if due_within_days is not None:
        if not 0 <= due_within_days <= MAX_DUE_WITHIN_DAYS:
            raise DomainError(_("天数应在 0 到 %(max)s 之间") % {"max": MAX_DUE_WITHIN_DAYS}, field="due_within_days")
        found = list(due_instruments(owner.pk, due_within_days, today=today).select_related("catalog_item"))
        busy = _in_open_request([i.pk for i in found], exclude_request_id=exclude_request_id)
        found = [i for i in found if i.pk not in busy]
        if not found:
            raise DomainError(
                _("%(n)s 天内没有到期且未在办理中的强检器具") % {"n": due_within_days}, field="due_within_days"
            )
    else:
        ids = list(dict.fromkeys(instrument_ids))
        if not ids:
            raise DomainError(_("请至少选择一台计量器具"), field="instrument_ids")
        if len(ids) > MAX_ITEMS:
            raise DomainError(_("一次最多申请 %(max)s 台器具") % {"max": MAX_ITEMS}, field="instrument_ids")
        found = list(Instrument.objects.filter(owner_id=owner.pk, pk__in=ids).select_related("catalog_item"))
        if len(found) != len(ids):
            raise NotFoundOrForbidden(_("计量器具不存在"), field="instrument_ids")
        not_in_use = [i for i in found if i.status != Instrument.Status.IN_USE]
        if not_in_use:
            raise DomainError(
                _("只能申请在用的计量器具：%(serials)s") % {"serials": _serials(not_in_use)}, field="instrument_ids"
            )
        busy = _in_open_request(ids, exclude_request_id=exclude_request_id)
        if busy:
            clash = [i for i in found if i.pk in busy]
            raise DomainError(
                _("以下器具已在办理中的申请里：%(serials)s") % {"serials": _serials(clash)},
                field="instrument_ids",
                code="conflict",
            )
    if len(found) > MAX_ITEMS:
        raise DomainError(_("一次最多申请 %(max)s 台器具") % {"max": MAX_ITEMS}, field="instrument_ids")
    return sorted(found, key=lambda i: i.pk)


def _proposals_for(owner: Organization, instruments: list[Instrument], day: date) -> Proposals:
    per_instrument: dict[int, list[Organization]] = {}
    cache: dict[int, list[Organization]] = {}
    for instrument in instruments:
        item_id = instrument.catalog_item_id
        if item_id is None:
            per_instrument[instrument.pk] = []
            continue
        if item_id not in cache:
            cache[item_id] = authorized_institutes(item_id, owner.region_id, day)
        per_instrument[instrument.pk] = cache[item_id]
    coverage: Counter[int] = Counter()
    institutes: dict[int, Organization] = {}
    covered_ids: dict[int, list[int]] = {}
    for instrument_id, found in per_instrument.items():
        for institute in found:
            coverage[institute.pk] += 1
            institutes[institute.pk] = institute
            covered_ids.setdefault(institute.pk, []).append(instrument_id)
    order = sorted(institutes, key=lambda pk: (-coverage[pk], institutes[pk].name, pk))
    options = [ProposalOption(institutes[pk], covered_ids[pk]) for pk in order]
    uncovered = [i for i in instruments if not per_instrument[i.pk]]
    return Proposals(
        per_instrument=per_instrument,
        options=options,
        proposed=options[0].institute if options else None,
        uncovered=uncovered,
    )


def _schedule(item_ids: set[int], service: str, day: date) -> dict[int, Decimal]:
    """The amount per catalog item for ``service``: the row with the latest ``valid_from`` on or before ``day``."""
    amounts: dict[int, Decimal] = {}
    rows = (
        FeeSchedule.objects.filter(catalog_item_id__in=item_ids, service=service, valid_from__lte=day)
        .order_by("catalog_item_id", "valid_from")
        .values_list("catalog_item_id", "amount")
    )
    for item_id, amount in rows:
        amounts[item_id] = amount
    return amounts


def _check_service(service: str) -> None:
    if service not in Service.values:
        raise DomainError(_("服务类别无效"), field="service")


def _quote(
    owner: Organization,
    instruments: list[Instrument],
    service: str,
    institute_id: int | None,
    day: date,
) -> Quote:
    proposals = _proposals_for(owner, instruments, day)
    amounts = _schedule({i.catalog_item_id for i in instruments if i.catalog_item_id}, service, day)
    lines = []
    for instrument in instruments:
        amount = amounts.get(instrument.catalog_item_id) if instrument.catalog_item_id else None
        result = fee_rules.item_fee(amount, service=service, mandatory=instrument.mandatory, category=owner.category)
        lines.append(QuoteLine(instrument=instrument, fee=result, scheduled=amount is not None))
    total, waived = fee_rules.totals([line.fee for line in lines])
    problems: list[tuple[str, str]] = []
    institute: Organization | None
    if proposals.uncovered:
        problems.append(
            (
                "instrument_ids",
                _("以下器具在本县（区）和本市都没有经授权的检定机构：%(serials)s")
                % {"serials": _serials(proposals.uncovered)},
            )
        )
    if institute_id is not None:
        institute = next((o.institute for o in proposals.options if o.institute.pk == institute_id), None)
        if institute is None or not proposals.covers_all(institute_id):
            problems.append(("institute", _("所选检定机构未获授权检定所有所选器具")))
    else:
        institute = proposals.proposed
        if institute is not None and not proposals.uncovered and not proposals.covers_all(institute.pk):
            problems.append(("institute", _("没有一家检定机构获授权检定所有所选器具，请按机构分开申请")))
    return Quote(
        owner=owner,
        service=service,
        lines=lines,
        proposals=proposals,
        institute=institute,
        fee_total=total,
        fee_waived=waived,
        problems=problems,
    )


def request_proposals(
    *,
    actor: User,
    instrument_ids: list[int] | None = None,
    due_within_days: int | None = None,
    day: date | None = None,
) -> Proposals:
    """Institutes authorized for each instrument in the owner's county (falling back to the city)."""
    owner = _owner_of(actor)
    day = day or core_clock.today()
    return _proposals_for(owner, _pick(owner, instrument_ids, due_within_days, day), day)


def request_quote(
    *,
    actor: User,
    service: str,
    instrument_ids: list[int] | None = None,
    due_within_days: int | None = None,
    institute_id: int | None = None,
    day: date | None = None,
) -> Quote:
    """What submitting would give: instruments, fees with the waiver, proposals, the institute, and any problem."""
    _check_service(service)
    owner = _owner_of(actor)
    day = day or core_clock.today()
    return _quote(owner, _pick(owner, instrument_ids, due_within_days, day), service, institute_id, day)


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
        today = timezone.localdate(now)
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
            accept_by=clock.accept_by(today),
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
            changes={
                "number": request.number,
                "institute": quote.institute.pk,
                "service": service,
                "place": place,
                "instruments": [line.instrument.pk for line in quote.lines],
                "fee_total": str(quote.fee_total),
                "fee_waived": str(quote.fee_waived),
                "accept_by": request.accept_by.isoformat(),
            },
        )
    return request


# ---- transitions ----------------------------------------------------------------------------------------------

OWNER = "owner"
INSTITUTE = "institute"

# action: (states it may start from, who takes it)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((Status.SUBMITTED,), INSTITUTE),
    "reject": ((Status.SUBMITTED,), INSTITUTE),
    "return": ((Status.SUBMITTED,), INSTITUTE),
    "resubmit": ((Status.RETURNED,), OWNER),
    "withdraw": ((Status.SUBMITTED, Status.RETURNED), OWNER),
    "schedule": ((Status.ACCEPTED, Status.SCHEDULED), INSTITUTE),
    "start": ((Status.ACCEPTED, Status.SCHEDULED), INSTITUTE),
    "complete": ((Status.IN_WORK,), INSTITUTE),
}


def action_label(action: str) -> str:
    labels = {
        "accept": _("受理"),
        "reject": _("不予受理"),
        "return": _("退回补正"),
        "resubmit": _("重新提交"),
        "withdraw": _("撤回"),
        "schedule": _("排期"),
        "start": _("开始检定"),
        "complete": _("办结"),
    }
    return labels[action]


def allowed_actions(actor: User | None, request: ServiceRequest) -> list[str]:
    """The actions ``actor`` may take on ``request`` now (for the buttons; the services check again)."""
    scope = scope_of(actor)
    role = (
        INSTITUTE
        if scope.is_institute and request.institute_id == scope.organization_id
        else OWNER
        if scope.is_owner and request.owner_id == scope.organization_id
        else None
    )
    return [a for a, (states, who) in TRANSITIONS.items() if who == role and request.status in states]


def _load(actor: User, request_id: int, action: str) -> ServiceRequest:
    try:
        request = requests_visible_to(actor).select_for_update().filter(pk=request_id).first()
    except (ValueError, TypeError, OverflowError):
        request = None
    if request is None:
        raise NotFoundOrForbidden(_("服务申请不存在"))
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
    return request


def request_accept(*, actor: User, request_id: int, note: str = "") -> ServiceRequest:
    with transaction.atomic():
        request = _load(actor, request_id, "accept")
        now = core_clock.now()
        return _move(
            actor,
            request,
            "accept",
            Status.ACCEPTED,
            event_note=_clean_text(note, "note", 500),
            accepted_at=now,
            complete_by=clock.complete_by(timezone.localdate(now)),
            reason="",
        )


def request_reject(*, actor: User, request_id: int, reason: str) -> ServiceRequest:
    text = _reason(reason)
    with transaction.atomic():
        request = _load(actor, request_id, "reject")
        return _move(
            actor, request, "reject", Status.REJECTED, event_note=text, reason=text, closed_at=core_clock.now()
        )


def request_return(*, actor: User, request_id: int, reason: str) -> ServiceRequest:
    """退回补正: the request goes back to its owner with what to correct; the accept clock stops."""
    text = _reason(reason)
    with transaction.atomic():
        request = _load(actor, request_id, "return")
        return _move(actor, request, "return", Status.RETURNED, event_note=text, reason=text)


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
            accept_by=clock.accept_by(today),
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
    with transaction.atomic():
        request = _load(actor, request_id, "schedule")
        return _move(
            actor,
            request,
            "schedule",
            Status.SCHEDULED,
            event_note=_clean_text(note, "note", 500),
            scheduled_on=scheduled_on,
        )


def request_start(*, actor: User, request_id: int) -> ServiceRequest:
    with transaction.atomic():
        request = _load(actor, request_id, "start")
        return _move(actor, request, "start", Status.IN_WORK, started_at=core_clock.now())


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
