"""A request whose deadline reaches into a year whose holiday notice is not confirmed (2027 ships with its
statutory days only) says the deadline is provisional: in the service's clock, on the request's pages and in the
API. A year missing from the calendar does not stop a submission or a page: it is counted on weekends only and
marked provisional in the same way."""

from __future__ import annotations

from datetime import date

import pytest

from jiliang.core import clock
from jiliang.core.models import HolidayYear
from jiliang.verification.selectors import request_clock

from .conftest import submit

NOTE = "（暂定：2027年节假日安排尚未确认）"
LATE_DECEMBER = date(2026, 12, 28)  # + 5 working days reaches into 2027
JUNE = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.JILIANG_ACCEPT_WORKING_DAYS = 5
    settings.JILIANG_COMPLETE_WORKING_DAYS = 15


def test_the_service_marks_a_deadline_crossing_into_2027_provisional(city, window):
    with clock.travel(LATE_DECEMBER):
        request = submit(city, [window.a1])
        state = request_clock.clock_of(request)
    assert request.accept_by == date(2027, 1, 5)
    assert state.provisional and state.provisional_years == (2027,) and state.provisional_note == NOTE


def test_the_request_page_and_the_list_say_the_deadline_is_provisional(city, window, client):
    with clock.travel(LATE_DECEMBER):
        request = submit(city, [window.a1])
        client.force_login(city.institute_user)
        page = client.get(f"/requests/{request.pk}/").content.decode()
        listing = client.get("/requests/").content.decode()
    assert f'data-testid="provisional">{NOTE}' in page
    assert f'data-testid="provisional">{NOTE}' in listing


def test_the_api_says_the_deadline_is_provisional(city, window, api):
    with clock.travel(LATE_DECEMBER):
        request = submit(city, [window.a1])
        data = api(city.institute_user).get(f"/api/v1/requests/{request.pk}").json()
    assert data["deadline_provisional"] is True
    assert data["clock"]["provisional"] is True and data["clock"]["provisional_years"] == [2027]
    assert data["clock"]["provisional_note"] == NOTE


def test_a_deadline_within_2026_is_not_provisional_on_the_page_or_in_the_api(city, window, client, api):
    with clock.travel(JUNE):
        request = submit(city, [window.a1])
        client.force_login(city.institute_user)
        page = client.get(f"/requests/{request.pk}/").content.decode()
        data = api(city.institute_user).get(f"/api/v1/requests/{request.pk}").json()
    assert 'data-testid="provisional"' not in page
    assert data["deadline_provisional"] is False and data["clock"]["provisional_years"] == []


def test_a_year_missing_from_the_calendar_neither_refuses_a_submission_nor_breaks_the_page(city, window, client, api):
    HolidayYear.objects.filter(year=2027).delete()
    with clock.travel(LATE_DECEMBER):
        request = submit(city, [window.a1])
        client.force_login(city.institute_user)
        page = client.get(f"/requests/{request.pk}/")
        data = api(city.institute_user).get(f"/api/v1/requests/{request.pk}").json()
    assert request.accept_by == date(2027, 1, 4)  # weekends only: 1 January is not known to be off
    assert page.status_code == 200 and NOTE in page.content.decode()
    assert data["deadline_provisional"] is True


def test_an_outsider_sees_no_provisional_request(city, window, api):
    with clock.travel(LATE_DECEMBER):
        request = submit(city, [window.a1])
        assert api(city.owner_b_user).get(f"/api/v1/requests/{request.pk}").status_code == 404
        assert api(None).get(f"/api/v1/requests/{request.pk}").status_code == 401
