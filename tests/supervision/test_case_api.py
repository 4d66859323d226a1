"""The case API: county A's bureau opens, files, notifies, decides and serves a case over HTTP; outsiders get an
empty list and 404; the party reads its case from the notice on, without the clocks or the internal documents."""

from __future__ import annotations

from datetime import date

import pytest

from jiliang.core import clock
from jiliang.supervision.models import Case, Publication

from ..builders.supervision import cases_open

BASE = "/api/v1/supervision/cases"


def run(api, city, world) -> int:
    caller = api(city.county_regulator_a)
    with clock.travel(date(2026, 9, 28)):
        response = caller.post(
            BASE,
            {
                "party_id": city.owner_a.pk,
                "source": "inspection",
                "summary": "使用未经检定的电子秤",
                "clue_received_on": "2026-09-28",
            },
        )
        assert response.status_code == 201, response.json()
        case_id = response.json()["id"]
        assert response.json()["clocks"][0]["deadline"] == "2026-10-23"
        assert response.json()["clocks"][0]["article"] == "《市场监督管理行政处罚程序规定》第十八条"
    with clock.travel(date(2026, 10, 9)):
        response = caller.post(
            f"{BASE}/{case_id}/file",
            {
                "filed_on": "2026-10-09",
                "officer_ids": [world.inspectors[0].pk, world.inspectors[1].pk],
                "basis_codes": ["JLF-26"],
            },
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "filed"
        response = caller.post(
            f"{BASE}/{case_id}/notify", {"notified_on": "2026-10-09", "penalty": "fine", "fine": "20000"}
        )
        assert response.status_code == 200, response.json()
    with clock.travel(date(2026, 10, 20)):
        response = caller.post(
            f"{BASE}/{case_id}/decide", {"decided_on": "2026-10-20", "penalty": "fine", "fine": "20000"}
        )
        assert response.status_code == 200, response.json()
        response = caller.post(f"{BASE}/{case_id}/serve", {"served_on": "2026-10-20", "method": "direct"})
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "served"
    return case_id


def test_the_bureau_runs_a_case_over_the_api(api, city, world):
    case_id = run(api, city, world)
    body = api(city.county_regulator_a).get(f"{BASE}/{case_id}").json()
    assert {d["kind"] for d in body["documents"]} == {"filing", "notice", "decision", "service"}
    assert {c["code"] for c in body["clocks"]} >= {"filing", "decision", "service", "payment", "publication"}
    assert Publication.objects.filter(case_id=case_id).exists()
    with clock.travel(date(2026, 10, 21)):
        response = api(city.county_regulator_a).post(f"{BASE}/{case_id}/revoke", {"reason": "复议撤销"})
    assert response.status_code == 200
    assert Publication.objects.get(case_id=case_id).withdrawn_at is not None


def test_a_late_filing_is_422_with_the_date(api, city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 26)):
        response = api(city.county_regulator_a).post(
            f"{BASE}/{case.pk}/file",
            {
                "filed_on": "2026-10-26",
                "officer_ids": [world.inspectors[0].pk, world.inspectors[1].pk],
                "basis_codes": ["JLF-26"],
            },
        )
    assert response.status_code == 422
    assert "2026-10-23" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "filed_on"


def test_bad_inputs_are_422_never_500(api, city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    caller = api(city.county_regulator_a)
    assert (
        caller.post(f"{BASE}/{case.pk}/file", {"filed_on": "x", "officer_ids": [1], "basis_codes": []}).status_code
        == 422
    )
    assert caller.post(f"{BASE}/{case.pk}/notify", {"notified_on": "2026-10-09", "penalty": "nope"}).status_code == 422
    assert caller.get(BASE, status="nope").status_code == 422
    assert caller.post(f"{BASE}/{case.pk}/serve", {"served_on": "2026-10-09", "method": "direct"}).status_code == 409


@pytest.mark.parametrize("persona", ["anonymous", "institute", "owner_b", "county_regulator_b"])
def test_outsiders_see_no_case_and_cannot_act(api, city, world, persona):
    case_id = run(api, city, world)
    caller = api(city.personas[persona])
    listing = caller.get(BASE)
    if persona == "anonymous":
        assert listing.status_code == 401
    else:
        assert listing.status_code == 200 and listing.json()["count"] == 0
    expected = 401 if persona == "anonymous" else 404
    assert caller.get(f"{BASE}/{case_id}").status_code == expected
    for act, body in [
        ("file", {"filed_on": "2026-10-09", "officer_ids": [1, 2], "basis_codes": ["JLF-26"]}),
        ("notify", {"notified_on": "2026-10-09", "penalty": "warning"}),
        ("decide", {"decided_on": "2026-10-09", "penalty": "warning"}),
        ("serve", {"served_on": "2026-10-09", "method": "direct"}),
        ("revoke", {"reason": "x"}),
    ]:
        assert caller.post(f"{BASE}/{case_id}/{act}", body).status_code == expected, act
    if persona != "anonymous":
        response = caller.post(
            BASE,
            {"party_id": city.owner_a.pk, "source": "inspection", "summary": "x", "clue_received_on": "2026-09-28"},
        )
        assert response.status_code in (403, 404, 422)
    assert Case.objects.count() == 1
    assert Publication.objects.get(case_id=case_id).withdrawn_at is None


def test_the_party_reads_its_case_from_the_notice_on(api, city, world):
    clue = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    case_id = run(api, city, world)
    caller = api(city.owner_a_user)
    listing = caller.get(BASE).json()
    assert [item["id"] for item in listing["items"]] == [case_id]
    assert caller.get(f"{BASE}/{clue.pk}").status_code == 404
    body = caller.get(f"{BASE}/{case_id}").json()
    assert body["clocks"] == []
    assert {d["kind"] for d in body["documents"]} == {"notice", "decision", "service"}
    assert caller.post(f"{BASE}/{case_id}/revoke", {"reason": "x"}).status_code == 404
