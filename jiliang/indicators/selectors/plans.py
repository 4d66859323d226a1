"""Plans and their figures: who sees which plans and whose figures, the plans a city follows, and a plan's
dashboard read from snapshots.

Plans are public documents: every logged-in user with a scope sees the shipped plans (``region`` is null) and those
of their own city, with their targets; the admin sees all. A city's plan is invisible to other cities.

Figures are not: one rule (:func:`figure_region_ids`) decides whose figures a user reads, computed (snapshots,
the dashboards, the county breakdown) and entered (the value and its source document) alike — the admin every
region's; a regulator its own region's and those below it (the city bureau the city and every county, a county
bureau its own county only: neither a neighbour's nor the city's); owners, institutes and anyone else none. The
public reads only what a city bureau published (``selectors.evaluations.published_evaluations``).

The plans a city follows: the shipped ones (``Plan.region`` empty) and its own.

A plan's dashboard (:func:`plan_dashboard`): each indicator's figure against its target, the trend, the county
breakdown and a linear projection to the deadline. Evaluation reports read the same structure. Institutes and owners
see the plans' targets (public documents) but no figure.

Cost: three queries whatever the size of the registry — the snapshot day, the focus region's trend (every
snapshot of the plan's indicators for that region, on the (indicator, region, day) unique index), the counties'
rows on that day — plus one for the entered figures' sources. "As of now" coverage is added from the due tally
(one GROUP BY over a few thousand rows), the one figure cheap enough to compute on each view.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Region, User
from jiliang.core.selectors import region_and_descendants, scope_of
from jiliang.instruments import tally
from jiliang.metrology import coverage, trend

from ..models import Definition, EnteredFigure, Indicator, Plan, Snapshot, Unit
from .definitions import DEFINITION_TEXT

# ---- who sees which plans and whose figures --------------------------------------------------------------------------


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


# ---- the plans a city follows ----------------------------------------------------------------------------------------


def cities() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))


def counties_of(city: Region) -> list[Region]:
    """The counties (and districts) directly below a city, by code."""
    return list(Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code"))


def plans_followed_by(city: Region) -> list[Plan]:
    return list(Plan.objects.filter(Q(region__isnull=True) | Q(region=city)).order_by("period_start", "code"))


def month_ends(until: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months before ``until``'s month, then ``until`` itself.

    >>> month_ends(date(2026, 3, 15), 3)
    [datetime.date(2025, 12, 31), datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 15)]
    """
    days = [until]
    first = until.replace(day=1)
    for _month in range(months):
        last = first.fromordinal(first.toordinal() - 1)
        days.append(last)
        first = last.replace(day=1)
    return sorted(days)


# ---- a plan's dashboard ----------------------------------------------------------------------------------------------

STATUS_LABELS = {
    trend.Status.MET: gettext_lazy("已达标"),
    trend.Status.ON_TRACK: gettext_lazy("预计可达标"),
    trend.Status.OFF_TRACK: gettext_lazy("预计难以达标"),
    trend.Status.MISSED: gettext_lazy("期限已过未达标"),
    trend.Status.NO_DATA: gettext_lazy("暂无数据"),
}

# Figures that are shares: their projection cannot pass 100 %.
PERCENT_CEILING = 100.0


@dataclass(frozen=True)
class Point:
    day: date
    value: Decimal


@dataclass(frozen=True)
class RegionFigure:
    region: Region
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    records_url: str | None


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    status: str
    projection: Decimal | None
    trend: list[Point]
    counties: list[RegionFigure]
    definition_text: str
    records_url: str | None
    entered: EnteredFigure | None = None
    # Coverage only: the figure as of this moment, from the due tally.
    live: Decimal | None = None
    # The day shown is past the deadline: the figure is the outcome, nothing is projected.
    deadline_passed: bool = False

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[trend.Status(self.status)])

    @property
    def is_percent(self) -> bool:
        return self.indicator.unit == Unit.PERCENT

    @property
    def will_meet(self) -> bool | None:
        if self.status == trend.Status.NO_DATA:
            return None
        return self.status in (trend.Status.MET, trend.Status.ON_TRACK)


@dataclass
class PlanDashboard:
    plan: Plan
    region: Region  # the focus region: a city, or a county regulator's county
    city: Region
    day: date | None  # the snapshot day shown; None when no snapshot exists yet
    rows: list[IndicatorRow] = field(default_factory=list)
    computed_at: object = None

    def row(self, code: str) -> IndicatorRow:
        for row in self.rows:
            if row.indicator.code == code:
                return row
        raise KeyError(code)


def focus_region(user: User | None, *, city_id: int | None = None) -> Region:
    """The region whose figures the actor reads: admin — the city asked for, or the first; city regulator — its
    city; county regulator — its county. Anyone who reads no figure is refused (NotFoundOrForbidden)."""
    region_ids = figure_region_ids(user)
    if region_ids is None:
        cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        region = cities.filter(pk=city_id).first() if city_id else cities.first()
        if region is None:
            raise NotFoundOrForbidden("no city")
        return region
    if user is not None and user.organization is not None and user.organization.region_id in region_ids:
        return user.organization.region
    raise NotFoundOrForbidden("regulators only")


def records_url(indicator: Indicator, region: Region | None, *, reverse=reverse) -> str | None:
    """The list of records behind a figure (the region's, where the list filters by county). ``reverse`` may be a
    memoised one: a dashboard asks for a link per indicator and county."""
    definition = indicator.definition
    county = {"county": region.pk} if region is not None and region.level == Region.Level.COUNTY else {}
    if definition == Definition.COVERAGE:
        return reverse("instruments:list") + "?" + urlencode({**county, "mandatory": 1})
    if definition in (Definition.VERIFIED_RATE, Definition.VERIFIED_RATE_KEY_CONTROLLED):
        return reverse("instruments:list") + "?" + urlencode({**county, "mandatory": 1, "due_state": "overdue"})
    if definition in (Definition.PUBLIC_STANDARDS_CITY, Definition.PUBLIC_STANDARDS_COUNTY_AVG):
        level = "city" if definition == Definition.PUBLIC_STANDARDS_CITY else "county"
        return reverse("standards:list") + "?" + urlencode({"public": 1, "level": level, "valid": 1})
    if definition == Definition.NEW_STANDARDS:
        return reverse("standards:list") + "?" + urlencode({"public": 1})
    if definition == Definition.HIGHEST_STANDARDS:
        return reverse("standards:list") + "?" + urlencode({"highest": 1, "level": "city", "valid": 1})
    if definition == Definition.STANDARD_COVERAGE:
        return reverse("coverage:index")
    if definition == Definition.ITEMS_OFFERED:
        return reverse("standards:authorizations")
    if definition == Definition.METROLOGISTS_ADDED:
        return reverse("people:qualifications") + "?" + urlencode({"kind": "registered_metrologist"})
    if definition == Definition.ASSESSORS_ADDED:
        return reverse("people:qualifications") + "?" + urlencode({"kind": "institute_assessor"})
    if definition in (
        Definition.SENIOR_TITLE_RATIO_CITY,
        Definition.INTERMEDIATE_TITLE_RATIO_CITY,
        Definition.SENIOR_TITLE_RATIO_COUNTY,
        Definition.INTERMEDIATE_TITLE_RATIO_COUNTY,
    ):
        return reverse("people:list")
    if definition == Definition.FEE_WAIVED_SHARE:
        return reverse("requests:list")
    return None


def live_coverage(region_ids: frozenset[int] | set[int]) -> Decimal | None:
    """Coverage this moment, from the due tally: valid and due-soon over all in-use mandatory instruments (the
    home page's figure). Agrees with the coverage definition computed for today."""
    rows = tally.due_state_counts_by_region(region_ids, today=clock.today(), soon_days=settings.JILIANG_DUE_SOON_DAYS)
    covered = counted = 0
    for row in rows:
        row_covered, row_counted = coverage.covered_and_counted(row)
        covered, counted = covered + row_covered, counted + row_counted
    return coverage.percent(covered, counted)


def plan_dashboard(plan: Plan, *, region: Region, day: date | None = None, live: bool = True) -> PlanDashboard:
    """The dashboard of ``plan`` for ``region`` (a city, or a county) from the latest snapshot on or before
    ``day`` (default: the latest). The caller has checked that the actor may read ``region``."""
    city = city_of(region)
    # plan_get prefetched them in this order.
    indicators = sorted(plan.indicators.all(), key=lambda i: (i.order, i.code))
    ids = [i.pk for i in indicators]
    snapshots = Snapshot.objects.filter(indicator_id__in=ids, region=region)
    if day is not None:
        snapshots = snapshots.filter(day__lte=day)
    shown = snapshots.aggregate(day=Max("day"))["day"]
    board = PlanDashboard(plan=plan, region=region, city=city, day=shown)

    trends: dict[int, list[Point]] = defaultdict(list)
    current: dict[int, Snapshot] = {}
    for snap in snapshots.order_by("day").only(
        "indicator_id", "day", "value", "numerator", "denominator", "entered_figure_id", "computed_at"
    ):
        if snap.value is not None:
            trends[snap.indicator_id].append(Point(snap.day, snap.value))
        if snap.day == shown:
            current[snap.indicator_id] = snap
            board.computed_at = snap.computed_at

    counties = [region] if region.level == Region.Level.COUNTY else counties_of(region)
    by_county: dict[tuple[int, int], Snapshot] = {}
    if shown is not None and region.level != Region.Level.COUNTY:
        for snap in Snapshot.objects.filter(
            indicator_id__in=ids, region_id__in=[c.pk for c in counties], day=shown
        ).only("indicator_id", "region_id", "value", "numerator", "denominator"):
            by_county[(snap.indicator_id, snap.region_id)] = snap

    entered_ids = [s.entered_figure_id for s in current.values() if s.entered_figure_id]
    entered = entered_figures_of(region, entered_ids)
    live_value = live_coverage(region_and_descendants(region.pk)) if live else None
    resolved: dict[str, str] = {}

    def cached_reverse(name: str) -> str:
        if name not in resolved:
            resolved[name] = reverse(name)
        return resolved[name]

    for indicator in indicators:
        snap = current.get(indicator.pk)
        value = snap.value if snap is not None else None
        points = trends.get(indicator.pk, [])
        ceiling = PERCENT_CEILING if indicator.unit == Unit.PERCENT else None
        # A projection looks forward: none once the deadline is behind the day shown.
        ahead = shown is not None and shown <= indicator.deadline
        projected = (
            trend.project([(p.day, p.value) for p in points], indicator.deadline, ceiling=ceiling) if ahead else None
        )
        projection = Decimal(str(round(projected, 2))) if projected is not None else None
        status = trend.judge(
            value,
            indicator.target,
            indicator.comparator,
            projection=projection,
            day=shown or clock.today(),
            deadline=indicator.deadline,
        )
        county_figures = []
        if region.level != Region.Level.COUNTY:
            for county in counties:
                c = by_county.get((indicator.pk, county.pk))
                county_figures.append(
                    RegionFigure(
                        region=county,
                        value=c.value if c else None,
                        numerator=c.numerator if c else None,
                        denominator=c.denominator if c else None,
                        records_url=records_url(indicator, county, reverse=cached_reverse),
                    )
                )
        board.rows.append(
            IndicatorRow(
                indicator=indicator,
                value=value,
                numerator=snap.numerator if snap else None,
                denominator=snap.denominator if snap else None,
                status=str(status),
                projection=projection,
                trend=points,
                counties=county_figures,
                definition_text=str(DEFINITION_TEXT.get(indicator.definition) or indicator.get_definition_display()),
                records_url=records_url(indicator, region, reverse=cached_reverse),
                entered=entered.get(snap.entered_figure_id) if snap and snap.entered_figure_id else None,
                live=live_value if indicator.definition == Definition.COVERAGE else None,
                deadline_passed=shown is not None and not ahead,
            )
        )
    return board
