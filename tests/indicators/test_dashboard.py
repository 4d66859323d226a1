"""The plan dashboard: figures read from snapshots, judged against the target with a projection, a county
breakdown, drill-in by county, and who may read it.

Snapshots are written by hand here (the definitions have tests of their own), so every expected number below is
the one written a few lines above it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiliang.indicators.models import Indicator, Plan, Snapshot
from jiliang.indicators.selectors import plans as dashboard
from jiliang.metrology import trend

pytestmark = pytest.mark.django_db


def snap(indicator: Indicator, region, day: date, value, numerator=None, denominator=None) -> Snapshot:
    return Snapshot.objects.create(
        indicator=indicator,
        region=region,
        day=day,
        value=None if value is None else Decimal(str(value)),
        numerator=numerator,
        denominator=denominator,
        computed_at=timezone.now(),
    )


@pytest.fixture
def yanan():
    return Plan.objects.get(code="yanan-2021")


@pytest.fixture
def coverage(yanan):
    return yanan.indicators.get(code="coverage")  # ≥ 90 % by 2025-12-31


@pytest.fixture
def figures(city, coverage, yanan):
    """Coverage for the city rising 80 → 84 → 88 over two half-years (on track for 90 % by 2025-12-31), county
    A at 95 (met) and county B at 70 on the last day; new standards 12 of ≥ 30 with no trend."""
    snap(coverage, city.city, date(2024, 6, 30), 80, 800, 1000)
    snap(coverage, city.city, date(2024, 12, 31), 84, 840, 1000)
    snap(coverage, city.city, date(2025, 6, 30), 88, 880, 1000)
    snap(coverage, city.county_a, date(2025, 6, 30), 95, 475, 500)
    snap(coverage, city.county_b, date(2025, 6, 30), 70, 350, 500)
    snap(coverage, city.county_a, date(2024, 12, 31), 90, 450, 500)
    new_standards = yanan.indicators.get(code="new-standards")
    snap(new_standards, city.city, date(2025, 6, 30), 12, 12, None)
    return coverage


def test_dashboard_shows_the_latest_snapshot_with_its_trend_and_counties(city, yanan, figures):
    board = dashboard.plan_dashboard(yanan, region=city.city, live=False)
    assert board.day == date(2025, 6, 30)
    row = board.row("coverage")
    assert row.value == Decimal("88")
    assert (row.numerator, row.denominator) == (880, 1000)
    assert [p.value for p in row.trend] == [Decimal("80"), Decimal("84"), Decimal("88")]
    assert {c.region.pk: c.value for c in row.counties} == {
        city.county_a.pk: Decimal("95"),
        city.county_b.pk: Decimal("70"),
    }
    # 8 points a year → about 92 by the end of 2025: not met now, on track.
    assert Decimal("91") < row.projection < Decimal("93")
    assert row.status == trend.Status.ON_TRACK
    assert board.row("new-standards").status == trend.Status.OFF_TRACK  # 12 of 30, no trend to project
    assert board.row("highest-standards").status == trend.Status.NO_DATA


def test_dashboard_on_an_earlier_day_reads_the_snapshot_of_that_day(city, yanan, figures):
    board = dashboard.plan_dashboard(yanan, region=city.city, day=date(2025, 1, 15), live=False)
    assert board.day == date(2024, 12, 31)
    row = board.row("coverage")
    assert row.value == Decimal("84")
    assert [p.value for p in row.trend] == [Decimal("80"), Decimal("84")]
    assert {c.region.pk: c.value for c in row.counties} == {city.county_a.pk: Decimal("90"), city.county_b.pk: None}


def test_a_falling_trend_is_off_track(city, coverage, yanan):
    snap(coverage, city.city, date(2024, 6, 30), 88)
    snap(coverage, city.city, date(2025, 6, 30), 86)
    assert dashboard.plan_dashboard(yanan, region=city.city, live=False).row("coverage").status == "off_track"


def test_a_county_dashboard_holds_only_that_county(city, yanan, figures):
    board = dashboard.plan_dashboard(yanan, region=city.county_a, live=False)
    row = board.row("coverage")
    assert row.value == Decimal("95")
    assert row.counties == []
    assert f"county={city.county_a.pk}" in row.records_url


def test_live_coverage_agrees_with_the_home_page_tally(city, instrument_a, instrument_b, coverage):
    # Both instruments were verified 100 days ago on a 12-month interval: covered.
    assert dashboard.live_coverage({city.city.pk, city.county_a.pk, city.county_b.pk}) == Decimal("100.00")
    assert dashboard.live_coverage({city.county_a.pk}) == Decimal("100.00")
    assert dashboard.live_coverage(set()) is None


def test_regulator_sees_the_dashboard_with_links_to_records(client, city, figures):
    client.force_login(city.city_regulator)
    response = client.get(reverse("plans:detail", args=["yanan-2021"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="dashboard"' in body and 'data-testid="value-coverage"' in body
    assert "88" in body and "预计可达标" in body
    assert reverse("plans:indicator", args=["yanan-2021", "coverage"]) in body
    assert reverse("instruments:list") + "?mandatory=1" in body


def test_dashboard_without_snapshots_says_how_to_make_them(client, city):
    client.force_login(city.city_regulator)
    body = client.get(reverse("plans:detail", args=["yanan-2021"])).content.decode()
    assert "尚无指标快照" in body and "snapshot_indicators" in body


@pytest.mark.parametrize("persona", ["institute", "owner_a"])
def test_institutes_and_owners_see_the_targets_but_no_figures(client, city, figures, persona):
    client.force_login(city.personas[persona])
    response = client.get(reverse("plans:detail", args=["yanan-2021"]))
    assert response.status_code == 200
    assert 'id="dashboard"' not in response.content.decode()
    assert client.get(reverse("plans:indicator", args=["yanan-2021", "coverage"])).status_code == 404


def test_anonymous_is_sent_to_login(client, city, figures):
    for url in (
        reverse("plans:detail", args=["yanan-2021"]),
        reverse("plans:indicator", args=["yanan-2021", "coverage"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url


def test_city_regulator_drills_into_one_county(client, city, figures):
    client.force_login(city.city_regulator)
    url = reverse("plans:indicator", args=["yanan-2021", "coverage"])
    response = client.get(url, {"county": city.county_b.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["region"] == city.county_b
    assert response.context["row"].value == Decimal("70")
    # The neighbours stay beside it in the breakdown, the chosen one marked.
    assert [c.region for c in response.context["counties"]] == [city.county_a, city.county_b]
    assert f'class="selected" data-county="{city.county_b.pk}"' in body
    assert f"county={city.county_b.pk}" in body  # the records link is the county's


def test_county_regulator_reads_its_county_and_never_the_neighbour(client, city, figures):
    client.force_login(city.county_regulator_a)
    url = reverse("plans:indicator", args=["yanan-2021", "coverage"])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["region"] == city.county_a
    assert response.context["row"].value == Decimal("95")
    assert city.county_b.name not in response.content.decode()
    assert client.get(url, {"county": city.county_b.pk}).status_code == 404
    plan_page = client.get(reverse("plans:detail", args=["yanan-2021"]))
    assert plan_page.context["board"].region == city.county_a


def test_unknown_indicator_and_bad_date(client, city, figures):
    client.force_login(city.city_regulator)
    assert client.get(reverse("plans:indicator", args=["yanan-2021", "no-such"])).status_code == 404
    response = client.get(reverse("plans:detail", args=["yanan-2021"]), {"date": "2025-13-40"})
    assert response.status_code == 200 and "无效" in response.content.decode()
    assert response.context["board"].day == date(2025, 6, 30)


def test_admin_chooses_the_city(client, city, figures):
    client.force_login(city.admin)
    response = client.get(reverse("plans:detail", args=["yanan-2021"]), {"city": city.city.pk})
    assert response.context["board"].region == city.city
    assert response.context["board"].row("coverage").value == Decimal("88")


def test_the_dashboard_reads_as_many_queries_whatever_the_history(client, city, figures, coverage):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(city.city_regulator)
    url = reverse("plans:detail", args=["yanan-2021"])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for month in range(1, 13):
        for region in (city.city, city.county_a, city.county_b):
            snap(coverage, region, date(2023, month, 28), 70 + month)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_plan_pages_link_to_the_evaluation_reports_for_the_city_bureau_only(client, city):
    link = reverse("evaluations:list")
    client.force_login(city.city_regulator)
    assert link in client.get(reverse("plans:list")).content.decode()
    assert link in client.get(reverse("plans:detail", args=["yanan-2021"])).content.decode()
    client.force_login(city.county_regulator_a)
    assert link not in client.get(reverse("plans:detail", args=["yanan-2021"])).content.decode()
