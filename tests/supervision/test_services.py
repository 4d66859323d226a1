"""The services of 双随机: the item list, the pools, plans, tasks and the two published steps of a draw."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from jiliang.core import clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent, Organization
from jiliang.metrology import draw_document
from jiliang.supervision.models import Draw, DrawnTarget, ItemList, Task
from jiliang.supervision.services import plans, rosters

from ..factories import OrganizationFactory, credit_code

SEED = "2026142 03 11 17 22 28 31 + 09"


def commit(world, city, **kwargs):
    kwargs.setdefault("seed_source", "中国福利彩票双色球第 2026142 期开奖号码")
    return plans.draw_commit(actor=city.county_regulator_a, task_id=world.task.pk, **kwargs)


def test_the_city_bureau_revises_the_item_list_as_a_new_version_and_the_old_one_stays(city, world):
    second = rosters.item_list_revise(
        actor=city.city_regulator,
        region=city.city,
        items=[{"code": "JL-09", "name": "眼镜店检查", "legal_basis": "计量法"}],
    )
    assert second.version == 2
    assert list(ItemList.objects.filter(region=city.city).order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]
    assert world.item_list.items.count() == 2
    assert world.task.items.count() == 2


def test_a_county_bureau_may_not_revise_the_city_list(city, world):
    with pytest.raises(DomainError):
        rosters.item_list_revise(
            actor=city.county_regulator_a, region=city.city, items=[{"code": "X", "name": "x", "legal_basis": "y"}]
        )


def test_an_item_without_legal_basis_is_refused_and_nothing_is_saved(city, world):
    with pytest.raises(DomainError, match="检查依据"):
        rosters.item_list_revise(actor=city.city_regulator, region=city.city, items=[{"code": "X", "name": "x"}])
    assert ItemList.objects.filter(region=city.city).count() == 1


def test_a_certificate_number_is_in_the_pool_once(city, world):
    with pytest.raises(DomainError, match="已在名录库"):
        rosters.inspector_create(
            actor=city.county_regulator_a,
            organization=city.bureau_a,
            name="重复",
            certificate_number=world.inspectors[0].certificate_number.lower(),
            valid_until=date(2030, 1, 1),
        )


def test_a_bureau_adds_officers_only_to_itself(city, world):
    with pytest.raises(DomainError):
        rosters.inspector_create(
            actor=city.county_regulator_b,
            organization=city.bureau_a,
            name="他人",
            certificate_number="X1",
            valid_until=date(2030, 1, 1),
        )


def test_another_county_cannot_add_a_task_to_the_plan(city, world):
    with pytest.raises(NotFoundOrForbidden):
        plans.task_create(
            actor=city.county_regulator_b,
            plan_id=world.plan.pk,
            name="x",
            kind=Task.Kind.UNDIRECTED,
            item_ids=[],
            quotas={"A": 1},
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 2),
        )


@pytest.mark.parametrize(
    ("value", "expected"), [("5", 5), ("0.05", "0.05"), ("5%", "0.05"), ("100%", "1"), ("12.5%", "0.125")]
)
def test_a_quota_is_a_count_or_a_ratio(value, expected):
    assert plans.parse_quota(value) == expected


@pytest.mark.parametrize("value", ["-1", "1.5", "150%", "abc", "NaN", "inf%"])
def test_a_bad_quota_is_refused(value):
    with pytest.raises(DomainError):
        plans.parse_quota(value)


def test_commit_freezes_the_rosters_and_publishes_their_digests(city, world):
    with clock.travel(date(2026, 12, 1)):
        draw = commit(world, city)
    assert draw.status == Draw.Status.COMMITTED
    assert draw.commitment["digest"] == draw.commitment_digest
    strata = draw.commitment["strata"]
    assert {name: strata[name]["size"] for name in strata} == {"A": 8, "B": 4, "unrated": 1}  # owner_a: no class yet
    assert strata["unrated"]["count"] == 0
    assert strata["A"]["count"] == 4 and strata["B"]["count"] == 2
    assert draw.commitment["inspectors"]["size"] == 5
    assert sorted(draw.roster["strata"]["A"]) == sorted(o.credit_code for i, o in enumerate(world.owners) if i % 3)
    world.task.refresh_from_db()
    assert world.task.status == Task.Status.COMMITTED
    assert AuditEvent.objects.filter(action="draw.commit", object_id=str(draw.pk)).exists()


def test_the_frozen_roster_cannot_be_changed_after_its_digest_is_published(city, world):
    with clock.travel(date(2026, 12, 1)):
        draw = commit(world, city)
    draw.roster["strata"]["A"].append(credit_code())
    with pytest.raises(DomainError, match="冻结名录不能修改"):
        draw.save()
    draw.refresh_from_db()
    with pytest.raises(DomainError):
        draw.delete()
    # An organization registered after the commit is not in this round's draw.
    late = OrganizationFactory(
        kind=Organization.Kind.OWNER, region=city.county_a, category="petrol_station", credit_code=credit_code()
    )
    with clock.travel(date(2026, 12, 2)):
        plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=SEED)
    draw.refresh_from_db()
    assert late.credit_code not in str(draw.document["rosters"])


def test_a_second_commit_before_the_seed_is_refused(city, world):
    with clock.travel(date(2026, 12, 1)):
        commit(world, city)
        with pytest.raises(DomainError, match="录入随机种子"):
            commit(world, city)


def test_the_seed_draws_targets_with_two_inspectors_each_free_of_conflicts(city, world):
    target = world.owners[1]
    rosters.conflict_declare(
        actor=city.county_regulator_a, inspector=world.inspectors[0], credit_code=target.credit_code, kind="relative"
    )
    with clock.travel(date(2026, 12, 1)):
        commit(world, city)
    with clock.travel(date(2026, 12, 2)):
        draw = plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=SEED)
    assert draw.status == Draw.Status.DRAWN and draw.seed == SEED
    assert draw_document.verify(draw.document) == []
    targets = list(DrawnTarget.objects.filter(draw=draw).prefetch_related("inspectors"))
    assert len(targets) == 6
    for row in targets:
        team = {i.certificate_number for i in row.inspectors.all()}
        assert len(team) == 2
        assert team == set(draw.document["teams"][row.organization.credit_code])
        if row.organization == target:
            assert world.inspectors[0].certificate_number not in team
    assert [row.organization.credit_code for row in targets if row.stratum == "A"] == draw.document["drawn"]["A"]
    world.task.refresh_from_db()
    assert world.task.status == Task.Status.DRAWN
    event = AuditEvent.objects.get(action="draw.seed", object_id=str(draw.pk))
    assert event.changes["seed"] == SEED and event.actor == city.county_regulator_a


def test_a_seed_that_does_not_match_the_published_hash_is_refused(city, world):
    secret = "7f3a9c-random-value"
    with clock.travel(date(2026, 12, 1)):
        commit(
            world, city, seed_source="本局事先公布摘要的随机数", seed_hash=hashlib.sha256(secret.encode()).hexdigest()
        )
    with pytest.raises(DomainError, match="摘要不符"):
        plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed="another value")
    draw = plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=secret)
    assert draw.status == Draw.Status.DRAWN


def test_a_redraw_needs_a_reason_and_both_rounds_stay(city, world):
    with clock.travel(date(2026, 12, 1)):
        commit(world, city)
        first = plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=SEED)
        with pytest.raises(DomainError, match="原因"):
            commit(world, city)
        second = commit(world, city, redraw_reason="抽中的两户已注销，经局长批准重新抽取")
    first.refresh_from_db()
    assert first.status == Draw.Status.SUPERSEDED and first.document is not None
    assert second.round == 2 and second.redraw_reason
    assert AuditEvent.objects.filter(action="draw.redraw", object_id=str(second.pk)).exists()


def test_a_later_task_excludes_who_the_bureau_drew_recently_and_the_same_pairs(city, world):
    with clock.travel(date(2026, 12, 1)):
        commit(world, city)
        first = plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=SEED)
        task = plans.task_create(
            actor=city.county_regulator_a,
            plan_id=world.plan.pk,
            name="第二批",
            kind=Task.Kind.UNDIRECTED,
            item_ids=[world.item_list.items.first().pk],
            quotas={"A": 1, "B": 1},
            starts_on=date(2026, 12, 10),
            ends_on=date(2026, 12, 20),
        )
        draw = plans.draw_commit(actor=city.county_regulator_a, task_id=task.pk, seed_source="下一期开奖号码")
    drawn = {code for ids in first.document["drawn"].values() for code in ids}
    assert set(draw.roster["exclusions"]) == drawn
    assert set(draw.roster["exclusions"].values()) == {"recent"}
    pairs = {tuple(pair) for pair in draw.roster["conflicts"]}
    for code, team in first.document["teams"].items():
        assert {(cert, code) for cert in team} <= pairs


def test_only_the_plans_own_bureau_commits_and_seeds(city, world):
    for actor in (city.city_regulator, city.county_regulator_b, city.owner_a_user, city.institute_user):
        with pytest.raises(NotFoundOrForbidden):
            plans.draw_commit(actor=actor, task_id=world.task.pk, seed_source="x")
    assert not Draw.objects.exists()


def test_a_target_too_few_officers_may_inspect_is_excluded_with_its_reason(city, world):
    target = world.owners[4]
    for inspector in world.inspectors[:4]:
        rosters.conflict_declare(
            actor=city.county_regulator_a, inspector=inspector, credit_code=target.credit_code, kind="business"
        )
    with clock.travel(date(2026, 12, 1)):
        draw = commit(world, city)
    assert draw.roster["exclusions"] == {target.credit_code: "unstaffed"}
    assert draw.commitment["exclusions"] == {target.credit_code: "unstaffed"}
