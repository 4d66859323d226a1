"""The indicator definitions, each implemented once (selectors over the records).

INTERFACE (used by snapshots, dashboards, reports; keep it):

- :class:`Figure` — one region's figure.
- :func:`indicator_figures` — the figures of one indicator for the city and each county on a day.
- :data:`DEFINITION_TEXT` — the definition in words, shown beside every figure.

Being implemented (issue 6 item 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Region

from .models import Indicator


@dataclass(frozen=True)
class Figure:
    """One region's figure. ``value``: a percentage 0–100 (percent units) or a count/average; None when there is
    nothing to measure (denominator 0) or the definition gives no figure for that region."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    # Entered definitions: the EnteredFigure that gave the value (None: nothing entered yet).
    entered_figure_id: int | None = None


DEFINITION_TEXT: dict[str, str] = {}


def indicator_figures(
    indicator: Indicator, *, city: Region, counties: Sequence[Region], day: date
) -> dict[int, Figure]:
    """Figures keyed by region id: ``city.pk`` and each county's pk."""
    raise NotImplementedError("being implemented")
