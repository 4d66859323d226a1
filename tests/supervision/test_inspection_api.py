"""The API of inspections and rectification: scoped like the pages (anonymous 401; another county, another owner and
an institute an empty list and 404 for an id; the inspected organization its own submitted inspections and orders
only), and the ordered organization's reply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.core import clock
from jiliang.supervision.models import Rectification
from jiliang.supervision.services import inspections as services

from ..builders.supervision import INSPECTIONS_DAY, inspections_answer_all, inspections_draw, inspections_start
from ..factories import InstrumentFactory

BASE = "/api/v1/supervision"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def day():
    with clock.travel(INSPECTIONS_DAY):
        yield INSPECTIONS_DAY


@pytest.fixture
def scene(city, world, day):
    draw = inspections_draw(city, world)
    target = draw.targets.order_by("stratum", "rank").first()
    InstrumentFactory(owner=target.organization, name="燃油加油机")
    drawn = inspections_start(city, world, target=target)
    services.test_draw_add(actor=city.county_regulator_a, inspection_id=drawn.pk, indicated="20", actual="19.90")
    draft = inspections_start(city, world, organization=city.owner_a)
    submitted = inspections_start(city, world, organization=city.owner_a)
    inspections_answer_all(city, submitted, compliant=False)
    services.inspection_submit(
        actor=city.county_regulator_a, inspection_id=submitted.pk, result_code="ordered_to_correct"
    )
    rectification = services.rectification_order(
        actor=city.county_regulator_a,
        inspection_id=submitted.pk,
        requirement="设置公平秤",
        deadline=day + timedelta(days=10),
        basis_codes=["JMSC-GEN"],
    )
    return {"drawn": drawn, "draft": draft, "submitted": submitted, "rectification": rectification}


def urls(scene):
    return [
        f"{BASE}/inspections/{scene['drawn'].pk}",
        f"{BASE}/inspections/{scene['draft'].pk}",
        f"{BASE}/inspections/{scene['submitted'].pk}",
        f"{BASE}/rectifications/{scene['rectification'].pk}",
    ]


def test_anonymous_gets_401_everywhere(api, scene):
    for url in [f"{BASE}/inspections", f"{BASE}/rectifications", *urls(scene)]:
        assert api(None).get(url).status_code == 401, url
    reply = api(None).post(f"{BASE}/rectifications/{scene['rectification'].pk}/reply", {"reply": "x"})
    assert reply.status_code == 401


@pytest.mark.parametrize("persona", ["county_regulator_b", "owner_b", "institute"])
def test_outsiders_see_empty_lists_and_404_for_every_id(api, city, scene, persona):
    caller = api(city.personas[persona])
    assert caller.get(f"{BASE}/inspections").json()["count"] == 0
    assert caller.get(f"{BASE}/rectifications").json()["count"] == 0
    for url in urls(scene):
        response = caller.get(url)
        assert response.status_code == 404, url
        assert set(response.json()) == {"detail", "errors"}
    reply = caller.post(f"{BASE}/rectifications/{scene['rectification'].pk}/reply", {"reply": "已整改"})
    assert reply.status_code == 404
    assert Rectification.objects.get().status == Rectification.Status.ORDERED


def test_a_regulator_reads_its_region_s_inspections_with_the_test_draws(api, city, scene):
    caller = api(city.county_regulator_a)
    body = caller.get(f"{BASE}/inspections").json()
    assert body["count"] == 3
    assert {item["number"] for item in body["items"]} == {scene[k].number for k in ("drawn", "draft", "submitted")}
    assert caller.get(f"{BASE}/inspections", status="submitted").json()["count"] == 1
    assert caller.get(f"{BASE}/inspections", task=scene["drawn"].task_id).json()["count"] == 1
    detail = caller.get(f"{BASE}/inspections/{scene['drawn'].pk}").json()
    assert detail["test_draws"][0]["error_percent"] == "0.503" and detail["test_draws"][0]["passed"] is False
    assert detail["instruments"][0]["due_state"] == "valid"
    assert [f["code"] for f in detail["findings"]][:2] == ["P01", "P02"]
    assert len(detail["inspectors"]) == 2
    city_body = api(city.city_regulator).get(f"{BASE}/rectifications").json()
    assert city_body["count"] == 1 and city_body["items"][0]["overdue"] is False


def test_the_inspected_organization_sees_its_submitted_inspection_and_replies(api, city, scene):
    caller = api(city.owner_a_user)
    body = caller.get(f"{BASE}/inspections").json()
    assert [item["number"] for item in body["items"]] == [scene["submitted"].number]
    assert caller.get(f"{BASE}/inspections/{scene['draft'].pk}").status_code == 404
    assert caller.get(f"{BASE}/inspections/{scene['drawn'].pk}").status_code == 404
    rectification = scene["rectification"]
    url = f"{BASE}/rectifications/{rectification.pk}/reply"
    assert caller.post(url, {"reply": ""}).status_code == 422
    response = caller.post(url, {"reply": "已设置公平秤"})
    assert response.status_code == 200
    assert response.json()["status"] == "replied" and response.json()["reply"] == "已设置公平秤"
    again = caller.post(url, {"reply": "再次回复"})
    assert again.status_code == 409
    assert api(city.county_regulator_a).post(url, {"reply": "x"}).status_code == 404


def test_an_order_past_its_deadline_shows_as_overdue(api, city, scene):
    with clock.travel(INSPECTIONS_DAY + timedelta(days=11)):
        body = api(city.county_regulator_a).get(f"{BASE}/rectifications", overdue="true").json()
    assert body["count"] == 1 and body["items"][0]["overdue"] is True
