"""The home page of each role: the regulators' due-state counts by county (a county bureau its own county only), the
owner's overdue and due-soon instruments, the institute's page with no instrument data; anonymous visitors are sent
to the login page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InstrumentFactory, catalog_item

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def both(instrument_a, instrument_b):
    return instrument_a, instrument_b


def make(owner, serial, *, verified_days_ago=None, usage="trade", item="02", **extra):
    """An instrument of ``owner``; catalog row 02 (price scale) is periodic with a 12-month interval."""
    verified = TODAY - timedelta(days=verified_days_ago) if verified_days_ago is not None else None
    return InstrumentFactory(
        owner=owner,
        serial_number=serial,
        catalog_item=catalog_item(item) if item else None,
        usage=usage,
        last_verified_on=verified,
        **extra,
    )


def test_anonymous_visitor_is_sent_to_the_login_page(client, instrument_a):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def chart_data(response) -> dict:
    match = re.search(r'<script id="due-by-county-data" type="application/json">(.*?)</script>', html(response), re.S)
    assert match, "the home page carries its chart data through json_script"
    return json.loads(match.group(1))


def test_city_regulator_home_counts_every_county_by_due_state(client, city, both):
    make(city.owner_a, "A-VALID", verified_days_ago=30)
    make(city.owner_a, "A-OVER", verified_days_ago=400)
    make(city.owner_a, "A-NEVER")
    response = login(client, city.city_regulator).get(reverse("home"))
    assert response.status_code == 200
    data = chart_data(response)
    rows = {row["name"]: row["counts"] for row in data["rows"]}
    # instrument_a and instrument_b were verified 100 days ago (valid, 12-month interval).
    assert rows["甲县"] == {"valid": 2, "due_soon": 0, "overdue": 1, "never": 1}
    assert rows["乙县"] == {"valid": 1, "due_soon": 0, "overdue": 0, "never": 0}
    assert [s["key"] for s in data["states"]] == ["valid", "due_soon", "overdue", "never"]
    body = html(response)
    assert 'id="due-by-county-chart"' in body
    assert "vendor/echarts.min.js" in body and "js/charts.js" in body
    # Each number links to the list filtered by county and due state.
    assert f'href="/instruments/?county={city.county_a.pk}&amp;due_state=overdue"' in body


def test_county_regulator_home_shows_only_its_own_county(client, city, both):
    response = login(client, city.county_regulator_a).get(reverse("home"))
    data = chart_data(response)
    assert [row["name"] for row in data["rows"]] == ["甲县"]
    assert "乙县" not in html(response)


def test_owner_home_lists_its_overdue_and_due_soon_instruments(client, city, both):
    soon = make(city.owner_a, "A-SOON", verified_days_ago=350)
    make(city.owner_a, "A-OVER", verified_days_ago=400)
    response = login(client, city.owner_a_user).get(reverse("home"))
    body = html(response)
    assert response.status_code == 200
    assert "A-OVER" in body and "A-SOON" in body
    assert "A-0001" not in body  # valid: neither overdue nor due soon
    assert "B-0001" not in body
    assert 'class="badge due-overdue"' in body and 'class="badge due-due_soon"' in body
    assert reverse("instruments:detail", args=[soon.pk]) in body
    assert "due-by-county-data" not in body


def test_institute_home_holds_no_instrument_data(client, city, both):
    response = login(client, city.institute_user).get(reverse("home"))
    body = html(response)
    assert response.status_code == 200
    assert 'data-testid="queue-institute"' in body
    for leak in ("A-0001", "B-0001", "due-by-county-data", "甲县农贸市场", "乙县加油站"):
        assert leak not in body


def test_admin_home_is_the_whole_city_with_a_link_to_the_admin(client, city, both):
    response = login(client, city.admin).get(reverse("home"))
    names = [row["name"] for row in chart_data(response)["rows"]]
    assert "甲县" in names and "乙县" in names
    assert reverse("admin:index") in html(response)
