"""A year of 双随机 supervision in each demo city, through the real services (``jiliang.supervision.services``).

Per city: the city's item list (抽查事项清单), an inspector pool (the city bureau's officers and four per county
bureau, each with a synthetic law-enforcement certificate number), a few declared conflicts, a stratum for every
owner (synthetic credit classes A–D, to be replaced by the integrity area's grades), three special campaigns, and the
city bureau's annual plan with six tasks spread over the year, each drawn in public: the rosters frozen and their
digests published a week before the task starts, then the seed (a synthetic lottery result) entered on its first
day.

Organizations, people, numbers and lottery results are synthetic. Deterministic: the same seed and day give the
same records (``random.Random`` seeded per city, choices made in a fixed order).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.models import Organization, Region, Role, User
from jiliang.metrology.draw import add_working_days
from jiliang.supervision.models import Inspection, Inspector, Rectification, Task, Trade
from jiliang.supervision.services import campaigns, cases, inspections, plans, publication, rosters

from .names import CITIES
from .owners import person_name

Category = Organization.Category

# The city's item list (抽查事项清单): what a metrology spot check covers, by trade (supervision.md §1–2). The
# wording of the items is ours; the laws they cite are named in the reference notes.
ITEMS = (
    (
        "JL-01",
        "加油站计量监督检查",
        "燃油加油机检定、封印、计控主板与付油误差",
        "《中华人民共和国计量法》第九条；《加油站计量监督管理办法》",
        ("petrol_station",),
    ),
    (
        "JL-02",
        "集贸市场计量监督检查",
        "公平秤设置、强制检定计量器具登记备案与检定",
        "《集贸市场计量监督管理办法》",
        ("market_fair",),
    ),
    ("JL-03", "商场超市计量监督检查", "电子计价秤检定与皮重预置", "《中华人民共和国计量法》第九条", ("supermarket",)),
    (
        "JL-04",
        "眼镜制配场所计量监督检查",
        "焦度计、验光仪、验光镜片箱检定",
        "《中华人民共和国计量法》第九条",
        ("glasses_shop",),
    ),
    (
        "JL-05",
        "出租汽车计价器计量监督检查",
        "计价器检定与封印，作弊装置",
        "《中华人民共和国计量法》第九条、第二十七条",
        ("taxi_company",),
    ),
    (
        "JL-06",
        "医疗卫生机构计量器具监督检查",
        "血压计、心电图机等强制检定计量器具检定",
        "《中华人民共和国计量法》第九条",
        ("hospital", "township_clinic", "community_clinic"),
    ),
    (
        "JL-07",
        "企业计量管理监督检查",
        "计量器具台账与强制检定",
        "《中华人民共和国计量法实施细则》第四十三条",
        ("factory", "utility"),
    ),
)

# (name, items, categories, trade of the campaign or "", starting month, counts per stratum)
TASKS = (
    ("加油站计量专项抽查", ("JL-01",), ("petrol_station",), Trade.PETROL, 3, {"A": 3, "B": 4, "C": 4, "D": 4}),
    ("集贸市场计量抽查", ("JL-02",), ("market_fair",), Trade.MARKET, 4, {"A": 3, "B": 4, "C": 4, "D": 4}),
    ("眼镜制配场所计量抽查", ("JL-04",), ("glasses_shop",), Trade.GLASSES, 5, {"A": 2, "B": 3, "C": 3, "D": 3}),
    (
        "医疗卫生机构计量抽查",
        ("JL-06",),
        ("hospital", "township_clinic", "community_clinic"),
        "",
        6,
        {"A": 3, "B": 4, "C": 4, "D": 4},
    ),
    ("商场超市计量抽查", ("JL-03",), ("supermarket",), Trade.MARKET, 8, {"A": 2, "B": 3, "C": 3, "D": 3}),
    ("企业计量管理抽查", ("JL-07",), ("factory", "utility"), "", 9, {"A": 3, "B": 4, "C": 4, "D": 4}),
)

CAMPAIGNS = (
    (Trade.PETROL, "加油站计量专项整治行动", 3, 6),
    (Trade.MARKET, "民生计量“守护”专项行动（集贸市场、商场超市）", 4, 9),
    (Trade.GLASSES, "眼镜制配场所计量专项检查", 5, 7),
)

STRATA = (("A", 55), ("B", 25), ("C", 13), ("D", 7))
PROVINCE_LETTERS = {"陕": "SX", "辽": "LN"}


@dataclass
class SupervisionResult:
    inspectors: int = 0
    tasks: int = 0
    drawn: int = 0
    campaigns: int = 0
    by_city: dict[str, int] = field(default_factory=dict)


def _lottery(rng: random.Random) -> str:
    reds = sorted(rng.sample(range(1, 34), 6))
    return " ".join(f"{n:02d}" for n in reds) + f" + {rng.randint(1, 16):02d}"


def _year(today: date) -> int:
    """The demo's year of supervision: the calendar year of ``today`` once its September task has started, else the
    year before (every task of the year must have started by ``today``)."""
    return today.year if today >= date(today.year, 10, 1) else today.year - 1


def build_supervision(*, seed: int, today: date) -> SupervisionResult:
    result = SupervisionResult()
    for key, city in CITIES.items():
        region = Region.objects.filter(code=city.code, level=Region.Level.CITY).first()
        regulator = User.objects.filter(username=f"{city.login}_city", role=Role.REGULATOR).first()
        if region is None or regulator is None:
            continue
        rng = random.Random(f"{seed}-supervision-{key}")
        before = result.tasks
        _city(rng, result, region, regulator, city.province_short, today)
        result.by_city[city.name] = result.tasks - before
    return result


def _city(
    rng: random.Random, result: SupervisionResult, region: Region, regulator: User, province: str, today: date
) -> None:
    year = _year(today)
    start = date(year, 1, 10)
    with clock.travel(start):
        items = rosters.item_list_revise(
            actor=None,
            region=region,
            items=[
                {
                    "code": code,
                    "name": name,
                    "sub_item": sub,
                    "legal_basis": basis,
                    "object_categories": list(categories),
                }
                for code, name, sub, basis, categories in ITEMS
            ],
            note=_("演示数据：首版清单"),
        )
        codes = {item.code: item.pk for item in items.items.all()}
        letters = PROVINCE_LETTERS.get(province, "XX")
        bureaus = Organization.objects.filter(
            kind=Organization.Kind.REGULATOR, region__in=Region.objects.filter(parent=region)
        ) | Organization.objects.filter(kind=Organization.Kind.REGULATOR, region=region)
        officers = []
        for bureau in bureaus.order_by("region__code", "name"):
            many = 8 if bureau.region_id == region.pk else 4
            for i in range(1, many + 1):
                officers.append(
                    rosters.inspector_create(
                        actor=None,
                        organization=bureau,
                        name=person_name(rng),
                        certificate_number=f"{letters}{bureau.region.code}{i:04d}",
                        valid_until=date(year + rng.randint(1, 4), rng.randint(1, 12), 1),
                        field=_("计量监督"),
                    )
                )
        result.inspectors += len(officers)
        owners = list(
            Organization.objects.filter(kind=Organization.Kind.OWNER, region__parent=region).order_by("credit_code")
        )
        weights = [w for _s, w in STRATA]
        names = [s for s, _w in STRATA]
        strata = Counter()
        for owner in owners:
            stratum = rng.choices(names, weights)[0]
            rosters.stratum_set(actor=None, organization=owner, stratum=stratum, source=_("演示数据：模拟信用分类"))
            strata[(owner.category, stratum)] += 1
        for officer in rng.sample(officers, min(3, len(officers))):
            target = rng.choice(owners)
            rosters.conflict_declare(
                actor=None, inspector=officer, credit_code=target.credit_code, kind="relative", note=_("演示数据")
            )
        made = {}
        for trade, name, first, last in CAMPAIGNS:
            made[trade] = campaigns.campaign_create(
                actor=regulator,
                name=f"{year}年{name}",
                trade=trade,
                starts_on=date(year, first, 1),
                ends_on=date(year, last + 1, 1) - timedelta(days=1),
            )
            result.campaigns += 1
        plan = plans.plan_create(
            actor=regulator, year=year, title=_("%(year)s年度计量双随机抽查工作计划") % {"year": year}
        )
    for n, (name, item_codes, categories, trade, month, counts) in enumerate(TASKS, start=1):
        starts = date(year, month, 10)
        available = {s: sum(strata[(c, s)] for c in categories) for s in names}
        quotas = {s: min(counts.get(s, 0), available[s]) for s in names}
        with clock.travel(starts - timedelta(days=20)):
            task = plans.task_create(
                actor=regulator,
                plan_id=plan.pk,
                name=f"{year}年{name}",
                kind=Task.Kind.DIRECTED,
                item_ids=[codes[c] for c in item_codes],
                object_categories=list(categories),
                quotas=quotas,
                starts_on=starts,
                ends_on=starts + timedelta(days=60),
                lead_unit=plan.bureau.name,
                campaign_id=made[trade].pk if trade else None,
            )
            if n == 1:
                plans.plan_file(actor=regulator, plan_id=plan.pk)
        with clock.travel(starts - timedelta(days=7)):
            plans.draw_commit(
                actor=regulator,
                task_id=task.pk,
                seed_source=_("中国福利彩票双色球第 %(issue)s 期开奖号码（红球在前，蓝球在后）")
                % {"issue": f"{year}{n * 17:03d}"},
            )
        with clock.travel(starts):
            draw = plans.draw_seed(actor=regulator, task_id=task.pk, seed=_lottery(rng))
        result.tasks += 1
        result.drawn += draw.targets.count()


# --- inspections, rectification and published results -------------------------------------------------------------

# A finding is not met in this share of inspections; a petrol station's test draw fails in this share.
PROBLEM_SHARE = 0.18
FAILED_DRAW_SHARE = 0.08
# Of the orders: the organization replies (and the bureau re-checks, mostly passing) in this share.
REPLY_SHARE = 0.6


@dataclass
class InspectionResult:
    inspections: int = 0
    orders: int = 0
    replies: int = 0
    published: int = 0


def build_inspections(*, seed: int, today: date) -> InspectionResult:
    """Each drawn target of the demo's tasks inspected within its task's dates (before ``today``) by its drawn team;
    some findings not met, some petrol stations' test draws failing; a rectification order for every problem, most
    of them answered and re-checked; every task's results published."""
    result = InspectionResult()
    for key, city in CITIES.items():
        regulator = User.objects.filter(username=f"{city.login}_city", role=Role.REGULATOR).first()
        if regulator is None:
            continue
        rng = random.Random(f"{seed}-inspections-{key}")
        tasks = Task.objects.filter(plan__bureau=regulator.organization, status=Task.Status.DRAWN).order_by("starts_on")
        for task in tasks:
            draw = task.draws.filter(status="drawn").get()
            for target in draw.targets.select_related("organization").prefetch_related("inspectors").order_by("id"):
                day = task.starts_on + timedelta(days=rng.randint(0, 40))
                if day >= today:
                    continue
                _inspect(rng, result, regulator, target, day, today)
            with clock.travel(min(today, task.ends_on + timedelta(days=5))):
                if task.inspections.filter(status="submitted").exists():
                    result.published += publication.task_results_publish(actor=regulator, task_id=task.pk)
    return result


def _inspect(rng: random.Random, result: InspectionResult, regulator: User, target, day: date, today: date) -> None:
    with clock.travel(day):
        inspection = inspections.inspection_start(
            actor=regulator,
            inspected_on=day,
            inspector_ids=[officer.pk for officer in target.inspectors.all()],
            drawn_target_id=target.pk,
        )
        problem = rng.random() < PROBLEM_SHARE
        failing = set(rng.sample([f.pk for f in inspection.findings.all()], 1)) if problem else set()
        answers = {
            finding.pk: inspections.Answer(
                compliant=finding.pk not in failing,
                note=_("现场发现该项不符合要求（演示数据）") if finding.pk in failing else "",
            )
            for finding in inspection.findings.all()
        }
        if inspection.checklist.test_draw_mpe_percent is not None:
            fails = rng.random() < FAILED_DRAW_SHARE
            error = Decimal(rng.choice(("0.45", "-0.52", "0.61"))) if fails else Decimal(rng.randint(-20, 20)) / 100
            actual = (Decimal("20.000") / (1 + error / 100)).quantize(Decimal("0.001"))
            inspections.test_draw_add(
                actor=regulator,
                inspection_id=inspection.pk,
                indicated=Decimal("20.000"),
                actual=actual,
                label="1号枪 92#",
            )
            if fails:
                problem = True
                draw_item = inspection.findings.filter(code="P03").first()
                if draw_item is not None:
                    answers[draw_item.pk] = inspections.Answer(
                        compliant=False, note=_("付油试验示值误差超过最大允许误差")
                    )
        inspections.findings_record(actor=regulator, inspection_id=inspection.pk, answers=answers)
        inspections.inspection_submit(
            actor=regulator,
            inspection_id=inspection.pk,
            result_code="ordered_to_correct" if problem else "no_problem",
            summary=_("演示数据：现场检查情况"),
        )
        result.inspections += 1
        if not problem:
            return
        bases = sorted({f.basis.code for f in inspection.findings.filter(compliant=False) if f.basis_id})
        order = inspections.rectification_order(
            actor=regulator,
            inspection_id=inspection.pk,
            requirement=_("对检查发现的问题立即整改，并于期限内书面报告整改情况（演示数据）"),
            deadline=day + timedelta(days=15),
            basis_codes=bases or ["JLF-9"],
        )
        result.orders += 1
    reply_on = day + timedelta(days=rng.randint(3, 14))
    if rng.random() >= REPLY_SHARE or reply_on >= today:
        return
    owner_user = _owner_login(target.organization)
    with clock.travel(reply_on):
        inspections.rectification_reply(
            actor=owner_user, rectification_id=order.pk, reply=_("已按要求整改完毕，相关器具已送检（演示数据）")
        )
        result.replies += 1
    recheck_on = reply_on + timedelta(days=rng.randint(1, 5))
    if recheck_on >= today:
        return
    with clock.travel(recheck_on):
        passed = rng.random() < 0.85
        inspections.rectification_recheck(
            actor=regulator,
            rectification_id=order.pk,
            passed=passed,
            note="" if passed else _("复查仍未整改到位（演示数据）"),
            recheck_on=recheck_on,
        )


def _owner_login(organization: Organization) -> User:
    """The organization's own login, made for the demo when it has none (no usable password: nobody logs in as it;
    it only answers the order, as the organization would)."""
    user = User.objects.filter(organization=organization, role=Role.OWNER).order_by("id").first()
    if user is None:
        user = User(username=f"owner_{organization.credit_code}", role=Role.OWNER, organization=organization)
        user.set_unusable_password()
        user.save()
    return user


# --- penalty cases ------------------------------------------------------------------------------------------------

# The state each demo case is left in, in the order the candidates are taken (the oldest first).
CASE_STATES = ("closed", "closed", "served", "decided", "notified", "review", "filed", "not_filed", "clue", "revoked")


@dataclass
class CaseResult:
    cases: int = 0
    by_state: Counter = field(default_factory=Counter)


def build_cases(*, seed: int, today: date) -> CaseResult:
    """About ten cases per city in every state, through the case services: from orders past their deadline without
    a reply (escalated) and, when there are too few, from inspections that found a problem. Each step is taken on
    its own day (working-day limits respected), none after ``today``."""
    result = CaseResult()
    for key, city in CITIES.items():
        regulator = User.objects.filter(username=f"{city.login}_city", role=Role.REGULATOR).first()
        if regulator is None:
            continue
        rng = random.Random(f"{seed}-cases-{key}")
        officers = list(
            Inspector.objects.filter(organization=regulator.organization, active=True).values_list("pk", flat=True)
        )
        latest = today - timedelta(days=7)
        orders = list(
            Rectification.objects.filter(bureau=regulator.organization, status="ordered", deadline__lt=latest)
            .select_related("inspection")
            .order_by("deadline", "id")
        )
        inspected = list(
            Inspection.objects.filter(bureau=regulator.organization, result__problem=True, inspected_on__lt=latest)
            .exclude(rectifications__in=orders)
            .order_by("inspected_on", "id")
        )
        sources = [("rectification", o.pk, o.organization_id, o.deadline) for o in orders]
        sources += [("inspection", i.pk, i.organization_id, i.inspected_on) for i in inspected]
        sources.sort(key=lambda row: (row[3], row[0], row[1]))
        for state, (source, pk, party, since) in zip(CASE_STATES, sources, strict=False):
            _case(rng, regulator, officers, state, source, pk, party, since + timedelta(days=3), today)
            result.cases += 1
            result.by_state[state] += 1
    return result


def _case(
    rng: random.Random,
    regulator: User,
    officers: list[int],
    state: str,
    source: str,
    pk: int,
    party: int,
    clue: date,
    today: date,
) -> None:
    """One case taken to ``state``, or to the last step whose day is before ``today`` (a recent clue stops early)."""
    with clock.travel(clue):
        case = cases.case_open(
            actor=regulator,
            party_id=party,
            source=source,
            summary=_("检查发现的计量违法行为（演示数据）"),
            clue_received_on=clue,
            **({"rectification_id": pk} if source == "rectification" else {"inspection_id": pk}),
        )
    if state == "clue":
        return
    day = add_working_days(clue, 5)
    if day >= today:
        return
    if state == "not_filed":
        with clock.travel(day):
            cases.case_not_file(
                actor=regulator, case_id=case.pk, decided_on=day, reason=_("违法事实不成立（演示数据）")
            )
        return
    with clock.travel(day):
        cases.case_file(
            actor=regulator, case_id=case.pk, filed_on=day, officer_ids=rng.sample(officers, 2), basis_codes=["JLF-26"]
        )
    if state == "filed":
        return
    day = add_working_days(day, 8)
    if day >= today:
        return
    with clock.travel(day):
        cases.case_review(actor=regulator, case_id=case.pk, started_on=day)
    if state == "review":
        return
    fine = Decimal(rng.choice((2000, 5000, 8000, 10000, 20000)))
    day = add_working_days(day, 6)
    if day >= today:
        return
    with clock.travel(day):
        cases.case_notify(
            actor=regulator,
            case_id=case.pk,
            notified_on=day,
            penalty="fine",
            fine=fine,
            facts=_("使用未经检定或检定不合格的强制检定计量器具（演示数据）"),
        )
    if state == "notified":
        return
    day = add_working_days(day, 8)
    if day >= today:
        return
    with clock.travel(day):
        cases.case_decide(actor=regulator, case_id=case.pk, decided_on=day, penalty="fine", fine=fine)
    if state == "decided":
        return
    day = add_working_days(day, 2)
    if day >= today:
        return
    with clock.travel(day):
        cases.case_serve(actor=regulator, case_id=case.pk, served_on=day, method="direct")
    if state == "revoked":
        if day + timedelta(days=3) >= today:
            return
        with clock.travel(day + timedelta(days=3)):
            cases.decision_revoke(actor=regulator, case_id=case.pk, reason=_("复议决定撤销（演示数据）"))
        return
    if state == "served":
        return
    day += timedelta(days=rng.randint(5, 12))
    if day >= today:
        return
    with clock.travel(day):
        cases.case_pay(actor=regulator, case_id=case.pk, paid_on=day, amount=fine)
        cases.case_close(actor=regulator, case_id=case.pk, closed_on=day)
