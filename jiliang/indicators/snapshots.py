"""Snapshots: every indicator of every plan a city follows, for the city and each county, on a day.

``manage.py snapshot_indicators`` runs :func:`snapshot_take` nightly (cron or a systemd timer). Dashboards and
evaluation reports read the stored rows (:class:`~jiliang.indicators.models.Snapshot`), so a page never scans the
registry; the trend of a figure is the history of its snapshots. A second run for the same day replaces that day's
rows (a snapshot is derived data, recomputed from the records, never typed).

The plans a city follows: the shipped ones (``Plan.region`` empty) and its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q

from jiliang.core import audit, clock
from jiliang.core.models import Region, User

from .definitions import indicator_figures
from .models import Indicator, Plan, Snapshot

ACTION = "indicators.snapshot.take"


@dataclass
class SnapshotRun:
    day: date
    cities: int = 0
    rows: int = 0
    seconds: float = 0.0
    by_definition: dict[str, float] = field(default_factory=dict)


def cities() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))


def counties_of(city: Region) -> list[Region]:
    """The counties (and districts) directly below a city, by code."""
    return list(Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code"))


def plans_followed_by(city: Region) -> list[Plan]:
    return list(Plan.objects.filter(Q(region__isnull=True) | Q(region=city)).order_by("period_start", "code"))


def snapshot_take(
    *,
    day: date,
    city: Region | None = None,
    actor: User | None = None,
    progress: Callable[[str], None] | None = None,
) -> SnapshotRun:
    """Compute and store every indicator of the plans each city (or only ``city``) follows, on ``day``."""
    run = SnapshotRun(day=day)
    started = time.perf_counter()
    for one in [city] if city is not None else cities():
        counties = counties_of(one)
        indicators = list(
            Indicator.objects.filter(plan__in=plans_followed_by(one)).select_related("plan").order_by("plan", "order")
        )
        rows: list[Snapshot] = []
        computed_at = clock.now()
        for indicator in indicators:
            t0 = time.perf_counter()
            figures = indicator_figures(indicator, city=one, counties=counties, day=day)
            run.by_definition[indicator.definition] = run.by_definition.get(indicator.definition, 0.0) + (
                time.perf_counter() - t0
            )
            rows.extend(
                Snapshot(
                    indicator=indicator,
                    region_id=region_id,
                    day=day,
                    value=figure.value,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    entered_figure_id=figure.entered_figure_id,
                    computed_at=computed_at,
                )
                for region_id, figure in figures.items()
            )
            if progress:
                progress(f"{one.name} {indicator.plan.code}/{indicator.code}")
        with transaction.atomic():
            Snapshot.objects.filter(indicator__in=indicators, day=day).delete()
            Snapshot.objects.bulk_create(rows, batch_size=2000)
            audit.record(
                actor=actor,
                action=ACTION,
                object_type="core.region",
                object_id=one.pk,
                changes={"day": day.isoformat(), "indicators": len(indicators), "rows": len(rows)},
            )
        run.cities += 1
        run.rows += len(rows)
    run.seconds = time.perf_counter() - started
    return run


def snapshot_days(days: Iterable[date], **kwargs) -> list[SnapshotRun]:
    """Snapshots on several days (a backfill: the demo's past year, a new city's history)."""
    return [snapshot_take(day=d, **kwargs) for d in sorted(set(days))]


def month_ends(until: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months before ``until``'s month, then ``until`` itself.

    >>> month_ends(date(2026, 3, 15), 3)
    [datetime.date(2025, 12, 31), datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 15)]
    """
    days = [until]
    first = until.replace(day=1)
    for _ in range(months):
        last = first.fromordinal(first.toordinal() - 1)
        days.append(last)
        first = last.replace(day=1)
    return sorted(days)
