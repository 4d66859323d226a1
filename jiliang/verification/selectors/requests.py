"""Reads of service requests, scoped by role and region:

- admin: every request;
- regulator: the requests of owners in its region and below (a county regulator only its county's);
- institute: the requests routed to it;
- owner: its own requests.

And what a request would be before it is submitted (the institutes proposed for its instruments, the quote with
fees and waivers) and which actions an actor may take on one now; the transitions themselves are
``jiliang.verification.services.requests``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiliang.core import clock as core_clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import filter_given, scope_of, scoped
from jiliang.core.web.http import choice_param
from jiliang.instruments.models import Instrument
from jiliang.instruments.selectors import due_instruments
from jiliang.metrology import fees as fee_rules
from jiliang.standards.selectors.standards import authorized_institutes

from ..models import Certificate, FeeSchedule, RecordDraft, RequestItem, Service, ServiceRequest, VerificationRecord
from .request_clock import WORK_STATUSES

Status = ServiceRequest.Status

OPEN_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.SCHEDULED, Status.IN_WORK)
MAX_DUE_WITHIN_DAYS = 366
MAX_ITEMS = 2000


class NotAllowed(DomainError):
    """The actor sees the request but its role may not take this action (the API answers 403)."""


def requests_visible_to(user: User | None) -> QuerySet[ServiceRequest]:
    return scoped(ServiceRequest.objects.all(), user, region="region_id", owner="owner_id", institute="institute_id")


def late_q(today: date | None = None) -> Q:
    """Requests late today: still submitted after ``accept_by``, or accepted and not completed after
    ``complete_by`` (see ``jiliang.verification.selectors.request_clock``)."""
    today = today or core_clock.today()
    return Q(status=Status.SUBMITTED, accept_by__lt=today) | Q(status__in=WORK_STATUSES, complete_by__lt=today)


def request_get(user: User | None, request_id: int) -> ServiceRequest:
    """One request in the actor's scope, with its owner, institute, items (and their records and certificates)
    and events; missing and out-of-scope look the same."""
    records = VerificationRecord.objects.order_by("-performed_on", "-id").prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-issued_at", "-id"))
    )
    open_drafts = RecordDraft.objects.filter(status__in=RecordDraft.OPEN_STATUSES)
    items = (
        RequestItem.objects.select_related("instrument", "instrument__catalog_item")
        .prefetch_related(
            Prefetch("records", queryset=records),
            Prefetch("drafts", queryset=open_drafts.select_related("verifier"), to_attr="open_drafts"),
        )
        .order_by("id")
    )
    try:
        return (
            requests_visible_to(user)
            .select_related("owner", "region", "institute", "created_by")
            .prefetch_related(Prefetch("items", queryset=items), "events", "events__actor")
            .get(pk=request_id)
        )
    except (ServiceRequest.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("服务申请不存在")) from exc


@dataclass
class RequestFilters:
    status: str = ""
    late: bool = False
    county: int | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)


def parse_request_filters(params) -> RequestFilters:
    """Filters from a query dict; a bad value is reported, never silently dropped."""
    filters = RequestFilters()
    filters.status = choice_param(params.get("status"), Status.values, _("状态无效"), filters.errors)
    late = (params.get("late") or "").strip().lower()
    if late in {"1", "true", "on", "yes"}:
        filters.late = True
    elif late not in {"", "0", "false", "off", "no"}:
        filters.errors.append(_("超期筛选无效"))
    county = (params.get("county") or "").strip()
    if county:
        try:
            filters.county = int(county)
            if not 0 < filters.county < 2**31:
                raise ValueError
        except ValueError:
            filters.county = None
            filters.errors.append(_("县（区）无效"))
    filters.q = (params.get("q") or "").strip()[:64]
    return filters


def request_list(user: User | None, filters: RequestFilters, *, today: date | None = None) -> QuerySet[ServiceRequest]:
    qs = filter_given(requests_visible_to(user), status=filters.status, region_id=filters.county)
    if filters.late:
        qs = qs.filter(late_q(today))
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(owner__name__icontains=filters.q))
    return (
        qs.select_related("owner", "region", "institute")
        .annotate(item_count=Count("items"))
        .order_by("-submitted_at", "-id")
    )


def late_counts(user: User | None, *, today: date | None = None) -> dict[str, int]:
    """How many requests in the actor's scope are late today: ``accept`` (not accepted in time), ``complete``
    (not completed in time) and ``total``. The early-warning page reads this."""
    today = today or core_clock.today()
    # The WHERE keeps only the statuses the FILTERs count, so that an index on (institute, status) or (owner,
    # status) reads the open requests alone rather than every request the institute has ever had (10^5 at city
    # scale, bench/bench_queue.py).
    counts = (
        requests_visible_to(user)
        .filter(status__in=(Status.SUBMITTED, *WORK_STATUSES))
        .aggregate(
            accept=Count("id", filter=Q(status=Status.SUBMITTED, accept_by__lt=today)),
            complete=Count("id", filter=Q(status__in=WORK_STATUSES, complete_by__lt=today)),
        )
    )
    return {"accept": counts["accept"], "complete": counts["complete"], "total": counts["accept"] + counts["complete"]}


def late_counts_by_region(user: User | None, *, today: date | None = None) -> list[dict]:
    """Late requests per owner region (county) in the actor's scope: ``[{"region": id, "accept": n, "complete": n}]``."""
    today = today or core_clock.today()
    return list(
        requests_visible_to(user)
        .filter(late_q(today))
        .values("region")
        .annotate(
            accept=Count("id", filter=Q(status=Status.SUBMITTED)),
            complete=Count("id", filter=Q(status__in=WORK_STATUSES)),
        )
        .order_by("region")
    )


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
    note: str = ""  # why the item is free, or which price list its fee comes from


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
        # A free item needs no price: only charged items without a price list row are flagged.
        return [line.instrument for line in self.lines if not line.scheduled and not line.fee.reason]


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
        found = list(
            due_instruments(
                owner_id=owner.pk, due_by=today + timedelta(days=due_within_days), never_verified=True
            ).select_related("catalog_item")
        )
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
        not_in_use = [i for i in found if not i.may_be_verified]
        if not_in_use:
            raise DomainError(
                _("只能申请在用或检定不合格停用的计量器具：%(serials)s") % {"serials": _serials(not_in_use)},
                field="instrument_ids",
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


# The reason metrology writes on free mandatory verification, as a literal for the catalog (makemessages reads
# literals only); tests/verification/test_requests_fees.py keeps it equal to jiliang.metrology.fees.FREE_REASON.
FREE_REASON = gettext_noop("强制检定免费（财税〔2017〕20号，2017年4月1日起）")


@dataclass(frozen=True)
class ScheduledFee:
    amount: Decimal
    basis: str
    valid_from: date


def _schedule(item_ids: set[int], service: str, day: date) -> dict[int, ScheduledFee]:
    """The price list's row per catalog item for ``service``: the one with the latest ``valid_from`` on or before
    ``day``."""
    found: dict[int, ScheduledFee] = {}
    rows = (
        FeeSchedule.objects.filter(catalog_item_id__in=item_ids, service=service, valid_from__lte=day)
        .order_by("catalog_item_id", "valid_from")
        .values_list("catalog_item_id", "amount", "basis", "valid_from")
    )
    for item_id, amount, basis, valid_from in rows:
        found[item_id] = ScheduledFee(amount, basis, valid_from)
    return found


def fee_note(fee: fee_rules.ItemFee, scheduled: ScheduledFee | None) -> str:
    """What the page says beside an item's fee: the rule that makes it free or waives it, else the price list
    (its basis and the date it took effect) the amount comes from, else that the price list has no row."""
    if fee.reason:
        return _(fee.reason)
    if scheduled is not None:
        since = date_format(scheduled.valid_from, "DATE_FORMAT")
        if scheduled.basis:
            return _("按收费标准：%(basis)s（%(since)s起执行）") % {"basis": scheduled.basis, "since": since}
        return _("按收费标准（%(since)s起执行）") % {"since": since}
    return _("收费标准中没有该项目，按 0 元预计，以检定机构核定为准")


def request_fee_notes(request: ServiceRequest) -> dict[int, str]:
    """Per item of ``request``: :func:`fee_note` with the price list in force on the day the request was
    submitted (the day its fees were computed). The item's stored reason comes first, so a free or waived item
    keeps the reason written when it was submitted."""
    items = list(request.items.all())
    day = core_clock.local_date(request.submitted_at)
    instruments = Instrument.objects.filter(pk__in=[i.instrument_id for i in items]).values_list(
        "pk", "catalog_item_id"
    )
    item_of = dict(instruments)
    scheduled = _schedule({c for c in item_of.values() if c}, request.service, day)
    notes = {}
    for item in items:
        catalog_item_id = item_of.get(item.instrument_id)
        row = scheduled.get(catalog_item_id) if catalog_item_id else None
        notes[item.pk] = fee_note(fee_rules.ItemFee(item.fee, item.waived, item.waiver_reason), row)
    return notes


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
    schedule = _schedule({i.catalog_item_id for i in instruments if i.catalog_item_id}, service, day)
    lines = []
    for instrument in instruments:
        row = schedule.get(instrument.catalog_item_id) if instrument.catalog_item_id else None
        result = fee_rules.item_fee(
            row.amount if row else None,
            service=service,
            mandatory=instrument.mandatory,
            category=owner.category,
            day=day,
        )
        lines.append(
            QuoteLine(instrument=instrument, fee=result, scheduled=row is not None, note=fee_note(result, row))
        )
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
    """What submitting would give: instruments, fees by the rule of ``day`` (free mandatory verification from
    2017-04-01, the Fuxin waiver before, the price list otherwise: ``jiliang.metrology.fees``), proposals, the
    institute, and any problem."""
    _check_service(service)
    owner = _owner_of(actor)
    day = day or core_clock.today()
    return _quote(owner, _pick(owner, instrument_ids, due_within_days, day), service, institute_id, day)


# ---- actions ---------------------------------------------------------------------------------------------------

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
