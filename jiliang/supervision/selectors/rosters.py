"""Reads of the rosters of 双随机: the item list, the inspector pool and the object pool, scoped by role and region.

Who sees what: the admin everything; a regulator its own region and below (a county bureau its county, the city
bureau every county of its city); institutes, owners and the public nothing here (the public sees a draw only
once it is published, through ``selectors.plans.public_*``).

The pools of a task (what its draw is frozen from):

- objects: the owners (使用单位) in the task's counties (or the plan's region and below), narrowed to the task's
  categories for a directed task; each in its stratum (``Stratum``, else ``unrated``); identified by their
  unified social credit code, which is public;
- exclusions: the organizations the same bureau drew within the task's ``exclusion_days`` before (reason
  ``recent``);
- inspectors: the active officers of the bureau's region and below whose certificate is valid on the task's first
  day, identified by their certificate number;
- conflicts: declared conflicts, a former employer, and the same officer on the same organization in the bureau's
  previous draw; an organization left with fewer officers free of conflicts than the task needs is excluded
  (reason ``unstaffed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Organization, Region, User
from jiliang.core.selectors import region_and_descendants, scope_of, scoped

from ..models import UNRATED, CheckItem, Conflict, Draw, DrawnTarget, Inspector, ItemList, Stratum, Task

RECENT = "recent"
UNSTAFFED = "unstaffed"  # fewer officers free of conflicts than the task puts on each target


def is_supervisor(user: User | None) -> bool:
    """Regulators and the admin read supervision; nobody else does."""
    scope = scope_of(user)
    return scope.is_admin or scope.is_regulator


def city_of(region: Region) -> Region:
    """The city a region belongs to (itself when it is a city)."""
    while region.level == Region.Level.COUNTY and region.parent_id is not None:
        region = region.parent
    return region


def item_lists_visible_to(user: User | None) -> QuerySet[ItemList]:
    """A city's item list is read by the regulators of the city and of its counties."""
    scope = scope_of(user)
    if scope.is_admin:
        return ItemList.objects.all()
    if not scope.is_regulator or scope.organization_id is None:
        return ItemList.objects.none()
    own = Organization.objects.select_related("region").get(pk=scope.organization_id).region
    return ItemList.objects.filter(region=city_of(own))


def current_item_list(user: User | None) -> ItemList | None:
    return item_lists_visible_to(user).select_related("region").order_by("-version").first()


def item_list_get(user: User | None, pk: int) -> ItemList:
    row = item_lists_visible_to(user).select_related("region").filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("抽查事项清单不存在"))
    return row


def may_revise_items(user: User | None) -> bool:
    """The city bureau keeps the list (and the admin)."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if not scope.is_regulator or scope.organization_id is None:
        return False
    return Organization.objects.filter(pk=scope.organization_id, region__level=Region.Level.CITY).exists()


def items_for(user: User | None) -> QuerySet[CheckItem]:
    """The items of the current version of the actor's city list."""
    current = current_item_list(user)
    if current is None:
        return CheckItem.objects.none()
    return current.items.all()


def inspectors_visible_to(user: User | None) -> QuerySet[Inspector]:
    return scoped(Inspector.objects.all(), user, region="organization__region_id")


def inspector_get(user: User | None, pk: int) -> Inspector:
    row = inspectors_visible_to(user).select_related("organization", "former_employer").filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("执法人员不存在"))
    return row


def may_manage_inspector(user: User | None, inspector: Inspector | None = None) -> bool:
    """A bureau keeps its own officers; the admin anyone's."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if not scope.is_regulator or scope.organization_id is None:
        return False
    return inspector is None or inspector.organization_id == scope.organization_id


def conflict_targets_visible_to(user: User | None) -> QuerySet[Organization]:
    """The organizations an officer of the actor may declare a conflict with: the owners in the actor's scope."""
    return scoped(Organization.objects.filter(kind=Organization.Kind.OWNER), user, region="region_id")


@dataclass
class Pools:
    """What a task's draw is frozen from, with the display names of every id."""

    strata: dict[str, list[str]] = field(default_factory=dict)
    exclusions: dict[str, str] = field(default_factory=dict)
    inspectors: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def task_regions(task: Task) -> frozenset[int]:
    chosen = list(task.object_regions.values_list("id", flat=True))
    if chosen:
        found: set[int] = set()
        for region_id in chosen:
            found |= region_and_descendants(region_id)
        return frozenset(found)
    return region_and_descendants(task.region_id)


def task_pools(task: Task) -> Pools:
    """The rosters of ``task`` as they stand now (they are frozen into a draw when it is committed)."""
    pools = Pools()
    objects = Organization.objects.filter(kind=Organization.Kind.OWNER, region_id__in=task_regions(task))
    if task.object_categories:
        objects = objects.filter(category__in=task.object_categories)
    strata = dict(Stratum.objects.filter(organization__in=objects).values_list("organization_id", "stratum"))
    code_of: dict[int, str] = {}
    for pk, code, name in objects.order_by("credit_code").values_list("id", "credit_code", "name"):
        pools.strata.setdefault(strata.get(pk, UNRATED), []).append(code)
        pools.names[code] = name
        code_of[pk] = code

    bureau_id = task.plan.bureau_id
    if task.exclusion_days:
        since = clock.now() - timedelta(days=task.exclusion_days)
        recent = DrawnTarget.objects.filter(
            draw__status=Draw.Status.DRAWN,
            draw__task__plan__bureau_id=bureau_id,
            draw__seeded_at__gte=since,
            organization__in=objects,
        ).exclude(draw__task=task)
        for pk in recent.values_list("organization_id", flat=True).distinct():
            pools.exclusions[code_of[pk]] = RECENT

    officers = Inspector.objects.filter(
        organization__region_id__in=region_and_descendants(task.plan.region_id),
        active=True,
        valid_until__gte=task.starts_on,
    )
    cert_of: dict[int, str] = {}
    for pk, cert, name, former in officers.order_by("certificate_number").values_list(
        "id", "certificate_number", "name", "former_employer_id"
    ):
        pools.inspectors.append(cert)
        pools.names[cert] = name
        cert_of[pk] = cert
        if former in code_of:
            pools.conflicts.append((cert, code_of[former]))
    pairs = set(pools.conflicts)
    declared = Conflict.objects.filter(inspector__in=officers, organization__in=objects)
    for inspector_id, organization_id in declared.values_list("inspector_id", "organization_id"):
        pairs.add((cert_of[inspector_id], code_of[organization_id]))
    previous = (
        Draw.objects.filter(status=Draw.Status.DRAWN, task__plan__bureau_id=bureau_id)
        .exclude(task=task)
        .order_by("-seeded_at")
        .first()
    )
    if previous is not None:
        teams = DrawnTarget.inspectors.through.objects.filter(drawntarget__draw=previous)
        for inspector_id, organization_id in teams.values_list("inspector_id", "drawntarget__organization_id"):
            if inspector_id in cert_of and organization_id in code_of:
                pairs.add((cert_of[inspector_id], code_of[organization_id]))
    pools.conflicts = sorted(pairs)
    # A target that too few officers are free to inspect cannot be staffed by any seed: it is excluded before the
    # draw, with its reason, rather than left to fail the draw (jiliang.metrology.draw_document).
    conflicted: dict[str, int] = {}
    for _cert, code in pools.conflicts:
        conflicted[code] = conflicted.get(code, 0) + 1
    for code, taken in conflicted.items():
        if len(pools.inspectors) - taken < task.per_target and code not in pools.exclusions:
            pools.exclusions[code] = UNSTAFFED
    if len(pools.inspectors) < task.per_target:
        for ids in pools.strata.values():
            for code in ids:
                pools.exclusions.setdefault(code, UNSTAFFED)
    return pools
