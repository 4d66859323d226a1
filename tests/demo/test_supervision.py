"""The demo's year of 双随机 supervision: per city an item list, an inspector pool, three campaigns and the city
bureau's plan with six tasks drawn in public, each draw recomputable; each draw recomputes from its published document."""

from __future__ import annotations

from datetime import date

import pytest

from jiliang.core.models import Region
from jiliang.demo import city
from jiliang.demo.supervision import CASE_STATES, TASKS, build_cases, build_inspections, build_supervision
from jiliang.metrology import draw_document
from jiliang.supervision.models import (
    AnnualPlan,
    Campaign,
    Case,
    Draw,
    DrawnTarget,
    Inspection,
    Inspector,
    ItemList,
    Publication,
    Rectification,
    Task,
)

TODAY = date(2026, 12, 1)


@pytest.fixture
def built(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city.build_city(seed=3, instruments=900, today=TODAY)
    return build_supervision(seed=3, today=TODAY)


def test_each_city_has_its_plan_with_six_drawn_tasks_that_recompute(built):
    cities = Region.objects.filter(level=Region.Level.CITY)
    assert cities.count() == 2
    for region in cities:
        assert ItemList.objects.filter(region=region).count() == 1
        plan = AnnualPlan.objects.get(region=region)
        assert plan.status == AnnualPlan.Status.FILED and plan.year == 2026
        tasks = Task.objects.filter(plan=plan)
        assert tasks.count() == len(TASKS)
        assert set(tasks.values_list("status", flat=True)) == {Task.Status.DRAWN}
        assert Campaign.objects.filter(region=region).count() == 3
        assert Inspector.objects.filter(organization__region__parent=region).count() >= 4
        for draw in Draw.objects.filter(task__plan=plan):
            assert draw_document.verify(draw.document) == []
            assert draw.committed_at.date() < draw.seeded_at.date() <= TODAY
            for target in DrawnTarget.objects.filter(draw=draw).prefetch_related("inspectors"):
                assert target.inspectors.count() == 2
    assert built.tasks == 2 * len(TASKS) and built.drawn == DrawnTarget.objects.count() > 0


def test_every_draw_has_its_own_seed_from_the_announced_source(built):
    first = sorted(Draw.objects.values_list("task__number", "seed", "commitment_digest"))
    assert first and all(seed for _n, seed, _d in first)
    assert len({seed for _n, seed, _d in first}) == len(first)


def test_the_drawn_targets_are_inspected_ordered_and_published(built):
    done = build_inspections(seed=3, today=TODAY)
    assert done.inspections == Inspection.objects.count() > 0
    assert Inspection.objects.filter(drawn_target__isnull=True).count() == 0
    assert not Inspection.objects.filter(inspected_on__gt=TODAY).exists()
    assert done.orders == Rectification.objects.count()
    problems = Inspection.objects.filter(result__problem=True)
    assert set(Rectification.objects.values_list("inspection_id", flat=True)) == set(
        problems.values_list("id", flat=True)
    )
    assert done.published == Publication.objects.filter(kind="result").count() > 0
    for inspection in Inspection.objects.all():
        assert inspection.inspectors.count() == 2
        assert not inspection.findings.filter(compliant__isnull=True).exists()


def test_cases_in_every_state_with_their_documents(built):
    build_inspections(seed=3, today=TODAY)
    done = build_cases(seed=3, today=TODAY)
    assert done.cases == Case.objects.count() > 0
    # The oldest candidates are taken through the longest paths, in CASE_STATES' order (all here are old enough).
    states = list(Case.objects.order_by("clue_received_on", "id").values_list("status", flat=True))
    assert states == list(CASE_STATES[: len(states)])
    for case in Case.objects.filter(status__in=["decided", "served", "closed"]):
        assert case.documents.filter(kind="decision").exists()
        assert case.decided_on <= TODAY and case.filed_on < case.decided_on
    assert not Case.objects.filter(clue_received_on__gt=TODAY).exists()
