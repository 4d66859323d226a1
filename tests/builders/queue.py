"""The institute's work queue, on top of the verification ``bench``: staff logins linked to the bench's persons,
requests in each state of the one window, and drafts (``RecordDraft``) in each state, written directly (the draft
services are tested apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from jiliang.core.models import Organization, Role, User
from jiliang.instruments.models import Instrument
from jiliang.people.models import Person
from jiliang.verification.models import RecordDraft, RequestItem, ServiceRequest
from jiliang.verification.services.records import request_items_sync_awaiting
from tests.factories import InstrumentFactory, OrganizationFactory, UserFactory, catalog_item, credit_code

from .verification import Bench, make_request

Status = ServiceRequest.Status
DraftStatus = RecordDraft.Status


def staff_login(person: Person, username: str) -> User:
    """A login of the person's institute, linked to the person (``Person.user``)."""
    user = UserFactory(username=username, role=Role.INSTITUTE, organization=person.organization)
    person.user = user
    person.save(update_fields=["user"])
    return user


def scales(owner: Organization, prefix: str, count: int) -> list[Instrument]:
    return [
        InstrumentFactory(owner=owner, serial_number=f"{prefix}-{n}", catalog_item=catalog_item("02"))
        for n in range(1, count + 1)
    ]


def request_in(
    owner_user: User,
    institute: Organization,
    instruments: list[Instrument],
    status: str,
    *,
    accept_by: date | None = None,
    complete_by: date | None = None,
    scheduled_on: date | None = None,
) -> tuple[ServiceRequest, list[RequestItem]]:
    """A request in ``status`` with its limits and appointment as given (the builder's defaults otherwise)."""
    request, items = make_request(owner_user, institute, instruments, status=status)
    changes: dict[str, Any] = {"accept_by": accept_by, "complete_by": complete_by, "scheduled_on": scheduled_on}
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        ServiceRequest.objects.filter(pk=request.pk).update(**changes)
        request.refresh_from_db()
    return request, items


def make_draft(
    item: RequestItem,
    *,
    verifier: Person,
    checker: Person | None = None,
    approver: Person | None = None,
    status: str = DraftStatus.DRAFT,
    at: timedelta = timedelta(0),
    **extra: Any,
) -> RecordDraft:
    """A draft of ``item`` in ``status``, with the time of its last act ``at`` before now."""
    moment = timezone.now() - at
    times = {
        DraftStatus.SUBMITTED: {"submitted_at": moment},
        DraftStatus.CHECKED: {"submitted_at": moment, "checked_at": moment},
        DraftStatus.RETURNED: {"submitted_at": moment, "returned_at": moment, "return_reason": "示值误差计算有误"},
        DraftStatus.WITHDRAWN: {"withdrawn_at": moment},
    }.get(status, {})
    draft = RecordDraft.objects.create(
        institute_id=item.request.institute_id,
        request_item=item,
        instrument=item.instrument,
        status=status,
        verifier=verifier,
        checker=checker,
        approver=approver,
        created_at=moment,
        updated_at=moment,
        **{**times, **extra},
    )
    # Written directly, not through the services: keep the item's flag as they would.
    request_items_sync_awaiting([item.pk])
    return draft


@dataclass
class Queue:
    """What ``build_queue`` made: the logins and the rows each part of the queue should list."""

    verifier_user: User
    checker_user: User
    approver_user: User
    to_accept: ServiceRequest
    late_accept: ServiceRequest
    to_schedule: ServiceRequest
    late_complete: ServiceRequest
    today: ServiceRequest
    today_items: list[RequestItem]
    to_check: RecordDraft
    to_approve: RecordDraft
    returned: RecordDraft
    draft: RecordDraft
    withdrawn: RecordDraft


def build_queue(city, bench: Bench) -> Queue:
    """On the bench's institute (one accepted request of two scales already there, see ``build_bench``):

    - submitted: one within its limit, one past it (late);
    - accepted: the bench's own (within its limit) and one past ``complete_by`` (late);
    - scheduled today: six scales, five with a draft of 王检定 (verifier; checker 李核验, approver 张批准) in each
      state: draft, submitted, checked, returned and withdrawn; the withdrawn one's scale and the sixth wait to be
      recorded;
    - another institute's requests and draft (never listed).
    """
    today = timezone.localdate()
    owner = city.owner_a_user
    institute = city.institute
    verifier_user = staff_login(bench.verifier, "wang_jianding")
    checker_user = staff_login(bench.checker, "li_heyan")
    approver_user = staff_login(bench.approver, "zhang_pizhun")
    to_accept, _ = request_in(owner, institute, scales(city.owner_a, "SUB", 1), Status.SUBMITTED)
    late_accept, _ = request_in(
        owner, institute, scales(city.owner_a, "LATE-A", 1), Status.SUBMITTED, accept_by=today - timedelta(days=3)
    )
    late_complete, _ = request_in(
        owner, institute, scales(city.owner_a, "LATE-C", 1), Status.ACCEPTED, complete_by=today - timedelta(days=1)
    )
    scheduled, items = request_in(
        owner, institute, scales(city.owner_a, "TODAY", 6), Status.SCHEDULED, scheduled_on=today
    )
    people = {"verifier": bench.verifier, "checker": bench.checker, "approver": bench.approver}
    draft = make_draft(items[0], **people, at=timedelta(hours=1))
    to_check = make_draft(items[1], **people, status=DraftStatus.SUBMITTED, at=timedelta(hours=5))
    to_approve = make_draft(items[2], **people, status=DraftStatus.CHECKED, at=timedelta(hours=4))
    returned = make_draft(items[3], **people, status=DraftStatus.RETURNED, at=timedelta(hours=3))
    withdrawn = make_draft(items[4], **people, status=DraftStatus.WITHDRAWN, at=timedelta(hours=2))
    # items[4] (its draft withdrawn) and items[5] wait to be recorded.

    # Another institute of the city, with a submitted request and a submitted draft: never in this queue.
    other = OrganizationFactory(
        name="乙县计量检定所", kind=Organization.Kind.INSTITUTE, region=city.county_b, credit_code=credit_code()
    )
    stranger = Person.objects.create(organization=other, name="外所检定员", hired_on=date(2018, 1, 1))
    stranger_checker = Person.objects.create(organization=other, name="外所核验员", hired_on=date(2018, 1, 1))
    _, other_items = request_in(
        city.owner_b_user, other, scales(city.owner_b, "OTHER", 1), Status.SCHEDULED, scheduled_on=today
    )
    request_in(city.owner_b_user, other, scales(city.owner_b, "OTHER-SUB", 1), Status.SUBMITTED)
    make_draft(other_items[0], verifier=stranger, checker=stranger_checker, status=DraftStatus.SUBMITTED)
    return Queue(
        verifier_user=verifier_user,
        checker_user=checker_user,
        approver_user=approver_user,
        to_accept=to_accept,
        late_accept=late_accept,
        to_schedule=bench.request,
        late_complete=late_complete,
        today=scheduled,
        today_items=items,
        to_check=to_check,
        to_approve=to_approve,
        returned=returned,
        draft=draft,
        withdrawn=withdrawn,
    )
