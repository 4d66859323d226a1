"""The statutory clock: working days on the holiday calendar the administrator maintains (HolidayYear rows, seeded
from the shipped calendar); the time returned for correction does not count; a limit counted over a year whose
notice is not confirmed, or not entered, is provisional, never refused."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiliang.core.models import HolidayYear
from jiliang.verification.models import ServiceRequest
from jiliang.verification.selectors import request_clock as clock

Status = ServiceRequest.Status
TZ = ZoneInfo("Asia/Shanghai")


pytestmark = pytest.mark.django_db  # the calendar is read from the database


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.JILIANG_ACCEPT_WORKING_DAYS = 5
    settings.JILIANG_COMPLETE_WORKING_DAYS = 15


def test_accept_by_skips_the_2026_national_day_holiday():
    # Wednesday 30 Sep 2026; 1-7 October off, Saturday 10 October worked: 8, 9, 10, 12, 13 October.
    assert clock.accept_by(date(2026, 9, 30)) == date(2026, 10, 13)
    # Without the holiday five working days from a Wednesday end the next Wednesday; here Sunday 20 Sep is worked.
    assert clock.accept_by(date(2026, 9, 16)) == date(2026, 9, 22)


def test_complete_by_counts_fifteen_working_days_from_acceptance():
    assert clock.complete_by(date(2026, 9, 30)) == date(2026, 10, 27)


def _request(**fields) -> ServiceRequest:
    values = dict(status=Status.SUBMITTED, accept_by=date(2026, 10, 13), complete_by=None, completed_at=None)
    values.update(fields)
    return ServiceRequest(**values)


def test_accept_stage_left_used_and_late():
    request = _request()
    during_holiday = clock.clock_of(request, today=date(2026, 10, 5))
    assert during_holiday.stage == clock.ACCEPT_STAGE
    assert (during_holiday.used, during_holiday.left, during_holiday.late) == (0, 5, False)
    last_day = clock.clock_of(request, today=date(2026, 10, 13))
    assert (last_day.left, last_day.used, last_day.late) == (0, 5, False)
    after = clock.clock_of(request, today=date(2026, 10, 14))
    assert after.late and after.left == -1 and after.used == 6


def test_work_stage_late_when_not_completed_after_complete_by():
    request = _request(status=Status.IN_WORK, complete_by=date(2026, 10, 26))
    assert not clock.clock_of(request, today=date(2026, 10, 26)).late
    state = clock.clock_of(request, today=date(2026, 10, 27))
    assert state.stage == clock.WORK_STAGE and state.late


def test_returned_request_is_paused_and_never_late():
    request = _request(status=Status.RETURNED, accept_by=date(2026, 1, 5))
    state = clock.clock_of(request, today=date(2026, 12, 1))
    assert state.stage == clock.PAUSED and not state.late and state.left is None


def test_completed_request_is_closed_and_says_whether_it_finished_late():
    on_time = _request(
        status=Status.COMPLETED,
        complete_by=date(2026, 10, 26),
        completed_at=datetime(2026, 10, 26, 16, 0, tzinfo=TZ),
    )
    late = _request(
        status=Status.COMPLETED,
        complete_by=date(2026, 10, 26),
        completed_at=datetime(2026, 10, 27, 9, 0, tzinfo=TZ),
    )
    assert clock.clock_of(on_time, today=date(2027, 1, 4)).stage == clock.CLOSED
    assert not clock.clock_of(on_time, today=date(2027, 1, 4)).closed_late
    assert clock.clock_of(late, today=date(2027, 1, 4)).closed_late
    assert not clock.clock_of(late, today=date(2027, 1, 4)).late


def test_a_limit_within_confirmed_years_is_not_provisional():
    state = clock.clock_of(_request(accept_by=clock.accept_by(date(2026, 6, 1))), today=date(2026, 6, 2))
    assert not state.provisional and state.provisional_years == () and state.provisional_note == ""


def test_a_limit_crossing_into_2027_is_provisional_while_its_notice_is_unconfirmed():
    # Monday 28 Dec 2026 + 5 working days: 29, 30, 31 Dec, then 2027, counted on its statutory days only.
    limit = clock.accept_by(date(2026, 12, 28))
    assert limit == date(2027, 1, 5)  # 1 Jan 2027 (元旦, a Friday) off
    state = clock.clock_of(_request(accept_by=limit), today=date(2026, 12, 29))
    assert state.provisional and state.provisional_years == (2027,)
    assert state.provisional_note == "（暂定：2027年节假日安排尚未确认）"
    # Entered and confirmed by the administrator: no longer provisional.
    HolidayYear.objects.filter(year=2027).update(confidence="confirmed", seen_in="示例")
    from jiliang.core import calendar

    calendar.forget()
    assert not clock.clock_of(_request(accept_by=limit), today=date(2026, 12, 29)).provisional


def test_a_year_missing_from_the_calendar_is_counted_on_weekends_only_and_marked_provisional():
    # Decided: never refused (a request must be submittable, a page must open in any year); provisional instead.
    assert clock.accept_by(date(2030, 3, 1)) == date(2030, 3, 8)  # Friday + 5 weekdays
    state = clock.clock_of(_request(accept_by=date(2030, 3, 8)), today=date(2030, 3, 10))
    assert state.late and state.left == -1 and state.provisional_years == (2030,)
    assert state.provisional_note == "（暂定：2030年节假日安排尚未确认）"
