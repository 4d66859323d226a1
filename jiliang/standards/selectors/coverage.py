"""建标覆盖率 (share of mandatory catalog items covered by a valid public standard) and the gaps list.

Definition (docs/domain.md §5, the Yan'an plan's indicator, target ≥ 80 % by 2025)::

    建标覆盖率 = catalog items with ≥ 1 in-use mandatory instrument in the region
                 AND ≥ 1 valid public standard (社会公用计量标准) serving the region whose scope covers the item
               ÷ catalog items with ≥ 1 in-use mandatory instrument in the region

"Valid" is decided on the given day by :func:`jiliang.standards.selectors.standards.valid_standards` (the one
rule: active, assessment certificate in force, every piece of equipment with a certificate in force). Non-public
standards (enterprise and other non-public ones) never count.

What "in the region" means — the rule this module implements:

- **Instruments in a region**: instruments registered in the region or any region below it. The city's figure
  counts every county and the owners seated at the city itself.
- **Public standards serving the city**: public standards held by institutes anywhere in the city (the city's
  institutes and every county's) — the definition read literally.
- **Public standards serving a county**: public standards held by institutes *in that county or at the city level
  above it* (not in a neighbouring county). The city's public standards are the legal reference for values across
  its whole administrative area (计量法 art. 7), and a county's instruments are verified against them when the
  county has no standard of its own; a neighbouring county's standards have no such role.

The gaps list: for each catalog item, the regions (each county, and the city itself for owners seated there,
whose instruments are served as the city's figure says) where in-use mandatory instruments of the item sit and
no valid public standard serves them, with the number of instruments affected; items sorted by instruments
affected, most first — the order in which the plans build new standards. ``nowhere_in_city`` marks the items that
no valid public standard anywhere in the city covers (a city-level standard is needed), as opposed to items that
only some counties lack.

Cost: one query for the regions, one GROUP BY for instrument counts per item and region, four for the public
standards with their scope and validity data (``with_validity_data``), one for the catalog items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import Region, User
from jiliang.core.selectors import scope_of
from jiliang.instruments.models import Instrument

from ..models import Standard
from .standards import valid_standards, with_validity_data


@dataclass(frozen=True)
class ItemCount:
    item: CatalogItem
    instruments: int


@dataclass
class RegionCoverage:
    """The figure for one region: its items with in-use mandatory instruments, split into covered/uncovered."""

    region: Region
    covered: list[ItemCount] = field(default_factory=list)
    uncovered: list[ItemCount] = field(default_factory=list)

    @property
    def numerator(self) -> int:
        return len(self.covered)

    @property
    def denominator(self) -> int:
        return len(self.covered) + len(self.uncovered)

    @property
    def ratio(self) -> float | None:
        """Between 0 and 1; None when the region has no in-use mandatory instrument (nothing to cover)."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else 100.0 * self.ratio

    @property
    def instruments(self) -> int:
        return sum(c.instruments for c in self.covered) + sum(c.instruments for c in self.uncovered)


@dataclass(frozen=True)
class GapRegion:
    region: Region
    instruments: int


@dataclass
class Gap:
    """One catalog item lacking a valid public standard in one or more regions."""

    item: CatalogItem
    regions: list[GapRegion]
    nowhere_in_city: bool

    @property
    def instruments(self) -> int:
        return sum(r.instruments for r in self.regions)


@dataclass
class CoverageReport:
    day: date
    root: RegionCoverage
    counties: list[RegionCoverage]
    gaps: list[Gap]
    # Valid public standards serving the root region on ``day`` (the ones that counted).
    valid_public_standards: int


class _Tree:
    """The region tree in memory (a city has tens of regions)."""

    def __init__(self) -> None:
        self.regions = {r.id: r for r in Region.objects.only("id", "code", "name", "level", "parent_id")}
        self.children: dict[int, list[int]] = defaultdict(list)
        for r in self.regions.values():
            if r.parent_id is not None:
                self.children[r.parent_id].append(r.id)

    def subtree(self, region_id: int) -> set[int]:
        found, frontier = {region_id}, [region_id]
        while frontier:
            frontier = [c for p in frontier for c in self.children.get(p, []) if c not in found]
            found.update(frontier)
        return found

    def up_to_city(self, region_id: int) -> set[int]:
        """The region and its ancestors up to (and including) the first city-level one."""
        found = set()
        current = self.regions.get(region_id)
        while current is not None:
            found.add(current.id)
            if current.level == Region.Level.CITY or current.parent_id is None:
                break
            current = self.regions.get(current.parent_id)
        return found

    def serving(self, region_id: int) -> set[int]:
        """Regions whose public standards serve ``region_id`` (see the module docstring)."""
        region = self.regions[region_id]
        if region.level == Region.Level.COUNTY:
            return self.up_to_city(region_id)
        return self.subtree(region_id)


def _sort_counts(counts: dict[int, int], items: dict[int, CatalogItem]) -> list[ItemCount]:
    return sorted((ItemCount(items[i], n) for i, n in counts.items()), key=lambda c: (-c.instruments, c.item.code))


def coverage_report(root: Region, *, day: date) -> CoverageReport:
    """建标覆盖率 of ``root`` (a city or a county) and of each county below it, with the gaps list, on ``day``."""
    tree = _Tree()
    root_id = root.pk
    tree_ids = tree.subtree(root_id)
    county_ids = sorted(
        (rid for rid in tree_ids if rid != root_id and tree.regions[rid].level == Region.Level.COUNTY),
        key=lambda rid: tree.regions[rid].code,
    )

    # In-use mandatory instruments per (item, region): one GROUP BY over the instruments index.
    per_region: dict[int, dict[int, int]] = defaultdict(dict)  # region -> item -> count
    rows = (
        Instrument.objects.filter(
            mandatory=True, status=Instrument.Status.IN_USE, catalog_item__isnull=False, region_id__in=tree_ids
        )
        .order_by()
        .values_list("catalog_item_id", "region_id")
        .annotate(n=Count("id"))
    )
    for item_id, region_id, n in rows:
        per_region[region_id][item_id] = n

    # Valid public standards serving the root, and the items each region's standards cover.
    serving_root = tree.serving(root_id)
    standards = with_validity_data(
        Standard.objects.filter(is_public=True, holder__region_id__in=serving_root)
        .annotate(holder_region_id=F("holder__region_id"))
        .prefetch_related(Prefetch("catalog_items", queryset=CatalogItem.objects.only("id")))
    )
    valid = valid_standards(standards, day)
    covered_by_region: dict[int, set[int]] = defaultdict(set)
    for standard in valid:
        covered_by_region[standard.holder_region_id].update(i.id for i in standard.catalog_items.all())

    def covered_items(region_id: int) -> set[int]:
        return set().union(*(covered_by_region.get(r, set()) for r in tree.serving(region_id) & serving_root))

    item_ids = {i for counts in per_region.values() for i in counts}
    items = {i.id: i for i in CatalogItem.objects.filter(id__in=item_ids).only("id", "code", "item", "kind")}

    def figure(region_id: int, instrument_regions: set[int]) -> RegionCoverage:
        counts: dict[int, int] = defaultdict(int)
        for r in instrument_regions:
            for item_id, n in per_region.get(r, {}).items():
                counts[item_id] += n
        served = covered_items(region_id)
        return RegionCoverage(
            region=tree.regions[region_id],
            covered=_sort_counts({i: n for i, n in counts.items() if i in served}, items),
            uncovered=_sort_counts({i: n for i, n in counts.items() if i not in served}, items),
        )

    root_figure = figure(root_id, tree_ids)
    counties = [figure(rid, tree.subtree(rid)) for rid in county_ids]

    # Gap rows: each county (its figure's uncovered items) and, for owners seated at the root itself (or any
    # region that is not a county), the root figure's rule.
    gap_rows: dict[int, list[GapRegion]] = defaultdict(list)
    for county in counties:
        for c in county.uncovered:
            gap_rows[c.item.id].append(GapRegion(county.region, c.instruments))
    counted = {rid for cid in county_ids for rid in tree.subtree(cid)}
    root_served = covered_items(root_id)
    uncounted: dict[tuple[int, int], int] = defaultdict(int)
    for region_id in tree_ids - counted:
        for item_id, n in per_region.get(region_id, {}).items():
            if item_id not in root_served:
                uncounted[(item_id, region_id)] += n
    for (item_id, region_id), n in uncounted.items():
        gap_rows[item_id].append(GapRegion(tree.regions[region_id], n))

    gaps = [
        Gap(
            item=items[item_id],
            regions=sorted(regions, key=lambda g: (-g.instruments, g.region.code)),
            nowhere_in_city=item_id not in root_served,
        )
        for item_id, regions in gap_rows.items()
    ]
    gaps.sort(key=lambda g: (-g.instruments, g.item.code))
    return CoverageReport(day=day, root=root_figure, counties=counties, gaps=gaps, valid_public_standards=len(valid))


def coverage_roots(user: User | None) -> list[Region] | None:
    """The regions whose figure the actor may read: the admin every city, a regulator its own region (a city
    bureau its city, a county bureau its county). ``None`` for anyone else: coverage is a regulator's page."""
    scope = scope_of(user)
    if scope.is_admin:
        return list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    if scope.is_regulator and scope.organization_id is not None:
        return [user.organization.region]  # type: ignore[union-attr]
    return None


def coverage_for(user: User | None, *, day: date) -> list[CoverageReport] | None:
    """The coverage reports the actor may read (see :func:`coverage_roots`); None when it may read none."""
    roots = coverage_roots(user)
    if roots is None:
        return None
    return [coverage_report(root, day=day) for root in roots]
