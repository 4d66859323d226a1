"""检定覆盖率 (verification coverage of mandatory instruments): the share of the instruments under mandatory
verification whose verification is valid, as a percentage.

Source: the plans that set it as a target, 延安市人民政府《貫徹落實〈計量發展規劃(2021—2035年)〉實施方案》
(2023-03-16), 一、發展目標: "全市強檢計量器具檢定覆蓋率達到90%" (``jiliang/indicators/data/plans.json``); how jiliang
counts both sides is in ``docs/indicators.md`` ("Definitions"): in-use mandatory instruments with a valid
verification on the day over all in-use mandatory instruments. On a given day an instrument whose verification is
valid is covered whether or not it falls due soon (:class:`jiliang.metrology.due.DueState` VALID and DUE_SOON);
an overdue or never-verified one is not; one not under mandatory verification is not counted at all.

The figure is exact here (:func:`coverage`); a stored or compared figure is rounded half up to two decimals
(:func:`percent`), as every percentage of the plans' dashboards.

>>> coverage({"valid": 5, "due_soon": 1, "overdue": 3, "never": 1})
Decimal('60')
>>> percent(1, 32)
Decimal('3.13')
>>> coverage({"valid": 0, "due_soon": 0, "overdue": 0, "never": 0}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .due import DueState

COVERED = (DueState.VALID, DueState.DUE_SOON)
COUNTED = (DueState.VALID, DueState.DUE_SOON, DueState.OVERDUE, DueState.NEVER)
CENT = Decimal("0.01")


def share(part: int, whole: int) -> Decimal | None:
    """``part`` ÷ ``whole`` × 100, exact to Decimal's 28 digits; None when ``whole`` is 0 (nothing to count).

    >>> share(1, 3)
    Decimal('33.33333333333333333333333333')
    """
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def percent(part: int, whole: int) -> Decimal | None:
    """:func:`share` rounded half up to two decimals (the stored figure).

    >>> percent(2, 3), percent(1, 8), percent(0, 5), percent(3, 0)
    (Decimal('66.67'), Decimal('12.50'), Decimal('0.00'), None)
    """
    value = share(part, whole)
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def covered_and_counted(counts: Mapping[str, int]) -> tuple[int, int]:
    """From counts of in-use mandatory instruments by due state: (covered, counted).

    >>> covered_and_counted({"valid": 5, "due_soon": 1, "overdue": 3, "never": 1, "na": 7})
    (6, 10)
    """
    return sum(counts.get(s, 0) for s in COVERED), sum(counts.get(s, 0) for s in COUNTED)


def coverage(counts: Mapping[str, int]) -> Decimal | None:
    """Coverage from counts by due state, exact (:func:`share`); None with no in-use mandatory instrument."""
    return share(*covered_and_counted(counts))
