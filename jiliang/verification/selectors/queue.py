"""The institute's work queue (its home page): what waits for the institute, and what waits for the person at the
keyboard.

Two parts, both scoped to the actor's institute (``core.selectors.scope_of``; any other role, or an institute user
without an organization, gets ``None``):

- **the institute's**: requests to accept (submitted, with their statutory clock), to schedule (accepted), late
  (past ``accept_by`` not accepted, or past ``complete_by`` not completed: ``requests.late_q``), today's
  appointments (scheduled for today), items of scheduled or in-work requests with neither a record nor an open
  draft (waiting to be recorded), and the open drafts counted per verifier;
- **the person's** (only when the login is linked to a ``Person`` of the same institute, ``Person.user``): drafts
  waiting for this person's check (submitted, checker = the person), approval (checked, approver = the person),
  those returned to the person (returned, verifier = the person) and the person's own drafts not yet submitted.

Cost: the counts are two aggregates (requests over ``sreq_institute_status_idx``; drafts over
``draft_institute_status_idx`` with the person's counts as FILTERs), one GROUP BY for the verifiers and one COUNT
for the items waiting, a join of two indexes alone (the institute's requests in work from
``sreq_recording_idx``, partial, which carries their ids; the items from the partial ``ritem_awaiting_idx``, whose
flag the services keep); each list is one query of a few rows, run only when its count is not zero, and the request
lists' owners one query for all of them. No query per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, When

from jiliang.core import clock
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of
from jiliang.people.models import Person

from ..models import RecordDraft, RequestItem, ServiceRequest
from .request_clock import WORK_STATUSES, Clock, clock_of
from .requests import late_q

Status = ServiceRequest.Status
DraftStatus = RecordDraft.Status

# How many rows each list of the queue shows (its "more" link or count says how many there are).
ROWS = 5
# Drafts still in the making: neither approved (a record) nor withdrawn.
OPEN_DRAFT_STATUSES = RecordDraft.OPEN_STATUSES
# Requests whose instruments are being verified: an appointment is kept on these.
RECORDING_STATUSES = (Status.SCHEDULED, Status.IN_WORK)


@dataclass
class RequestRow:
    request: ServiceRequest
    clock: Clock


@dataclass
class VerifierLoad:
    """Open drafts of one verifier, by status."""

    person_id: int
    name: str
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    checked: int = 0

    @property
    def total(self) -> int:
        return self.draft + self.submitted + self.returned + self.checked


@dataclass
class InstituteQueue:
    """The institute's part: counts and the first rows of each list."""

    today: date
    to_accept: int = 0
    to_schedule: int = 0
    in_work: int = 0
    late_accept: int = 0
    late_complete: int = 0
    today_appointments: int = 0
    unrecorded_items: int = 0
    open_drafts: int = 0
    to_accept_rows: list[RequestRow] = field(default_factory=list)
    to_schedule_rows: list[RequestRow] = field(default_factory=list)
    late_rows: list[RequestRow] = field(default_factory=list)
    today_rows: list[RequestRow] = field(default_factory=list)
    unrecorded_rows: list[RequestItem] = field(default_factory=list)
    verifiers: list[VerifierLoad] = field(default_factory=list)

    @property
    def late(self) -> int:
        return self.late_accept + self.late_complete


@dataclass
class PersonalQueue:
    """The person's part: drafts waiting for this person's act."""

    person: Person
    to_check: int = 0
    to_approve: int = 0
    returned: int = 0
    mine: int = 0
    to_check_rows: list[RecordDraft] = field(default_factory=list)
    to_approve_rows: list[RecordDraft] = field(default_factory=list)
    returned_rows: list[RecordDraft] = field(default_factory=list)
    mine_rows: list[RecordDraft] = field(default_factory=list)


@dataclass
class Queue:
    institute: InstituteQueue
    # None when the login is not linked to a person of the institute: the page says how to get one.
    personal: PersonalQueue | None


def person_of(user: User, institute_id: int) -> Person | None:
    """The person the login is linked to (``Person.user``), if that person belongs to ``institute_id``."""
    return Person.objects.filter(user_id=user.pk, organization_id=institute_id).first()


# What a request row shows (indicators/home/queue/_requests.html) and its clock (``clock_of``) reads.
REQUEST_ROW_FIELDS = (
    "id",
    "number",
    "owner_id",
    "place",
    "status",
    "scheduled_on",
    "accept_by",
    "complete_by",
    "completed_at",
)
# What a row of the items waiting to be recorded shows (indicators/home/queue/_unrecorded.html).
ITEM_ROW_FIELDS = (
    "id",
    "request__id",
    "request__number",
    "request__scheduled_on",
    "instrument__name",
    "instrument__serial_number",
)


def _rows(qs: QuerySet[ServiceRequest], today: date, count: int) -> list[RequestRow]:
    """The first rows, without their owners (``_attach_owners`` reads those once for every list): joined in the
    query, PostgreSQL hashes the whole organization table before it sorts and cuts to a few rows."""
    if not count:
        return []
    return [RequestRow(r, clock_of(r, today)) for r in qs.only(*REQUEST_ROW_FIELDS)[:ROWS]]


def _attach_owners(*lists: list[RequestRow]) -> None:
    rows = [row for rows in lists for row in rows]
    if not rows:
        return
    owners = Organization.objects.in_bulk({row.request.owner_id for row in rows})
    for row in rows:
        row.request.owner = owners[row.request.owner_id]


def unrecorded_items(institute_id: int) -> QuerySet[RequestItem]:
    """Items of the institute's scheduled or in-work requests with neither a record nor an open draft: the flag
    ``awaiting_record`` the services keep, read through its partial index ``ritem_awaiting_idx``."""
    return RequestItem.objects.filter(
        awaiting_record=True, request__institute_id=institute_id, request__status__in=RECORDING_STATUSES
    )


def _institute_part(institute_id: int, today: date) -> InstituteQueue:
    requests = ServiceRequest.objects.filter(institute_id=institute_id)
    counts = requests.filter(status__in=(Status.SUBMITTED, *WORK_STATUSES)).aggregate(
        to_accept=Count("id", filter=Q(status=Status.SUBMITTED)),
        to_schedule=Count("id", filter=Q(status=Status.ACCEPTED)),
        in_work=Count("id", filter=Q(status__in=RECORDING_STATUSES)),
        late_accept=Count("id", filter=Q(status=Status.SUBMITTED, accept_by__lt=today)),
        late_complete=Count("id", filter=Q(status__in=WORK_STATUSES, complete_by__lt=today)),
        today_appointments=Count("id", filter=Q(status__in=RECORDING_STATUSES, scheduled_on=today)),
    )
    queue = InstituteQueue(today=today, **counts)
    queue.to_accept_rows = _rows(
        requests.filter(status=Status.SUBMITTED).order_by("accept_by", "submitted_at", "id"), today, queue.to_accept
    )
    queue.to_schedule_rows = _rows(
        requests.filter(status=Status.ACCEPTED).order_by("complete_by", "accepted_at", "id"), today, queue.to_schedule
    )
    # The most overdue first, by the limit that is running (a late completion's accept_by is long past too).
    limit = Case(When(status=Status.SUBMITTED, then=F("accept_by")), default=F("complete_by"))
    late = requests.filter(late_q(today)).annotate(limit=limit).order_by("limit", "id")
    queue.late_rows = _rows(late, today, queue.late)
    queue.today_rows = _rows(
        requests.filter(status__in=RECORDING_STATUSES, scheduled_on=today).order_by("id"),
        today,
        queue.today_appointments,
    )
    _attach_owners(queue.to_accept_rows, queue.to_schedule_rows, queue.late_rows, queue.today_rows)
    waiting = unrecorded_items(institute_id)
    queue.unrecorded_items = waiting.count()
    if queue.unrecorded_items:
        queue.unrecorded_rows = list(
            waiting.select_related("request", "instrument")
            .only(*ITEM_ROW_FIELDS)
            .order_by("request__scheduled_on", "request__complete_by", "request_id", "id")[:ROWS]
        )
    loads: dict[int, VerifierLoad] = {}
    by_verifier = (
        RecordDraft.objects.filter(institute_id=institute_id, status__in=OPEN_DRAFT_STATUSES)
        .values("verifier_id", "verifier__name", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in by_verifier:
        load = loads.setdefault(row["verifier_id"], VerifierLoad(row["verifier_id"], row["verifier__name"]))
        setattr(load, row["status"], row["n"])
    queue.verifiers = sorted(loads.values(), key=lambda v: (-v.total, v.name, v.person_id))
    queue.open_drafts = sum(v.total for v in queue.verifiers)
    return queue


# What a row of the person's lists shows (indicators/home/queue/_drafts.html): loading only these keeps the four
# lists from building whole instruments, requests and drafts (with their readings) for a few cells each.
DRAFT_ROW_FIELDS = (
    "id",
    "status",
    "verifier_id",
    "checker_id",
    "approver_id",
    "return_reason",
    "submitted_at",
    "checked_at",
    "returned_at",
    "updated_at",
    "instrument__name",
    "instrument__serial_number",
    "verifier__name",
    "request_item__request__number",
)


# Each list of the person's part: the status it shows, the moment it is ordered by and whether the latest come
# first (the oldest submissions and checks wait longest; the latest returns and edits are the ones in hand).
PERSONAL_LISTS = {
    "to_check": (DraftStatus.SUBMITTED, "submitted_at", False),
    "to_approve": (DraftStatus.CHECKED, "checked_at", False),
    "returned": (DraftStatus.RETURNED, "returned_at", True),
    "mine": (DraftStatus.DRAFT, "updated_at", True),
}
# Up to this many open drafts of the person's, the four lists come from one query.
PERSONAL_IN_ONE_QUERY = 200


def _drafts(institute_id: int) -> QuerySet[RecordDraft]:
    return (
        RecordDraft.objects.filter(institute_id=institute_id)
        .select_related("instrument", "verifier", "request_item__request")
        .only(*DRAFT_ROW_FIELDS)
    )


def _personal_part(institute_id: int, person: Person) -> PersonalQueue:
    mine = {
        "to_check": Q(checker_id=person.pk, status=DraftStatus.SUBMITTED),
        "to_approve": Q(approver_id=person.pk, status=DraftStatus.CHECKED),
        "returned": Q(verifier_id=person.pk, status=DraftStatus.RETURNED),
        "mine": Q(verifier_id=person.pk, status=DraftStatus.DRAFT),
    }
    either = Q()
    for condition in mine.values():
        either |= condition
    # One query: the OR of the four (checker, status), (approver, status), (verifier, status) conditions is
    # answered from the three person indexes.
    counts: dict[str, Any] = RecordDraft.objects.filter(either, institute_id=institute_id).aggregate(
        **{key: Count("id", filter=condition) for key, condition in mine.items()}
    )
    queue = PersonalQueue(person=person, **counts)
    drafts = _drafts(institute_id)
    if 0 < sum(counts.values()) <= PERSONAL_IN_ONE_QUERY:
        # A person's open drafts are a few dozen: one query for the four lists, each sorted and cut here.
        found = list(drafts.filter(either))
        for key, (status, moment, reverse) in PERSONAL_LISTS.items():
            rows = [d for d in found if d.status == status and _is_mine(d, key, person.pk)]
            rows.sort(key=attrgetter(moment, "pk"), reverse=reverse)
            setattr(queue, f"{key}_rows", rows[:ROWS])
        return queue
    for key, (_status, moment, reverse) in PERSONAL_LISTS.items():
        if getattr(queue, key):
            order = (f"-{moment}", "-id") if reverse else (moment, "id")
            setattr(queue, f"{key}_rows", list(drafts.filter(mine[key]).order_by(*order)[:ROWS]))
    return queue


def _is_mine(draft: RecordDraft, key: str, person_id: int) -> bool:
    field = {"to_check": "checker_id", "to_approve": "approver_id"}.get(key, "verifier_id")
    return bool(getattr(draft, field) == person_id)


def work_queue(user: User | None, *, today: date | None = None) -> Queue | None:
    """The work queue of ``user``'s institute, and the person's own part when the login is linked to a person of
    it; None for anyone who is not an institute user with an organization."""
    scope = scope_of(user)
    if user is None or not scope.is_institute or scope.organization_id is None:
        return None
    today = today or clock.today()
    institute_id = scope.organization_id
    person = person_of(user, institute_id)
    return Queue(
        institute=_institute_part(institute_id, today),
        personal=_personal_part(institute_id, person) if person is not None else None,
    )
