"""The coverage pages and API: the hand-computed city of test_coverage shown to each persona in its scope;
owners, institutes and anonymous visitors get nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import catalog_item

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAGES = ["coverage:index", "coverage:gaps"]


def html(response) -> str:
    return response.content.decode()


# ---- outsiders ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, city, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "institute"])
def test_owners_and_institutes_get_not_found(client, city, small_city, name, persona):
    client.force_login(city.personas[persona])
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/coverage", "/api/v1/coverage/gaps"])
def test_api_without_a_token_is_401(client, city, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/coverage", "/api/v1/coverage/gaps"])
@pytest.mark.parametrize("persona", ["owner_a", "institute"])
def test_api_refuses_owners_and_institutes_like_a_missing_page(api, city, small_city, path, persona):
    response = api(city.personas[persona]).get(path)
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


# ---- the coverage page -------------------------------------------------------------------------------------


def chart(response, region) -> dict:
    match = re.search(
        rf'<script id="coverage-chart-{region.pk}" type="application/json">(.*?)</script>', html(response), re.S
    )
    assert match, "the chart's data arrives through json_script"
    return json.loads(match.group(1))


def test_city_regulator_sees_the_city_figure_and_each_county(client, city, small_city):
    client.force_login(city.city_regulator)
    response = client.get(reverse("coverage:index"))
    assert response.status_code == 200
    body = html(response)
    # City 4 / 5 = 80.0 %; county A 3 / 5 = 60.0 %; county B 2 / 4 = 50.0 % (see test_coverage's arithmetic).
    assert "80.0%" in body
    data = chart(response, city.city)
    assert [(r["name"], r["percent"], r["numerator"], r["denominator"]) for r in data["rows"]] == [
        ("甲县", 60.0, 3, 5),
        ("乙县", 50.0, 2, 4),
    ]
    assert data["target"] == 80
    assert "js/coverage.js" in body and "vendor/echarts.min.js" in body
    # An uncovered item of county B links to the instrument list filtered by item and county.
    item_21 = catalog_item("21")
    assert (
        f'href="/instruments/?catalog_item={item_21.pk}&amp;county={city.county_b.pk}&amp;mandatory=1&amp;status=in_use"'
        in body
    )


def test_county_regulator_sees_only_its_county(client, city, small_city):
    client.force_login(city.county_regulator_b)
    response = client.get(reverse("coverage:index"))
    assert response.status_code == 200
    body = html(response)
    assert "50.0%" in body
    assert "甲县" not in body
    assert 'data-chart="coverage-by-county"' not in body


def test_a_past_date_is_computed_on_that_day_and_a_bad_one_falls_back_to_today(client, city, small_city):
    client.force_login(city.city_regulator)
    past = client.get(reverse("coverage:index"), {"date": (TODAY - timedelta(days=40)).isoformat()})
    assert "100.0%" in html(past)
    bad = client.get(reverse("coverage:index"), {"date": "2026-13-01"})
    assert bad.status_code == 200
    assert "80.0%" in html(bad)
    assert "2026-13-01" in html(bad)


# ---- the gaps page -----------------------------------------------------------------------------------------


def gap_codes(response) -> list[str]:
    return re.findall(r'<tr data-item="([^"]+)">', html(response))


def test_gaps_page_lists_items_by_instruments_affected_with_links_to_the_instruments(client, city, small_city):
    client.force_login(city.city_regulator)
    response = client.get(reverse("coverage:gaps"))
    assert response.status_code == 200
    # 03 (3 instruments), 21 (2), 22 (1).
    assert gap_codes(response) == ["03", "21", "22"]
    body = html(response)
    item_03 = catalog_item("03")
    assert f'href="/instruments/?catalog_item={item_03.pk}&amp;mandatory=1&amp;status=in_use"' in body
    assert f'href="/instruments/?catalog_item={item_03.pk}&amp;county={city.county_a.pk}&amp;mandatory=1' in body


def test_county_regulator_gaps_are_its_own_county_only(client, city, small_city):
    client.force_login(city.county_regulator_a)
    response = client.get(reverse("coverage:gaps"))
    # County A lacks 03 (2 instruments) and 22 (1).
    assert gap_codes(response) == ["03", "22"]
    assert "乙县" not in html(response)


def test_admin_sees_every_city(client, city, small_city):
    client.force_login(city.admin)
    assert gap_codes(client.get(reverse("coverage:gaps"))) == ["03", "21", "22"]


# ---- the API -----------------------------------------------------------------------------------------------


def test_api_coverage_gives_the_city_and_county_numbers(api, city, small_city):
    response = api(city.city_regulator).get("/api/v1/coverage")
    assert response.status_code == 200, response.content
    (report,) = response.json()
    assert report["date"] == TODAY.isoformat()
    assert (report["region"]["numerator"], report["region"]["denominator"]) == (4, 5)
    assert report["region"]["ratio"] == pytest.approx(0.8)
    assert [c["code"] for c in report["region"]["uncovered"]] == ["03"]
    assert [(c["region"], c["numerator"], c["denominator"]) for c in report["counties"]] == [
        ("甲县", 3, 5),
        ("乙县", 2, 4),
    ]
    assert report["valid_public_standards"] == 3


def test_api_coverage_for_a_county_regulator_is_its_county(api, city, small_city):
    (report,) = api(city.county_regulator_a).get("/api/v1/coverage").json()
    assert report["region"]["region"] == "甲县"
    assert report["counties"] == []


def test_api_gaps_in_order_with_counties(api, city, small_city):
    response = api(city.city_regulator).get("/api/v1/coverage/gaps")
    assert response.status_code == 200, response.content
    (report,) = response.json()
    assert [(g["code"], g["instruments"], g["nowhere_in_city"]) for g in report["gaps"]] == [
        ("03", 3, True),
        ("21", 2, False),
        ("22", 1, False),
    ]
    assert [(r["region"], r["instruments"]) for r in report["gaps"][0]["regions"]] == [("甲县", 2), ("乙县", 1)]


def test_api_past_date_and_bad_date(api, city, small_city):
    past = api(city.city_regulator).get("/api/v1/coverage", date=(TODAY - timedelta(days=40)).isoformat())
    assert past.json()[0]["region"]["numerator"] == 5
    bad = api(city.city_regulator).get("/api/v1/coverage/gaps", date="yesterday")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "date"
