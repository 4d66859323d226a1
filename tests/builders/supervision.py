"""A county's 双随机 world on the ``city`` personas: the city's item list, county A's bureau with five officers, a
dozen owners in county A in strata A and B, and the bureau's annual plan with one task ready to draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jiliang.core.models import Organization
from jiliang.supervision.models import AnnualPlan, Inspector, ItemList, Task
from jiliang.supervision.services import plans, rosters

from ..factories import OrganizationFactory, credit_code

ITEMS = [
    {
        "code": "JL-01",
        "name": "加油站计量器具检定情况检查",
        "sub_item": "燃油加油机的检定证书、封印与误差",
        "legal_basis": "《中华人民共和国计量法》第九条；《加油站计量监督管理办法》",
        "object_categories": ["petrol_station"],
    },
    {
        "code": "JL-02",
        "name": "集贸市场计量监督检查",
        "sub_item": "公平秤、强制检定计量器具登记与检定",
        "legal_basis": "《集贸市场计量监督管理办法》",
        "object_categories": ["market_fair"],
    },
]


@dataclass
class Supervision:
    item_list: ItemList
    inspectors: list[Inspector]
    owners: list[Organization]
    plan: AnnualPlan
    task: Task


def build_supervision(city, *, owners: int = 12, officers: int = 5) -> Supervision:
    item_list = rosters.item_list_revise(actor=city.city_regulator, region=city.city, items=ITEMS, note="首版")
    inspectors = [
        rosters.inspector_create(
            actor=city.county_regulator_a,
            organization=city.bureau_a,
            name=f"执法员{i}",
            certificate_number=f"LN21092100{i:02d}",
            valid_until=date(2030, 12, 31),
            field="计量",
        )
        for i in range(1, officers + 1)
    ]
    made = []
    for i in range(owners):
        owner = OrganizationFactory(
            name=f"甲县第{i + 1}加油站",
            kind=Organization.Kind.OWNER,
            region=city.county_a,
            category=Organization.Category.PETROL_STATION,
            credit_code=credit_code(),
        )
        rosters.stratum_set(actor=None, organization=owner, stratum="A" if i % 3 else "B", source="测试")
        made.append(owner)
    plan = plans.plan_create(actor=city.county_regulator_a, year=2026, title="甲县2026年度双随机抽查计划")
    task = plans.task_create(
        actor=city.county_regulator_a,
        plan_id=plan.pk,
        name="加油站计量专项抽查",
        kind=Task.Kind.UNDIRECTED,
        item_ids=[item.pk for item in item_list.items.all()],
        quotas={"A": "0.5", "B": 2, "unrated": 0},
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    return Supervision(item_list=item_list, inspectors=inspectors, owners=made, plan=plan, task=task)


# ---- inspections (issue 15, Build 3 and 4) -------------------------------------------------------------------------

INSPECTIONS_SEED = "2026142 03 11 17 22 28 31 + 09"
INSPECTIONS_DAY = date(2026, 12, 2)  # a Wednesday within the task's dates


def inspections_draw(city, world: Supervision):
    """Run the world's task's draw (committed and seeded as county A's bureau); returns the drawn round."""
    plans.draw_commit(
        actor=city.county_regulator_a, task_id=world.task.pk, seed_source="中国福利彩票双色球第 2026142 期开奖号码"
    )
    return plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed=INSPECTIONS_SEED)


def inspections_start(city, world: Supervision, *, target=None, organization=None, on: date = INSPECTIONS_DAY):
    """An inspection by county A's bureau with its first two officers: of a drawn target, or of an organization."""
    from jiliang.supervision.services import inspections

    return inspections.inspection_start(
        actor=city.county_regulator_a,
        inspected_on=on,
        inspector_ids=[officer.pk for officer in world.inspectors[:2]],
        drawn_target_id=target.pk if target is not None else None,
        organization_id=organization.pk if organization is not None else None,
    )


def inspections_answer_all(city, inspection, *, compliant: bool = True) -> None:
    """Answer every finding of ``inspection`` (compliant, or not with a note)."""
    from jiliang.supervision.services import inspections

    inspections.findings_record(
        actor=city.county_regulator_a,
        inspection_id=inspection.pk,
        answers={
            pk: inspections.Answer(compliant=compliant, note="" if compliant else "现场发现问题")
            for pk in inspection.findings.values_list("pk", flat=True)
        },
    )


# ---- cases (issue 15, administrative penalty cases) ----------------------------------------------------------------

CASE_BASES = ["JLF-26", "JLXZ-43"]


def cases_open(city, world: Supervision, *, clue_received_on: date, party: Organization | None = None):
    """A clue against owner A (or ``party``) registered by county A's bureau on ``clue_received_on``."""
    from jiliang.core import clock
    from jiliang.supervision.models import Case
    from jiliang.supervision.services import cases

    with clock.travel(clue_received_on):
        return cases.case_open(
            actor=city.county_regulator_a,
            party_id=(party or city.owner_a).pk,
            source=Case.Source.INSPECTION,
            summary="使用未经检定的电子计价秤从事贸易结算",
            clue_received_on=clue_received_on,
        )


def cases_filed(city, world: Supervision, *, clue_received_on: date, filed_on: date, party: Organization | None = None):
    """A case opened on ``clue_received_on`` and filed on ``filed_on`` with two of the bureau's officers."""
    from jiliang.core import clock
    from jiliang.supervision.services import cases

    case = cases_open(city, world, clue_received_on=clue_received_on, party=party)
    with clock.travel(filed_on):
        cases.case_file(
            actor=city.county_regulator_a,
            case_id=case.pk,
            filed_on=filed_on,
            officer_ids=[world.inspectors[0].pk, world.inspectors[1].pk],
            basis_codes=CASE_BASES,
        )
    case.refresh_from_db()
    return case
