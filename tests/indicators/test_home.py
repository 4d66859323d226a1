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

from jiliang.core.models import Organization
from jiliang.indicators.selectors.home import due_state_counts_by_owner_category
from tests.factories import InstrumentFactory, OrganizationFactory, catalog_item

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
    # One county: the chart splits it by owner category (owner A is a market); the table keeps the county's row.
    assert [row["name"] for row in data["rows"]] == ["集贸市场"]
    assert {row["id"] for row in data["rows"]} == {city.county_a.pk}
    assert "乙县" not in html(response) and "加油（气）站" not in html(response)
    assert f'href="/instruments/?county={city.county_a.pk}"' in html(response)


def county_a_owners(city):
    """A hospital and a petrol station beside owner A's market in county A, each with instruments."""
    hospital = OrganizationFactory(name="甲县人民医院", region=city.county_a, category=Organization.Category.HOSPITAL)
    station = OrganizationFactory(
        name="甲县加油站", region=city.county_a, category=Organization.Category.PETROL_STATION
    )
    make(hospital, "H-VALID", verified_days_ago=30)
    make(hospital, "H-OVER", verified_days_ago=400)
    make(hospital, "H-NEVER")
    make(station, "S-SOON", verified_days_ago=350)
    make(city.owner_a, "A-OVER", verified_days_ago=400)
    return hospital, station


def test_county_selector_groups_the_county_by_owner_category(city, both):
    county_a_owners(city)
    groups = due_state_counts_by_owner_category(city.county_regulator_a)
    counts = {group["category"]: group["counts"] for group in groups}
    assert counts == {
        "market_fair": {"valid": 1, "due_soon": 0, "overdue": 1, "never": 0},
        "hospital": {"valid": 1, "due_soon": 0, "overdue": 1, "never": 1},
        "petrol_station": {"valid": 0, "due_soon": 1, "overdue": 0, "never": 0},
    }
    # Largest first, with the category's label.
    assert [group["label"] for group in groups] == ["医院", "集贸市场", "加油（气）站"]
    # County B's bureau sees its own county only: owner B's petrol station.
    assert [g["category"] for g in due_state_counts_by_owner_category(city.county_regulator_b)] == ["petrol_station"]
    assert due_state_counts_by_owner_category(city.county_regulator_b)[0]["counts"]["valid"] == 1


@pytest.mark.parametrize("persona", ["owner_a_user", "institute_user", "admin"])
def test_county_selector_gives_nothing_to_non_regulators(city, both, persona):
    county_a_owners(city)
    assert due_state_counts_by_owner_category(getattr(city, persona)) == []
    assert due_state_counts_by_owner_category(None) == []


def test_county_regulator_home_draws_a_bar_per_owner_category(client, city, both):
    county_a_owners(city)
    response = login(client, city.county_regulator_a).get(reverse("home"))
    body = html(response)
    data = chart_data(response)
    assert len(data["rows"]) == 3
    assert {row["name"]: row["counts"]["overdue"] for row in data["rows"]} == {
        "医院": 1,
        "集贸市场": 1,
        "加油（气）站": 0,
    }
    assert 'data-testid="chart-by-category"' in body and "各类单位检定状态" in body
    assert "vendor/echarts.min.js" in body and "js/charts.js" in body
    # The city bureau keeps its bar per county.
    city_body = html(login(client, city.city_regulator).get(reverse("home")))
    assert 'data-testid="chart-by-county"' in city_body and "各类单位检定状态" not in city_body


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
