"""Writes of plan data: the nightly snapshots of every indicator, and a figure typed in for an *entered*
indicator.

Snapshots: every indicator of every plan a city follows, for the city and each county, on a day.
``manage.py snapshot_indicators`` runs :func:`snapshot_take` nightly (cron or a systemd timer). Dashboards and
evaluation reports read the stored rows (:class:`~jiliang.indicators.models.Snapshot`), so a page never scans the
registry; the trend of a figure is the history of its snapshots. A second run for the same day replaces that day's
rows (a snapshot is derived data, recomputed from the records, never typed).

Entered figures: a figure is never edited. A later figure is a new entry; a correction names the entry it
corrects and says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Region, User
from jiliang.core.selectors import scope_of

from ..models import ENTERED_DEFINITIONS, EnteredFigure, Indicator, Snapshot
from ..selectors.definitions import indicator_figures
from ..selectors.plans import _city_region_ids, cities, counties_of, plans_followed_by, plans_visible_to

ACTION = "indicators.snapshot.take"


@dataclass
class SnapshotRun:
    day: date
    cities: int = 0
    rows: int = 0
    seconds: float = 0.0
    by_definition: dict[str, float] = field(default_factory=dict)


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


def entered_figure_add(
    *,
    actor: User,
    indicator_id: int,
    region_id: int,
    value: Decimal,
    as_of: date,
    source_title: str,
    source_date: date,
    note: str = "",
    corrects_id: int | None = None,
) -> EnteredFigure:
    """Record a typed-in figure. Only the admin and regulators may enter figures, for regions of their own scope,
    and only for indicators whose definition is an *entered* one."""
    scope = scope_of(actor)
    if not (scope.is_admin or scope.is_regulator):
        raise NotFoundOrForbidden(_("指标不存在或无权录入"))
    try:
        indicator = Indicator.objects.select_related("plan").get(pk=indicator_id, plan__in=plans_visible_to(actor))
    except Indicator.DoesNotExist as exc:
        raise NotFoundOrForbidden(_("指标不存在或无权录入")) from exc
    if indicator.definition not in ENTERED_DEFINITIONS:
        raise DomainError(
            _("该指标按口径“%(definition)s”由系统计算，不能人工录入")
            % {"definition": indicator.get_definition_display()},
            field="indicator",
        )
    allowed = scope.region_ids if scope.region_ids is not None else _city_region_ids(actor)
    if allowed is not None and region_id not in allowed:
        raise NotFoundOrForbidden(_("区域不存在或无权录入"))
    try:
        region = Region.objects.get(pk=region_id)
    except Region.DoesNotExist as exc:
        raise NotFoundOrForbidden(_("区域不存在或无权录入")) from exc
    figure = EnteredFigure(
        indicator=indicator,
        region=region,
        value=value,
        as_of=as_of,
        source_title=(source_title or "").strip(),
        source_date=source_date,
        note=(note or "").strip(),
        corrects_id=corrects_id,
        entered_by=actor,
    )
    try:
        figure.full_clean()
    except ValidationError as exc:
        errors = [(field, str(message)) for field, messages in exc.message_dict.items() for message in messages]
        raise DomainError(errors[0][1], errors=errors) from exc
    with transaction.atomic():
        figure.save()
        audit.record(
            actor=actor,
            action="indicators.enteredfigure.create",
            obj=figure,
            changes={
                "indicator": f"{indicator.plan.code}/{indicator.code}",
                "region": region.code,
                "value": str(figure.value),
                "as_of": figure.as_of.isoformat(),
                "source_title": figure.source_title,
                "source_date": figure.source_date.isoformat(),
                "note": figure.note,
                "corrects": corrects_id,
            },
        )
    return figure
