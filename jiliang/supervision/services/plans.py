"""State changes of annual plans, tasks and their draws (双随机、一公开).

A task's draw, in two published steps (the algorithm and the document: ``jiliang.metrology.draw_document``):

1. ``draw_commit``: the task's rosters are frozen as they stand (``selectors.rosters.task_pools``) and their
   digests published with the counts per stratum, the exclusions and the seed's source, announced before the seed
   is known (a future lottery result, a beacon value, or a random value whose SHA-256 is published now). The
   task's object range and quotas are fixed from then on.
2. ``draw_seed``: the seed is entered from that source; the draw is computed and stored with its document, which
   anyone can recompute (``docs/supervision/recompute_draw.py``).

A redraw (``draw_commit`` with a reason on a drawn task) supersedes the earlier round; both stay public.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, Region, User
from jiliang.core.selectors import locked_one, region_and_descendants, scope_of
from jiliang.metrology import draw_document

from ..models import AnnualPlan, Draw, DrawnTarget, Inspector, Task
from ..selectors.campaigns import campaigns_visible_to
from ..selectors.plans import may_manage_plan, plans_visible_to, tasks_visible_to
from ..selectors.rosters import items_for, task_pools

MAX_QUOTA = 1_000_000
SEED_LIMIT = Draw._meta.get_field("seed").max_length


def _own_bureau(actor: User) -> Organization:
    scope = scope_of(actor)
    if not scope.is_regulator or scope.organization_id is None:
        raise DomainError(_("只有市场监管部门可以制定抽查计划"), code="forbidden")
    return Organization.objects.select_related("region").get(pk=scope.organization_id)


def plan_create(*, actor: User, year: int, title: str, note: str = "") -> AnnualPlan:
    """The actor's bureau's plan for ``year`` (one per bureau and year)."""
    bureau = _own_bureau(actor)
    title = title.strip()
    if not title or len(title) > 200:
        raise DomainError(_("请填写计划名称（最多 200 个字符）"), field="title")
    if not 2000 <= year <= clock.today().year + 1:
        raise DomainError(_("年度无效"), field="year")
    with transaction.atomic():
        if AnnualPlan.objects.filter(bureau=bureau, year=year).exists():
            raise DomainError(_("本部门 %(year)s 年度的抽查计划已存在") % {"year": year}, field="year", code="conflict")
        plan = AnnualPlan.objects.create(bureau=bureau, region=bureau.region, year=year, title=title, note=note[:2000])
        audit.record(actor=actor, action="plan.create", obj=plan, changes=audit.values(plan, "bureau", "year", "title"))
    return plan


def plan_file(*, actor: User, plan_id: int) -> AnnualPlan:
    """File the plan with the level above (备案): it is then read by the bureau above, as every plan is."""
    with transaction.atomic():
        plan = locked_one(plans_visible_to(actor), plan_id, _("抽查计划不存在"))
        if not may_manage_plan(actor, plan):
            raise NotFoundOrForbidden(_("抽查计划不存在"))
        if plan.status != AnnualPlan.Status.DRAFT:
            raise DomainError(_("计划已备案"), code="conflict")
        if not plan.tasks.exists():
            raise DomainError(_("计划至少要有一项抽查任务才能备案"))
        plan.status = AnnualPlan.Status.FILED
        plan.filed_on = clock.today()
        plan.save(update_fields=["status", "filed_on"])
        audit.record(actor=actor, action="plan.file", obj=plan, changes={"status": plan.status})
    return plan


def parse_quota(value: Any) -> int | str:
    """A stratum's quota: a whole count ("5") or a ratio between 0 and 1 ("0.05", "5%")."""
    text = str(value).strip()
    if text.endswith("%"):
        try:
            ratio = Decimal(text[:-1].strip()) / 100
        except (InvalidOperation, ValueError):
            raise DomainError(_("比例无效：%(value)s") % {"value": text}, field="quotas") from None
        if not ratio.is_finite() or not 0 <= ratio <= 1:
            raise DomainError(_("比例应在 0 到 100% 之间"), field="quotas")
        return format(ratio.normalize(), "f")
    if text.isdigit():
        count = int(text)
        if count > MAX_QUOTA:
            raise DomainError(_("抽取数量过大"), field="quotas")
        return count
    try:
        ratio = Decimal(text)
        if not ratio.is_finite():
            raise ValueError(text)
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("请填写数量（整数）或比例（如 0.05 或 5%%）：%(value)s") % {"value": text}, field="quotas"
        ) from None
    if not 0 <= ratio <= 1:
        raise DomainError(_("比例应在 0 到 1 之间"), field="quotas")
    return text


def task_create(
    *,
    actor: User,
    plan_id: int,
    name: str,
    kind: str,
    item_ids: Iterable[int],
    quotas: Mapping[str, Any],
    starts_on: date,
    ends_on: date,
    object_categories: Iterable[str] = (),
    object_region_ids: Iterable[int] = (),
    per_target: int = 2,
    exclusion_days: int = 365,
    lead_unit: str = "",
    joint_departments: str = "",
    seed_source: str = "",
    campaign_id: int | None = None,
) -> Task:
    """Add a task to the actor's plan (in one of the actor's campaigns, if ``campaign_id``). Its number is the plan's
    region code, the year and a sequence."""
    errors: list[tuple[str, str]] = []
    name = name.strip()
    if not name or len(name) > 200:
        errors.append(("name", _("请填写任务名称（最多 200 个字符）")))
    if kind not in Task.Kind.values:
        errors.append(("kind", _("请选择任务类型")))
    if ends_on < starts_on:
        errors.append(("ends_on", _("结束日期不能早于开始日期")))
    if not 1 <= per_target <= 10:
        errors.append(("per_target", _("每户执法人员数应为 1 到 10")))
    categories = sorted(set(object_categories))
    if set(categories) - set(Organization.Category.values):
        errors.append(("object_categories", _("未知的对象行业")))
    if kind == Task.Kind.DIRECTED and not categories and not list(object_region_ids):
        errors.append(("object_categories", _("定向抽查应限定对象行业或区域")))
    cleaned: dict[str, int | str] = {}
    for stratum, value in (quotas or {}).items():
        key = str(stratum).strip()
        if not key or len(key) > 16:
            errors.append(("quotas", _("分类代码无效")))
            continue
        try:
            cleaned[key] = parse_quota(value)
        except DomainError as exc:
            errors.append(("quotas", exc.message))
    if not cleaned:
        errors.append(("quotas", _("请至少为一个分类填写抽取数量或比例")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    with transaction.atomic():
        plan = locked_one(plans_visible_to(actor), plan_id, _("抽查计划不存在"))
        if not may_manage_plan(actor, plan):
            raise NotFoundOrForbidden(_("抽查计划不存在"))
        items = list(items_for(actor).filter(pk__in=list(item_ids)))
        if not items:
            raise DomainError(_("请选择至少一项抽查事项（现行清单中的）"), field="items")
        campaign = None
        if campaign_id is not None:
            campaign = campaigns_visible_to(actor).filter(pk=campaign_id).first()
            if campaign is None:
                raise DomainError(_("专项检查不存在"), field="campaign")
        allowed = region_and_descendants(plan.region_id)
        regions = list(Region.objects.filter(pk__in=list(object_region_ids)))
        if any(region.pk not in allowed for region in regions):
            raise DomainError(_("对象区域超出本部门管辖范围"), field="object_regions")
        sequence = plan.tasks.count() + 1
        number = f"{plan.region.code}-{plan.year}-{sequence:02d}"
        while Task.objects.filter(number=number).exists():
            sequence += 1
            number = f"{plan.region.code}-{plan.year}-{sequence:02d}"
        task = Task.objects.create(
            plan=plan,
            campaign=campaign,
            region=plan.region,
            number=number,
            name=name,
            kind=kind,
            object_categories=categories,
            quotas=cleaned,
            per_target=per_target,
            exclusion_days=exclusion_days,
            starts_on=starts_on,
            ends_on=ends_on,
            lead_unit=lead_unit.strip()[:200],
            joint_departments=joint_departments.strip()[:300],
            seed_source=seed_source.strip()[:300],
        )
        task.items.set(items)
        task.object_regions.set(regions)
        audit.record(
            actor=actor,
            action="task.create",
            obj=task,
            changes={
                **audit.values(task, "plan", "number", "name", "kind", "quotas", "per_target", "starts_on", "ends_on"),
                "items": [item.code for item in items],
                "object_regions": [region.code for region in regions],
                "object_categories": categories,
            },
        )
    return task


def _managed_task(actor: User, task_id: int) -> Task:
    task = locked_one(tasks_visible_to(actor), task_id, _("抽查任务不存在"))
    if not may_manage_plan(actor, task.plan):
        raise NotFoundOrForbidden(_("抽查任务不存在"))
    return task


def draw_commit(*, actor: User, task_id: int, seed_source: str, seed_hash: str = "", redraw_reason: str = "") -> Draw:
    """Freeze the task's rosters and publish their digests, the counts and the seed's source (first round, or a
    redraw with its reason). From here the rosters of this round never change."""
    seed_source = seed_source.strip()
    if not seed_source or len(seed_source) > 300:
        raise DomainError(_("请写明随机种子的来源（如某期福利彩票开奖号码），最多 300 个字符"), field="seed_source")
    seed_hash = seed_hash.strip().lower()
    if seed_hash and (len(seed_hash) != 64 or any(ch not in "0123456789abcdef" for ch in seed_hash)):
        raise DomainError(_("种子的 SHA-256 摘要应为 64 位十六进制数"), field="seed_hash")
    redraw_reason = redraw_reason.strip()
    with transaction.atomic():
        task = _managed_task(actor, task_id)
        rounds = list(task.draws.select_for_update().order_by("round"))
        last = rounds[-1] if rounds else None
        if last is not None and last.status == Draw.Status.COMMITTED:
            raise DomainError(_("名录摘要已公示，请录入随机种子完成抽取"), code="conflict")
        if last is not None and not redraw_reason:
            raise DomainError(_("已抽取的任务重新抽取须写明原因"), field="redraw_reason")
        if last is None and redraw_reason:
            raise DomainError(_("任务尚未抽取，不是重新抽取"), field="redraw_reason")
        if len(redraw_reason) > 1000:
            raise DomainError(_("原因最多 1000 个字符"), field="redraw_reason")
        pools = task_pools(task)
        try:
            commitment = draw_document.commitment(
                task=task.number,
                strata=pools.strata,
                quotas=_quotas_for(task, pools.strata),
                exclusions=pools.exclusions,
                inspectors=pools.inspectors,
                conflicts=pools.conflicts,
                per_target=task.per_target,
                seed_source=seed_source,
                seed_hash=seed_hash,
            )
        except ValueError as exc:
            raise DomainError(_("无法冻结名录：%(reason)s") % {"reason": str(exc)}) from exc
        if last is not None:
            last.status = Draw.Status.SUPERSEDED
            last.save(update_fields=["status"])
        draw = Draw.objects.create(
            task=task,
            round=(last.round + 1) if last else 1,
            redraw_reason=redraw_reason,
            roster={
                "strata": pools.strata,
                "exclusions": pools.exclusions,
                "inspectors": pools.inspectors,
                "conflicts": [list(pair) for pair in pools.conflicts],
                "names": pools.names,
            },
            commitment=commitment,
            commitment_digest=commitment["digest"],
            committed_at=clock.now(),
            committed_by=actor,
        )
        task.status = Task.Status.COMMITTED
        task.seed_source = seed_source
        task.save(update_fields=["status", "seed_source"])
        audit.record(
            actor=actor,
            action="draw.redraw" if last else "draw.commit",
            obj=draw,
            changes={
                "task": task.number,
                "round": draw.round,
                "commitment_digest": draw.commitment_digest,
                "seed_source": seed_source,
                "seed_hash": seed_hash,
                "redraw_reason": redraw_reason,
                "population": {name: len(ids) for name, ids in pools.strata.items()},
                "excluded": len(pools.exclusions),
                "inspectors": len(pools.inspectors),
                "conflicts": len(pools.conflicts),
            },
        )
    return draw


def _quotas_for(task: Task, strata: Mapping[str, list[str]]) -> dict[str, int | str]:
    """The task's quotas for the strata the roster holds: a stratum with no quota draws 0; a quota for a stratum
    with nobody in it is dropped (there is nothing to draw)."""
    return {name: task.quotas.get(name, 0) for name in strata}


def draw_seed(*, actor: User, task_id: int, seed: str) -> Draw:
    """Enter the seed from the announced source and draw: targets per stratum, then each target's team."""
    seed = seed.strip()
    if not seed or len(seed) > (SEED_LIMIT or 300) or any(ord(ch) < 32 for ch in seed):
        raise DomainError(_("请按公示的来源录入随机种子（最多 300 个字符，不含控制字符）"), field="seed")
    with transaction.atomic():
        task = _managed_task(actor, task_id)
        draw = task.draws.select_for_update().order_by("-round").first()
        if draw is None or draw.status != Draw.Status.COMMITTED:
            raise DomainError(_("请先冻结名录并公示摘要，再录入随机种子"), code="conflict")
        commitment = draw.commitment
        if commitment.get("seed_hash") and hashlib.sha256(seed.encode("utf-8")).hexdigest() != commitment["seed_hash"]:
            raise DomainError(_("随机种子与事先公示的摘要不符"), field="seed")
        roster = draw.roster
        try:
            document = draw_document.run(
                commitment,
                strata=roster["strata"],
                inspectors=roster["inspectors"],
                conflicts=[tuple(pair) for pair in roster["conflicts"]],
                seed=seed,
            )
        except ValueError as exc:
            raise DomainError(_("无法完成抽取：%(reason)s") % {"reason": str(exc)}) from exc
        draw.seed = seed
        draw.seeded_at = clock.now()
        draw.seeded_by = actor
        draw.document = document
        draw.status = Draw.Status.DRAWN
        draw.save(update_fields=["seed", "seeded_at", "seeded_by", "document", "status"])
        _store_targets(draw, document)
        task.status = Task.Status.DRAWN
        task.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="draw.seed",
            obj=draw,
            changes={
                "task": task.number,
                "round": draw.round,
                "seed": seed,
                "drawn": document["drawn"],
                "teams": document["teams"],
            },
        )
    return draw


def _store_targets(draw: Draw, document: Mapping[str, Any]) -> None:
    codes = [code for ids in document["drawn"].values() for code in ids]
    organizations = dict(Organization.objects.filter(credit_code__in=codes).values_list("credit_code", "id"))
    inspectors = dict(
        Inspector.objects.filter(certificate_number__in=draw.roster["inspectors"]).values_list(
            "certificate_number", "id"
        )
    )
    rows = [
        DrawnTarget(draw=draw, organization_id=organizations[code], stratum=stratum, rank=rank)
        for stratum, ids in document["drawn"].items()
        for rank, code in enumerate(ids, start=1)
    ]
    DrawnTarget.objects.bulk_create(rows)
    stored = dict(DrawnTarget.objects.filter(draw=draw).values_list("organization_id", "id"))
    through = DrawnTarget.inspectors.through
    links = [
        through(drawntarget_id=stored[organizations[code]], inspector_id=inspectors[cert])
        for code, team in document["teams"].items()
        for cert in team
    ]
    through.objects.bulk_create(links)
