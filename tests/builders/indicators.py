"""Plans: snapshots written by hand (the definitions have tests of their own) and evaluation reports made through the
service, with what their PDF says.

:func:`take_snapshots` writes every indicator of both shipped plans for the city on three quarter ends of 2025, the
counties on the last one, one entered figure with its source, and one indicator (:data:`NO_FIGURE`) left without a
figure.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.utils import timezone
from pypdf import PdfReader

from jiliang.indicators.models import EnteredFigure, Evaluation, Indicator, Snapshot, Unit
from jiliang.indicators.services import evaluations

DAYS = [date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)]
EVALUATION_DAY = date(2025, 12, 31)
SHIPPED = ("fuxin-2015", "yanan-2021")
NO_FIGURE = ("yanan-2021", "highest-standards")


def _figure(indicator: Indicator, step: int) -> Decimal:
    """A figure rising by quarter: percent indicators from about 80 % of the target towards it, counts too."""
    share = Decimal("0.80") + Decimal("0.06") * step + Decimal("0.01") * (indicator.order % 5)
    value = indicator.target * share
    if indicator.unit == Unit.PERCENT:
        value = min(value, Decimal(100))
    return value.quantize(Decimal("0.01"))


def take_snapshots(city) -> None:
    """Snapshots of every indicator of both shipped plans (but :data:`NO_FIGURE`) for ``city`` (a City)."""
    now = timezone.now()
    model_units = Indicator.objects.get(plan__code="fuxin-2015", code="model-units")
    entered = EnteredFigure.objects.create(
        indicator=model_units,
        region=city.city,
        value=Decimal("32"),
        as_of=date(2025, 11, 30),
        source_title="阜新市诚信计量示范单位名单（2025年）",
        source_date=date(2025, 12, 5),
        entered_by=city.city_regulator,
    )
    rows = []
    for indicator in Indicator.objects.filter(plan__code__in=SHIPPED):
        if (indicator.plan.code, indicator.code) == NO_FIGURE:
            continue
        for step, day in enumerate(DAYS):
            value = Decimal("32") if indicator.pk == model_units.pk else _figure(indicator, step)
            rows.append(
                Snapshot(
                    indicator=indicator,
                    region=city.city,
                    day=day,
                    value=value,
                    numerator=int(value * 10) if indicator.unit == Unit.PERCENT else int(value),
                    denominator=1000 if indicator.unit == Unit.PERCENT else None,
                    entered_figure=entered if indicator.pk == model_units.pk else None,
                    computed_at=now,
                )
            )
        for county, delta in ((city.county_a, Decimal(3)), (city.county_b, Decimal(-7))):
            rows.append(
                Snapshot(
                    indicator=indicator,
                    region=county,
                    day=DAYS[-1],
                    value=max(Decimal(0), _figure(indicator, 2) + delta),
                    computed_at=now,
                )
            )
    Snapshot.objects.bulk_create(rows)


def make_evaluation(city, *, publish: bool = False, kind: str = Evaluation.Kind.MID_TERM) -> Evaluation:
    evaluation = evaluations.evaluation_create(actor=city.city_regulator, kind=kind, day=EVALUATION_DAY)
    if publish:
        evaluations.evaluation_publish(actor=city.city_regulator, evaluation_id=evaluation.pk)
        evaluation.refresh_from_db()
    return evaluation


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(bytes(content)))
    # A long name wraps inside its table cell: compare without white space.
    return "".join((page.extract_text() or "") for page in reader.pages).replace(" ", "").replace("\n", "")
