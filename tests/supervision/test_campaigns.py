"""Special campaigns: a bureau opens one; its dashboard counts by county what was checked, found, ordered, filed and
fined; outsiders are refused."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jiliang.core.errors import DomainError
from jiliang.core.models import AuditEvent
from jiliang.supervision.models import (
    Campaign,
    Case,
    Checklist,
    Finding,
    Inspection,
    Rectification,
    ResultCategory,
    Trade,
)
from jiliang.supervision.selectors.campaigns import campaign_dashboard
from jiliang.supervision.services.campaigns import campaign_create


@pytest.fixture
def campaign(city, world):
    return campaign_create(
        actor=city.city_regulator,
        name="2026年加油站计量专项检查",
        trade=Trade.PETROL,
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
    )


def inspect(city, campaign, owner, n, *, result="no_problem", failed=()):
    inspection = Inspection.objects.create(
        number=f"T-{n}",
        organization=owner,
        region=owner.region,
        bureau=city.bureau_a,
        campaign=campaign,
        checklist=Checklist.objects.get(trade="petrol"),
        inspected_on=date(2026, 11, 10),
        status=Inspection.Status.SUBMITTED,
        result=ResultCategory.objects.get(code=result),
    )
    for code, text in failed:
        Finding.objects.create(inspection=inspection, code=code, text=text, compliant=False)
    return inspection


def test_a_campaign_is_opened_by_a_bureau_with_its_period(city, campaign):
    assert campaign.region == city.city and campaign.bureau == city.city_bureau
    assert AuditEvent.objects.filter(action="campaign.create", object_id=str(campaign.pk)).exists()
    with pytest.raises(DomainError):
        campaign_create(
            actor=city.owner_a_user, name="x", trade="petrol", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
        )
    with pytest.raises(DomainError, match="结束日期"):
        campaign_create(
            actor=city.city_regulator, name="x", trade="petrol", starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 2)
        )


def test_the_dashboard_counts_by_county(city, world, campaign):
    owners = world.owners
    inspect(city, campaign, owners[0], 1)
    bad = inspect(
        city, campaign, owners[1], 2, result="ordered_to_correct", failed=[("P01", "封印完好"), ("P03", "误差")]
    )
    inspect(city, campaign, owners[2], 3, result="ordered_to_correct", failed=[("P01", "封印完好")])
    inspect(city, campaign, city.owner_b, 4)
    Inspection.objects.create(
        number="T-5",
        organization=owners[3],
        region=city.county_a,
        bureau=city.bureau_a,
        campaign=campaign,
        checklist=Checklist.objects.get(trade="petrol"),
        inspected_on=date(2026, 11, 11),
    )
    order = Rectification.objects.create(
        number="R-1",
        inspection=bad,
        organization=owners[1],
        region=city.county_a,
        bureau=city.bureau_a,
        requirement="改正",
        ordered_on=date(2026, 11, 12),
        deadline=date(2026, 11, 30),
    )
    Case.objects.create(
        number="C-1",
        region=city.county_a,
        bureau=city.bureau_a,
        party=owners[1],
        source=Case.Source.RECTIFICATION,
        rectification=order,
        summary="逾期未改",
        clue_received_on=date(2026, 12, 1),
        decided_on=date(2026, 12, 5),
        fine=Decimal("5000.00"),
    )
    board = campaign_dashboard(campaign)
    by_name = {row.name: row for row in board.rows}
    a, b = by_name[city.county_a.name], by_name[city.county_b.name]
    assert (a.checked, a.problems, a.orders, a.cases, a.fines) == (3, 2, 1, 1, Decimal("5000.00"))
    assert (b.checked, b.problems, b.orders, b.cases) == (1, 0, 0, 0)
    assert board.in_progress == 1
    assert board.problem_kinds[0] == ("封印完好", 2)
    assert board.totals.checked == 4


def test_the_dashboard_page_draws_its_charts_from_the_figures(client, city, world, campaign):
    inspect(city, campaign, world.owners[0], 1, result="ordered_to_correct", failed=[("P01", "封印完好")])
    client.force_login(city.county_regulator_a)
    assert client.get(reverse("supervision:campaign_detail", args=[campaign.pk])).status_code == 404  # the city's
    client.force_login(city.city_regulator)
    html = client.get(reverse("supervision:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-chart="campaign-counties"' in html and "js/campaign" in html
    marker = 'id="campaign-data" type="application/json">'
    start = html.index(marker) + len(marker)
    data = json.loads(html[start : html.index("</script>", start)])
    assert {row["name"]: row["problems"] for row in data["rows"]} == {city.county_a.name: 1, city.county_b.name: 0}
    assert data["kinds"] == [{"name": "封印完好", "value": 1}]


def test_outsiders_get_nothing(client, city, campaign):
    urls = [
        reverse("supervision:campaigns"),
        reverse("supervision:campaign_create"),
        reverse("supervision:campaign_detail", args=[campaign.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    for persona in ("owner_a", "institute"):
        client.force_login(city.personas[persona])
        for url in urls:
            assert client.get(url).status_code == 404
    client.force_login(city.county_regulator_b)
    assert campaign.name not in client.get(reverse("supervision:campaigns")).content.decode()
    assert (
        client.post(
            reverse("supervision:campaign_create"),
            {"name": "乙县专项", "trade": "market", "starts_on": "2026-12-01", "ends_on": "2026-12-31"},
        ).status_code
        == 302
    )
    assert Campaign.objects.filter(region=city.county_b).count() == 1
