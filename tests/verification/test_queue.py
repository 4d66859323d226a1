"""The institute's work queue (``selectors.queue.work_queue``): the institute's counts and lists, each person's own
part, scoping to the institute and to the person, and a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiliang.core.models import Role, User
from jiliang.verification.models import RecordDraft, ServiceRequest
from jiliang.verification.selectors.queue import ROWS, work_queue
from tests.builders.queue import build_queue, make_draft, request_in, scales, staff_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = ServiceRequest.Status
DraftStatus = RecordDraft.Status


@pytest.fixture
def queue(city, bench):
    return build_queue(city, bench)


def test_institute_part_counts_each_list_of_the_one_window(city, queue):
    q = work_queue(city.institute_user)
    assert q is not None
    part = q.institute
    assert (part.to_accept, part.late_accept) == (2, 1)
    assert (part.to_schedule, part.late_complete) == (2, 1)
    assert part.late == 2
    assert (part.in_work, part.today_appointments) == (1, 1)
    assert [r.request for r in part.to_accept_rows] == [queue.late_accept, queue.to_accept]  # most urgent first
    assert [r.request for r in part.late_rows] == [queue.late_accept, queue.late_complete]
    assert part.late_rows[0].clock.late and part.late_rows[1].clock.late
    assert {r.request for r in part.to_schedule_rows} == {queue.to_schedule, queue.late_complete}
    assert [r.request for r in part.today_rows] == [queue.today]


def test_items_wait_to_be_recorded_until_they_have_an_open_draft_or_a_record(city, queue):
    part = work_queue(city.institute_user).institute
    # The scale whose draft was withdrawn and the one without a draft; the bench's accepted request is not
    # scheduled yet, so its scales do not wait.
    assert part.unrecorded_items == 2
    assert [i.pk for i in part.unrecorded_rows] == [queue.today_items[4].pk, queue.today_items[5].pk]


def test_open_drafts_are_counted_per_verifier_without_the_withdrawn(city, bench, queue):
    part = work_queue(city.institute_user).institute
    assert part.open_drafts == 4
    [load] = part.verifiers
    assert (load.name, load.draft, load.submitted, load.checked, load.returned) == ("王检定", 1, 1, 1, 1)


def test_each_person_sees_the_drafts_that_wait_for_their_own_act(queue):
    verifier = work_queue(queue.verifier_user).personal
    checker = work_queue(queue.checker_user).personal
    approver = work_queue(queue.approver_user).personal
    assert (verifier.to_check, verifier.to_approve, verifier.returned, verifier.mine) == (0, 0, 1, 1)
    assert verifier.returned_rows == [queue.returned] and verifier.mine_rows == [queue.draft]
    assert (checker.to_check, checker.to_approve, checker.returned, checker.mine) == (1, 0, 0, 0)
    assert checker.to_check_rows == [queue.to_check]
    assert (approver.to_check, approver.to_approve, approver.returned, approver.mine) == (0, 1, 0, 0)
    assert approver.to_approve_rows == [queue.to_approve]


def test_a_login_without_a_person_gets_the_institute_part_only(city, queue):
    q = work_queue(city.institute_user)
    assert q.personal is None
    assert q.institute.to_accept == 2


def test_a_person_of_another_institute_gets_no_personal_part_here(city, bench, queue):
    """A login of this institute linked to a person of another one (a data error) never sees that person's queue."""
    other_person = RecordDraft.objects.exclude(institute=city.institute).get().verifier
    user = UserFactory(username="mixed", role=Role.INSTITUTE, organization=city.institute)
    other_person.user = user
    other_person.save(update_fields=["user"])
    assert work_queue(user).personal is None


def test_another_institute_sees_only_its_own_work(city, queue):
    from jiliang.core.models import Organization

    other = Organization.objects.get(name="乙县计量检定所")
    user = UserFactory(username="other_institute", role=Role.INSTITUTE, organization=other)
    part = work_queue(user).institute
    assert (part.to_accept, part.to_schedule, part.today_appointments, part.late) == (1, 0, 1, 0)
    assert [v.name for v in part.verifiers] == ["外所检定员"]
    numbers = {r.request.number for r in part.to_accept_rows + part.today_rows}
    assert not numbers & {queue.to_accept.number, queue.today.number, queue.late_accept.number}


@pytest.mark.parametrize("persona", ["city_regulator", "county_regulator_a", "owner_a", "owner_b", "anonymous"])
def test_no_other_role_has_a_work_queue(city, queue, persona):
    assert work_queue(city.personas[persona]) is None


def test_admin_has_no_work_queue(city, queue):
    assert work_queue(city.admin) is None


def test_lists_show_a_few_rows_and_count_them_all(city, bench):
    many = scales(city.owner_a, "MANY", ROWS + 3)
    for instrument in many:
        request_in(city.owner_a_user, city.institute, [instrument], Status.SUBMITTED)
    part = work_queue(city.institute_user).institute
    assert part.to_accept == ROWS + 3
    assert len(part.to_accept_rows) == ROWS


def test_the_queue_takes_a_bounded_number_of_queries_whatever_its_size(city, bench, queue):
    def queries(user) -> int:
        fresh = User.objects.get(pk=user.pk)  # no scope cached on it
        with CaptureQueriesContext(connection) as captured:
            work_queue(fresh)
        return len(captured.captured_queries)

    # The first call loads the working-day calendar into its per-process cache (core.calendar): not the queue's.
    queries(queue.checker_user)
    before = queries(queue.checker_user)
    # Ten more of every kind of row: the count of queries does not move.
    people = {
        "verifier": queue.returned.verifier,
        "checker": queue.returned.checker,
        "approver": queue.returned.approver,
    }
    today = timezone.localdate()
    for n in range(10):
        request_in(city.owner_a_user, city.institute, scales(city.owner_a, f"S{n}", 1), Status.SUBMITTED)
        request_in(
            city.owner_a_user,
            city.institute,
            scales(city.owner_a, f"L{n}", 1),
            Status.ACCEPTED,
            complete_by=today - timedelta(days=2),
        )
        _, items = request_in(
            city.owner_a_user, city.institute, scales(city.owner_a, f"T{n}", 2), Status.IN_WORK, scheduled_on=today
        )
        make_draft(items[0], **people, status=DraftStatus.SUBMITTED)
    assert queries(queue.checker_user) == before
    # The scope's organization, the person, the requests' aggregate, four request lists and their owners, the
    # waiting items' COUNT and list, the verifiers' GROUP BY, the person's aggregate and one list.
    assert before == 13


def test_a_staff_login_of_a_new_person_starts_with_an_empty_personal_queue(city, bench):
    user = staff_login(bench.novice, "zhao_xinren")
    personal = work_queue(user).personal
    assert personal is not None and personal.person == bench.novice
    assert (personal.to_check, personal.to_approve, personal.returned, personal.mine) == (0, 0, 0, 0)


def test_the_persons_lists_are_the_same_from_one_query_or_one_per_list(city, bench, queue, monkeypatch):
    from jiliang.verification.selectors import queue as selector

    people = {
        "verifier": queue.returned.verifier,
        "checker": queue.returned.checker,
        "approver": queue.returned.approver,
    }
    statuses = (DraftStatus.SUBMITTED, DraftStatus.CHECKED, DraftStatus.RETURNED, DraftStatus.DRAFT)
    for n in range(ROWS + 2):
        _, items = request_in(city.owner_a_user, city.institute, scales(city.owner_a, f"P{n}", 4), Status.IN_WORK)
        for item, status in zip(items, statuses, strict=True):
            make_draft(item, **people, status=status, at=timedelta(hours=(n * 7) % 11))

    def lists(user) -> list[list[int]]:
        part = work_queue(User.objects.get(pk=user.pk)).personal
        return [[d.pk for d in getattr(part, f"{key}_rows")] for key in selector.PERSONAL_LISTS]

    users = (queue.verifier_user, queue.checker_user, queue.approver_user)
    one_query = [lists(u) for u in users]
    monkeypatch.setattr(selector, "PERSONAL_IN_ONE_QUERY", 0)
    per_list = [lists(u) for u in users]
    assert one_query == per_list
    # Each list is cut to ROWS and each person has one full list at least.
    assert all(len(rows) <= ROWS for person in one_query for rows in person)
    assert {max(len(rows) for rows in person) for person in one_query} == {ROWS}
