"""Who sees which plans, and whose figures.

Plans are public documents: every logged-in user with a scope sees the shipped plans (``region`` is null) and those
of their own city, with their targets; the admin sees all. A city's plan is invisible to other cities.

Figures are not: one rule (:func:`figure_region_ids`) decides whose figures a user reads, computed (snapshots,
the dashboards, the county breakdown) and entered (the value and its source document) alike — the admin every
region's; a regulator its own region's and those below it (the city bureau the city and every county, a county
bureau its own county only: neither a neighbour's nor the city's); owners, institutes and anyone else none. The
public reads only what a city bureau published (``evaluations.published_evaluations``).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Region, User
from jiliang.core.selectors import region_and_descendants, scope_of

from .models import EnteredFigure, Indicator, Plan


def city_of(region: Region) -> Region:
    """The city a region belongs to: the nearest ancestor (or itself) of city level, else the top of its tree."""
    current = region
    while current.level != Region.Level.CITY and current.parent_id is not None:
        current = current.parent
    return current


def _city_region_ids(user: User | None) -> frozenset[int] | None:
    """Regions of the user's city (the city and everything below it); None = all (admin); empty = nothing."""
    scope = scope_of(user)
    if scope.is_admin:
        return None
    if scope.organization_id is None:
        return frozenset()
    return region_and_descendants(city_of(user.organization.region).pk)


def plans_visible_to(user: User | None) -> QuerySet[Plan]:
    scope = scope_of(user)
    if scope.is_admin:
        return Plan.objects.all()
    if not scope.role:
        return Plan.objects.none()
    region_ids = _city_region_ids(user)
    return Plan.objects.filter(Q(region__isnull=True) | Q(region_id__in=region_ids or ()))


def plan_get(user: User | None, code: str) -> Plan:
    """The plan with its indicators (in order); missing and not-yours look the same."""
    indicators = Indicator.objects.order_by("order", "code")
    try:
        return (
            plans_visible_to(user)
            .select_related("region")
            .prefetch_related(Prefetch("indicators", queryset=indicators))
            .get(code=code)
        )
    except Plan.DoesNotExist as exc:
        raise NotFoundOrForbidden(_("规划不存在或无权查看")) from exc


def figure_region_ids(user: User | None) -> frozenset[int] | None:
    """The regions whose figures (computed or entered: value and source) ``user`` reads; None = every region (the
    admin); empty = none (owners, institutes, anyone without a regulator's scope)."""
    scope = scope_of(user)
    if scope.is_admin:
        return None
    if scope.is_regulator and scope.region_ids:
        return scope.region_ids
    return frozenset()


def may_read_figures(user: User | None) -> bool:
    """Whether ``user`` reads any region's figures at all (the dashboards are theirs)."""
    region_ids = figure_region_ids(user)
    return region_ids is None or bool(region_ids)


def may_read_region_figures(user: User | None, region: Region) -> bool:
    region_ids = figure_region_ids(user)
    return region_ids is None or region.pk in region_ids


def entered_figures_visible_to(user: User | None, plan: Plan) -> QuerySet[EnteredFigure]:
    """Figures typed in for the plan's indicators, in the regions whose figures the user reads
    (:func:`figure_region_ids`)."""
    figures = EnteredFigure.objects.filter(indicator__plan=plan).select_related("region", "indicator", "corrects")
    region_ids = figure_region_ids(user)
    if region_ids is not None:
        figures = figures.filter(region_id__in=region_ids)
    return figures.order_by("indicator__order", "region__code", "-as_of", "-entered_at")


def entered_figures_of(region: Region, ids: list[int]) -> dict[int, EnteredFigure]:
    """The entries ``ids`` that belong to ``region`` (a dashboard's snapshots name them): a snapshot never shows
    another region's source, whatever it points at. The caller has checked that the reader may read ``region``."""
    return {e.pk: e for e in EnteredFigure.objects.filter(pk__in=ids, region=region)}
