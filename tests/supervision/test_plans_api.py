"""The plans and draws API: the bureau commits and seeds a task's draw over HTTP; the city bureau reads but does not
act; another county, owners, institutes and callers without a token get nothing."""

from __future__ import annotations

from datetime import date

import pytest

from jiliang.core import clock
from jiliang.supervision.models import Draw

PLANS = "/api/v1/supervision/plans"
TASKS = "/api/v1/supervision/tasks"
SEED = "03 11 17 22 28 31 + 09"


def test_the_bureau_commits_and_seeds_over_the_api(api, city, world):
    caller = api(city.county_regulator_a)
    with clock.travel(date(2026, 12, 1)):
        response = caller.post(f"{TASKS}/{world.task.pk}/commit", {"seed_source": "双色球第 2026142 期"})
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "committed" and response.json()["seed"] == ""
        response = caller.post(f"{TASKS}/{world.task.pk}/seed", {"seed": SEED})
        assert response.status_code == 200, response.json()
    body = response.json()
    assert body["seed"] == SEED and sum(len(ids) for ids in body["drawn"].values()) == 6
    assert all(len(team) == 2 for team in body["teams"].values())
    task = caller.get(f"{TASKS}/{world.task.pk}").json()
    assert task["status"] == "drawn" and task["draws"][0]["commitment_digest"] == body["commitment_digest"]
    assert caller.get(PLANS).json()["count"] == 1


def test_a_refused_act_is_a_4xx_with_its_reason(api, city, world):
    caller = api(city.county_regulator_a)
    response = caller.post(f"{TASKS}/{world.task.pk}/seed", {"seed": SEED})
    assert response.status_code in (400, 409, 422) and "冻结名录" in str(response.json())
    response = caller.post(f"{TASKS}/{world.task.pk}/commit", {"seed_source": ""})
    assert response.status_code == 422
    assert not Draw.objects.exists()


def test_the_city_bureau_reads_the_county_task_but_cannot_draw(api, city, world):
    caller = api(city.city_regulator)
    assert caller.get(f"{TASKS}/{world.task.pk}").status_code == 200
    assert caller.post(f"{TASKS}/{world.task.pk}/commit", {"seed_source": "x"}).status_code == 404
    assert not Draw.objects.exists()


@pytest.mark.parametrize("persona", ["county_regulator_b", "owner_a", "owner_b", "institute", "anonymous"])
def test_outsiders_get_nothing(api, city, world, persona):
    caller = api(city.personas[persona])
    expected_list = 401 if persona == "anonymous" else 200
    for url in (PLANS, TASKS):
        response = caller.get(url)
        assert response.status_code == expected_list
        if expected_list == 200:
            assert response.json()["count"] == 0
    missing = 401 if persona == "anonymous" else 404
    assert caller.get(f"{PLANS}/{world.plan.pk}").status_code == missing
    assert caller.get(f"{TASKS}/{world.task.pk}").status_code == missing
    assert caller.post(f"{TASKS}/{world.task.pk}/commit", {"seed_source": "x"}).status_code == missing
    assert caller.post(f"{TASKS}/{world.task.pk}/seed", {"seed": SEED}).status_code == missing
    assert not Draw.objects.exists()
