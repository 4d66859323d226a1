"""The early-warning center (计量预警): one list of what needs action and who must act.

Six kinds, each read through the selectors of the app that owns the records, so every row is scoped exactly like
that app's own pages (a county regulator its county, a city regulator every county, an institute its own records,
an owner its own instruments, the admin everything, anyone else nothing):

- ``overdue_instruments``: in-use mandatory instruments past their due date, one row per owner (and region), who
  acts: the owner. Rows: one GROUP BY over ``instruments_visible_to`` on the due index; the home page's count comes
  from the due tally (``jiliang.instruments.tally``), never from the registry.
- ``failed_unresolved``: instruments stopped as failed (停用（检定不合格）: their latest platform verification
  failed, ``Instrument.stopped_as_failed``) for ``settings.JILIANG_FAILED_RESOLVE_DAYS`` days or more (default 30)
  since that verification, neither verified again with a pass (which puts them back in use) nor scrapped (either
  ends the stop), one row per owner (and region). Who acts: the owner.
- ``standard_expiring``: a standard's assessment certificate (考核证书) expiring within the warning window (one row
  per standard), and the traceability certificates of its equipment (one row per standard counting the pieces
  whose latest certificate expires within the window; a piece recalibrated since is not counted). Retired
  standards are left out. Who acts: the holder institute.
- ``qualification_expiring``: qualifications expiring within the window (``people.selectors.expiring_q``), one
  row each; staff who have left are left out. Who acts: the person's organization.
- ``request_late``: service requests past their statutory limit (``request_selectors.late_q``), one row each.
  Who acts: the institute the request is routed to.
- ``recall``: certificates to recall for a suspended standard (a standard is suspended when found out of
  tolerance). The rule: the suspension day is the day of the latest audit event that set the standard to
  "suspended" (today when there is none, e.g. data loaded outside the services). Each piece of its equipment had
  its last good calibration at its latest certificate issued on or before that day; since any piece may be the one
  out of tolerance, the suspect window starts at the earliest of those dates (the assessment certificate's issue
  date when a piece has no certificate by then) and ends today. The count is what the recall list
  (``jiliang.verification.selectors.recall``) gives for that window: instrument certificates plus equipment certificates
  down the chain. A suspended standard with nothing to recall gives no row. Who acts: the holder institute.

Which kinds an actor gets: the admin and regulators all six; an institute the four about its own standards,
staff, routed requests and recalls; an owner its overdue and its failed instruments only (the rest is for others
to act on).

Counts (:func:`warning_counts`, the tiles): per kind, the sum of the rows' counts — instruments (overdue, failed),
certificates
(assessment certificates plus pieces of equipment), qualifications, requests, certificates to recall.

The window is ``settings.JILIANG_WARNING_DAYS`` (default 90), read at call time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet, TextChoices
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import clock
from jiliang.core.models import AuditEvent, Organization, Region, User
from jiliang.core.selectors import scope_of
from jiliang.instruments import tally
from jiliang.instruments.models import FAILED, Instrument
from jiliang.instruments.selectors import STOPPED_AS_FAILED, due_state_q, instruments_visible_to
from jiliang.people.models import Qualification
from jiliang.people.selectors import expiring_q, qualifications_visible_to
from jiliang.standards.models import EquipmentCertificate, Standard, StandardEquipment
from jiliang.standards.selectors.standards import reassessment_due_q, standards_visible_to
from jiliang.verification.models import ServiceRequest
from jiliang.verification.selectors.recall import recall
from jiliang.verification.selectors.requests import late_counts, late_counts_by_region, late_q, requests_visible_to

DEFAULT_WARNING_DAYS = 90
DEFAULT_FAILED_RESOLVE_DAYS = 30


class WarningKind(TextChoices):
    OVERDUE_INSTRUMENTS = "overdue_instruments", gettext_lazy("已超期计量器具")
    FAILED_UNRESOLVED = "failed_unresolved", gettext_lazy("检定不合格逾期未处理")
    STANDARD_EXPIRING = "standard_expiring", gettext_lazy("计量标准证书即将到期")
    QUALIFICATION_EXPIRING = "qualification_expiring", gettext_lazy("人员资质即将到期")
    REQUEST_LATE = "request_late", gettext_lazy("服务申请超时")
    RECALL = "recall", gettext_lazy("待召回证书")
    RESULTS_UNPUBLISHED = "results_unpublished", gettext_lazy("抽查结果逾期未公示")
    RECTIFICATION_OVERDUE = "rectification_overdue", gettext_lazy("责令改正逾期未整改")


ORDER = {kind: n for n, kind in enumerate(WarningKind.values)}


def warning_days() -> int:
    return int(getattr(settings, "JILIANG_WARNING_DAYS", DEFAULT_WARNING_DAYS))


def failed_resolve_days() -> int:
    return int(getattr(settings, "JILIANG_FAILED_RESOLVE_DAYS", DEFAULT_FAILED_RESOLVE_DAYS))


# The kinds about the owners' own instruments: an owner gets these, an institute never does.
OWNER_KINDS = (WarningKind.OVERDUE_INSTRUMENTS.value, WarningKind.FAILED_UNRESOLVED.value)
# Supervision's kinds: for regulators; an owner gets its own overdue rectification orders (it must reply).
SUPERVISION_KINDS = (WarningKind.RESULTS_UNPUBLISHED.value, WarningKind.RECTIFICATION_OVERDUE.value)


def kinds_for(user: User | None) -> list[str]:
    """The kinds of warning the actor gets (see the module docstring), in display order."""
    scope = scope_of(user)
    if scope.is_admin or (scope.is_regulator and scope.region_ids):
        return list(WarningKind.values)
    if scope.organization_id is None:
        return []
    if scope.is_institute:
        return [k for k in WarningKind.values if k not in OWNER_KINDS and k not in SUPERVISION_KINDS]
    if scope.is_owner:
        return [*OWNER_KINDS, WarningKind.RECTIFICATION_OVERDUE.value]
    return []


@dataclass
class WarningRow:
    kind: str
    what: str
    region_id: int | None
    region: str
    count: int
    actor: str  # the organization that must act
    actor_role: str  # in what capacity: owner, holder, the person's organization, the routed institute
    due: date | None  # the due or expiry date (recall: the day the standard was suspended)
    url: str

    @property
    def kind_label(self) -> str:
        return str(WarningKind(self.kind).label)

    @property
    def badge(self) -> str:
        """Past a date (overdue, late, to recall) in red; about to expire in amber (the due-state badge colours)."""
        expiring = (WarningKind.STANDARD_EXPIRING, WarningKind.QUALIFICATION_EXPIRING)
        return "due-due_soon" if self.kind in expiring else "due-overdue"


@dataclass
class WarningList:
    rows: list[WarningRow]
    # Per kind the actor gets, plus "total", for the county asked about (all kinds, whatever ``kind`` was asked).
    counts: dict[str, int]
    today: date
    days: int
    kinds: list[str] = field(default_factory=list)

    @property
    def tiles(self) -> list[Tile]:
        return tiles(self.counts)


@dataclass
class Tile:
    kind: str
    label: str
    count: int
    url: str


def tiles(counts: dict[str, int]) -> list[Tile]:
    """One tile per kind in ``counts`` (the kinds the actor gets), linking to the list filtered by that kind."""
    base = reverse("warnings:list")
    return [
        Tile(kind=k, label=str(WarningKind(k).label), count=counts[k], url=f"{base}?{urlencode({'kind': k})}")
        for k in WarningKind.values
        if k in counts
    ]


def _region_names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return dict(Region.objects.filter(pk__in=wanted).values_list("id", "name")) if wanted else {}


# ---- overdue instruments ----------------------------------------------------------------------------------------


def _overdue_instruments(user: User | None, county: int | None, today: date) -> QuerySet[Instrument]:
    scope = scope_of(user)
    qs = instruments_visible_to(user).filter(
        due_state_q(Instrument.DueState.OVERDUE, today=today, owner_scoped=scope.is_owner)
    )
    return qs.filter(region_id=county) if county else qs


def _rows_by_owner(
    instruments: QuerySet[Instrument],
    *,
    county: int | None,
    kind: str,
    what: Callable[[int], str],
    since_field: str,
    query: dict[str, str],
    allowed: timedelta = timedelta(0),
) -> list[WarningRow]:
    """One row per owner and county of ``instruments``, counted, with the earliest ``since_field`` plus ``allowed``
    as the row's date and a link to the register filtered by ``query``, that owner (and the county asked for)."""
    grouped = list(
        instruments.values("owner_id", "region_id").annotate(n=Count("id"), earliest=Min(since_field)).order_by()
    )
    owners = dict(Organization.objects.filter(pk__in={g["owner_id"] for g in grouped}).values_list("id", "name"))
    regions = _region_names({g["region_id"] for g in grouped})
    list_url = reverse("instruments:list")
    rows = []
    for g in grouped:
        link: dict[str, object] = {"owner": g["owner_id"], **query}
        if county:
            link["county"] = county
        rows.append(
            WarningRow(
                kind=kind,
                what=what(g["n"]),
                region_id=g["region_id"],
                region=regions.get(g["region_id"], ""),
                count=g["n"],
                actor=owners.get(g["owner_id"], ""),
                actor_role=_("使用单位"),
                due=g["earliest"] + allowed,
                url=f"{list_url}?{urlencode(link)}",
            )
        )
    return rows


def _rows_overdue(user: User | None, county: int | None, today: date) -> list[WarningRow]:
    return _rows_by_owner(
        _overdue_instruments(user, county, today),
        county=county,
        kind=WarningKind.OVERDUE_INSTRUMENTS,
        what=lambda n: _("%(n)s 台（件）在用强检器具超过检定有效期") % {"n": n},
        since_field="due_on",
        query={"due_state": Instrument.DueState.OVERDUE.value},
    )


def _count_overdue(user: User | None, county: int | None, today: date) -> int:
    scope = scope_of(user)
    if scope.is_admin or scope.is_regulator:
        regions = scope.region_ids
        if county:
            if regions is not None and county not in regions:
                return 0
            regions = frozenset({county})
        by_region = tally.due_state_counts_by_region(regions, today=today, soon_days=settings.JILIANG_DUE_SOON_DAYS)
        return sum(r["overdue"] for r in by_region)
    # An owner: one index range on (owner, mandatory, status, due_on).
    return _overdue_instruments(user, county, today).count()


# ---- failed instruments neither verified again nor scrapped -----------------------------------------------------


def _failed_unresolved(user: User | None, county: int | None, today: date) -> QuerySet[Instrument]:
    """Stopped as failed on or before ``today`` minus the days allowed: a stop ends only by a pass or scrapping."""
    since = today - timedelta(days=failed_resolve_days())
    qs = instruments_visible_to(user).filter(STOPPED_AS_FAILED, stopped_on__lte=since)
    return qs.filter(region_id=county) if county else qs


def _rows_failed(user: User | None, county: int | None, today: date) -> list[WarningRow]:
    days = failed_resolve_days()
    return _rows_by_owner(
        _failed_unresolved(user, county, today),
        county=county,
        kind=WarningKind.FAILED_UNRESOLVED,
        what=lambda n: (
            _("%(n)s 台（件）器具检定不合格停用已满 %(days)s 天，仍未重新检定合格或报废") % {"n": n, "days": days}
        ),
        since_field="stopped_on",
        query={"status": FAILED},
        # The day the earliest of them should have been dealt with.
        allowed=timedelta(days=days),
    )


def _count_failed(user: User | None, county: int | None, today: date) -> int:
    return _failed_unresolved(user, county, today).count()


# ---- standards --------------------------------------------------------------------------------------------------


def _standards(user: User | None, county: int | None) -> QuerySet[Standard]:
    qs = standards_visible_to(user)
    return qs.filter(holder__region_id=county) if county else qs


def _assessment_due(user: User | None, county: int | None, today: date, days: int) -> QuerySet[Standard]:
    return _standards(user, county).filter(reassessment_due_q(today=today, within_days=days))


def _equipment_expiring(user: User | None, county: int | None, today: date, days: int) -> dict[int, list[date]]:
    """Standard id → the latest expiry of each of its pieces of equipment whose latest certificate ends within the
    window (one GROUP BY over the certificates of the standards in scope)."""
    standards = _standards(user, county).exclude(status=Standard.Status.RETIRED)
    rows = (
        EquipmentCertificate.objects.filter(equipment__standard__in=standards)
        .values("equipment_id", "equipment__standard_id")
        .annotate(last=Max("valid_until"))
        .filter(last__gte=today, last__lte=today + timedelta(days=days))
        .order_by()
    )
    found: dict[int, list[date]] = defaultdict(list)
    for row in rows:
        found[row["equipment__standard_id"]].append(row["last"])
    return found


def _standard_row(standard: Standard, what: str, count: int, due: date, regions: dict[int, str]) -> WarningRow:
    return WarningRow(
        kind=WarningKind.STANDARD_EXPIRING,
        what=what,
        region_id=standard.holder.region_id,
        region=regions.get(standard.holder.region_id, ""),
        count=count,
        actor=standard.holder.name,
        actor_role=_("建标单位"),
        due=due,
        url=reverse("standards:detail", args=[standard.pk]),
    )


def _rows_standards(user: User | None, county: int | None, today: date, days: int) -> list[WarningRow]:
    assessed = list(_assessment_due(user, county, today, days).select_related("holder"))
    equipment = _equipment_expiring(user, county, today, days)
    with_equipment = {s.pk: s for s in Standard.objects.filter(pk__in=list(equipment)).select_related("holder")}
    regions = _region_names(
        {s.holder.region_id for s in assessed} | {s.holder.region_id for s in with_equipment.values()}
    )
    rows = [
        _standard_row(
            s,
            _("%(standard)s 的考核证书（%(number)s）即将到期") % {"standard": s, "number": s.certificate_number},
            1,
            s.certificate_valid_until,
            regions,
        )
        for s in assessed
    ]
    for standard_id, ends in equipment.items():
        s = with_equipment[standard_id]
        rows.append(
            _standard_row(
                s,
                _("%(standard)s 有 %(n)s 台标准设备的溯源证书即将到期") % {"standard": s, "n": len(ends)},
                len(ends),
                min(ends),
                regions,
            )
        )
    return rows


def _count_standards(user: User | None, county: int | None, today: date, days: int) -> int:
    assessed = _assessment_due(user, county, today, days).count()
    return assessed + sum(len(ends) for ends in _equipment_expiring(user, county, today, days).values())


# ---- qualifications ---------------------------------------------------------------------------------------------


def _qualifications(user: User | None, county: int | None, today: date, days: int) -> QuerySet[Qualification]:
    qs = qualifications_visible_to(user).filter(expiring_q(days, today=today))
    # Staff who have left need no renewal (left_on is their last working day).
    qs = qs.filter(Q(person__left_on__isnull=True) | Q(person__left_on__gte=today))
    return qs.filter(person__organization__region_id=county) if county else qs


def _rows_qualifications(user: User | None, county: int | None, today: date, days: int) -> list[WarningRow]:
    found = list(
        _qualifications(user, county, today, days)
        .select_related("person", "person__organization", "person__organization__region")
        .order_by("valid_until", "id")
    )
    return [
        WarningRow(
            kind=WarningKind.QUALIFICATION_EXPIRING,
            what=_("%(person)s 的%(kind)s资质（%(number)s）即将到期")
            % {"person": q.person.name, "kind": q.get_kind_display(), "number": q.number},
            region_id=q.person.organization.region_id,
            region=q.person.organization.region.name,
            count=1,
            actor=q.person.organization.name,
            actor_role=_("所在单位"),
            due=q.valid_until,
            url=reverse("people:detail", args=[q.person_id]),
        )
        for q in found
    ]


def _count_qualifications(user: User | None, county: int | None, today: date, days: int) -> int:
    return _qualifications(user, county, today, days).count()


# ---- late requests ----------------------------------------------------------------------------------------------


def _rows_requests(user: User | None, county: int | None, today: date) -> list[WarningRow]:
    qs = requests_visible_to(user).filter(late_q(today))
    if county:
        qs = qs.filter(region_id=county)
    rows = []
    for r in qs.select_related("owner", "region", "institute").order_by("id"):
        if r.status == ServiceRequest.Status.SUBMITTED:
            what = _("检定申请 %(number)s（%(owner)s）超过受理时限未受理")
            due = r.accept_by
        else:
            what = _("检定申请 %(number)s（%(owner)s）超过办结时限未办结")
            due = r.complete_by
        rows.append(
            WarningRow(
                kind=WarningKind.REQUEST_LATE,
                what=what % {"number": r.number, "owner": r.owner.name},
                region_id=r.region_id,
                region=r.region.name,
                count=1,
                actor=r.institute.name,
                actor_role=_("承办机构"),
                due=due,
                url=reverse("requests:detail", args=[r.pk]),
            )
        )
    return rows


def _count_requests(user: User | None, county: int | None, today: date) -> int:
    if not county:
        return late_counts(user, today=today)["total"]
    return sum(
        row["accept"] + row["complete"] for row in late_counts_by_region(user, today=today) if row["region"] == county
    )


# ---- recall -----------------------------------------------------------------------------------------------------


@dataclass
class RecallDue:
    standard: Standard
    suspended_on: date | None
    date_from: date
    date_to: date
    instrument_count: int
    equipment_count: int

    @property
    def count(self) -> int:
        return self.instrument_count + self.equipment_count


def suspended_on(standard_ids: list[int]) -> dict[int, date]:
    """Standard id → the day of the latest audit event that set it to "suspended" (absent when there is none)."""
    events = (
        AuditEvent.objects.filter(
            object_type=f"{Standard._meta.app_label}.{Standard._meta.model_name}",
            object_id__in=[str(i) for i in standard_ids],
            action="standard.set_status",
        )
        .order_by("at", "id")
        .values_list("object_id", "at", "changes")
    )
    found: dict[int, date] = {}
    for object_id, at, changes in events:
        status = (changes or {}).get("status")
        if isinstance(status, list) and len(status) == 2 and status[1] == Standard.Status.SUSPENDED:
            found[int(object_id)] = clock.local_date(at)
    return found


def recall_window_start(standard: Standard, certificates: dict[int, list[date]], day: date) -> date:
    """The first suspect day of a standard suspended on ``day``: the earliest, over its pieces of equipment, of each
    piece's latest certificate issued on or before ``day`` (its last good calibration); the assessment
    certificate's issue date when a piece has none by then, or when the standard has no equipment.

    ``certificates``: equipment id → the issue dates of its certificates."""
    starts = []
    for issued in certificates.values():
        before = [d for d in issued if d <= day]
        starts.append(max(before) if before else standard.certificate_issued_on)
    return min(starts, default=standard.certificate_issued_on)


def recalls_due(user: User | None, county: int | None, today: date) -> list[RecallDue]:
    """Every suspended standard in scope with something to recall, its window and counts (the rule above).

    Cost: three queries for all the suspended standards (a city has a handful), then one recall each (the reverse
    walk, one query per level, and one over StandardUse)."""
    suspended = list(_standards(user, county).filter(status=Standard.Status.SUSPENDED).select_related("holder"))
    if not suspended:
        return []
    ids = [s.pk for s in suspended]
    days = suspended_on(ids)
    per_standard: dict[int, dict[int, list[date]]] = defaultdict(dict)
    for standard_id, equipment_id in StandardEquipment.objects.filter(standard_id__in=ids).values_list(
        "standard_id", "id"
    ):
        per_standard[standard_id][equipment_id] = []
    for standard_id, equipment_id, issued_on in EquipmentCertificate.objects.filter(
        equipment__standard_id__in=ids
    ).values_list("equipment__standard_id", "equipment_id", "issued_on"):
        per_standard[standard_id][equipment_id].append(issued_on)
    found = []
    for s in suspended:
        start = recall_window_start(s, per_standard.get(s.pk, {}), days.get(s.pk, today))
        result = recall(s, start, today)
        due = RecallDue(
            standard=s,
            suspended_on=days.get(s.pk),
            date_from=start,
            date_to=today,
            instrument_count=result.instrument_count,
            equipment_count=result.equipment_count,
        )
        if due.count:
            found.append(due)
    return found


def _rows_recall(user: User | None, county: int | None, today: date) -> list[WarningRow]:
    found = recalls_due(user, county, today)
    regions = _region_names({r.standard.holder.region_id for r in found})
    rows = []
    for r in found:
        query = urlencode({"date_from": r.date_from.isoformat(), "date_to": r.date_to.isoformat()})
        rows.append(
            WarningRow(
                kind=WarningKind.RECALL,
                what=_(
                    "%(standard)s 已暂停使用：%(start)s 以来出具的 %(instruments)s 份器具证书、"
                    "%(equipment)s 份标准设备证书待召回"
                )
                % {
                    "standard": r.standard,
                    "start": r.date_from.isoformat(),
                    "instruments": r.instrument_count,
                    "equipment": r.equipment_count,
                },
                region_id=r.standard.holder.region_id,
                region=regions.get(r.standard.holder.region_id, ""),
                count=r.count,
                actor=r.standard.holder.name,
                actor_role=_("建标单位"),
                due=r.suspended_on,
                url=reverse("recall:reverse", args=[r.standard.pk]) + "?" + query,
            )
        )
    return rows


# ---- the list and the counts ------------------------------------------------------------------------------------


def _count_recall(user: User | None, county: int | None, today: date) -> int:
    return sum(r.count for r in recalls_due(user, county, today))


class _Reader(NamedTuple):
    """How one kind is read: its rows and its count, each from (user, county, today), and from how many days ahead
    count as expiring when the kind looks ahead."""

    rows: Callable[..., list[WarningRow]]
    count: Callable[..., int]
    ahead: bool = False


_READERS = {
    WarningKind.OVERDUE_INSTRUMENTS: _Reader(_rows_overdue, _count_overdue),
    WarningKind.FAILED_UNRESOLVED: _Reader(_rows_failed, _count_failed),
    WarningKind.STANDARD_EXPIRING: _Reader(_rows_standards, _count_standards, ahead=True),
    WarningKind.QUALIFICATION_EXPIRING: _Reader(_rows_qualifications, _count_qualifications, ahead=True),
    WarningKind.REQUEST_LATE: _Reader(_rows_requests, _count_requests),
    WarningKind.RECALL: _Reader(_rows_recall, _count_recall),
}


def _read(user: User | None, kind: str, county: int | None, today: date, days: int) -> tuple[_Reader, tuple]:
    """The reader of ``kind`` (any other kind reads as the recall) and the arguments it takes."""
    reader = _READERS.get(kind, _READERS[WarningKind.RECALL])
    return reader, (user, county, today, days) if reader.ahead else (user, county, today)


def _rows(user: User | None, kind: str, county: int | None, today: date, days: int) -> list[WarningRow]:
    reader, args = _read(user, kind, county, today, days)
    return reader.rows(*args)


def _count(user: User | None, kind: str, county: int | None, today: date, days: int) -> int:
    reader, args = _read(user, kind, county, today, days)
    return reader.count(*args)


def warnings_for(
    user: User | None, *, county: int | None = None, kind: str = "", today: date | None = None
) -> WarningList:
    """The warnings in the actor's scope, optionally of one county (the records' region) and one kind, most urgent
    (earliest date) first; with the counts of every kind the actor gets for the same county.

    An unknown ``kind`` raises ValueError (the page validates it first)."""
    if kind and kind not in WarningKind.values:
        raise ValueError(f"unknown warning kind {kind!r}")
    today = today or clock.today()
    days = warning_days()
    kinds = kinds_for(user)
    wanted = [k for k in kinds if not kind or k == kind]
    rows: list[WarningRow] = []
    counts: dict[str, int] = {}
    for k in kinds:
        if k in wanted:
            found = _rows(user, k, county, today, days)
            rows.extend(found)
            counts[k] = sum(r.count for r in found)
        else:
            counts[k] = _count(user, k, county, today, days)
    counts["total"] = sum(counts.values())
    rows.sort(key=lambda r: (r.due is None, r.due or today, ORDER[r.kind], r.region, r.actor, r.what))
    return WarningList(rows=rows, counts=counts, today=today, days=days, kinds=kinds)


def warning_counts(user: User | None, *, today: date | None = None, county: int | None = None) -> dict[str, int]:
    """Per kind the actor gets (in display order) and ``total``: the home page's tiles. Overdue instruments come
    from the due tally for regulators and the admin (an owner's from its own index range), late requests from one
    aggregate; no query per owner."""
    today = today or clock.today()
    days = warning_days()
    counts = {k: _count(user, k, county, today, days) for k in kinds_for(user)}
    counts["total"] = sum(counts.values())
    return counts


# Supervision's kinds are read in a module of their own (it imports WarningKind and WarningRow from here).
from . import warnings_supervision  # noqa: E402 (after the names it imports)

_READERS[WarningKind.RESULTS_UNPUBLISHED] = _Reader(
    warnings_supervision.rows_results, warnings_supervision.count_results
)
_READERS[WarningKind.RECTIFICATION_OVERDUE] = _Reader(
    warnings_supervision.rows_rectifications, warnings_supervision.count_rectifications
)
