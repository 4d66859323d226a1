"""The statutory clock: working days on the holiday calendar; the time returned for correction does not count."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jiliang.verification.models import ServiceRequest
from jiliang.verification.selectors import request_clock as clock

Status = ServiceRequest.Status
TZ = ZoneInfo("Asia/Shanghai")


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


def test_a_year_missing_from_the_calendar_is_refused_not_guessed():
    from jiliang.core.errors import DomainError

    with pytest.raises(DomainError):
        clock.accept_by(date(2030, 3, 1))
    # Reading a clock beyond the calendar still says late or not, without counts.
    state = clock.clock_of(_request(accept_by=date(2030, 3, 8)), today=date(2030, 3, 9) + timedelta(days=1))
    assert state.late and state.left is None
