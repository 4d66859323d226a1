"""Judging an indicator against its target, and projecting its trend to the deadline.

The plans (阜新 2015, 延安 2023) state targets as "≥ x by year y"; a mid-term evaluation (中期评估) asks two
questions of each indicator: is it met now, and, if not, will it be met by the deadline at the present pace? The
pace is the ordinary least-squares line through the dated figures so far (a linear projection, no more: the plans
give no model of growth, and a straight line is what an evaluation report can explain in one sentence).

Plain functions, no Django; values are numbers (``Decimal`` or ``float``), days are ``datetime.date``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Comparator(StrEnum):
    GTE = "gte"
    LTE = "lte"
    EQ = "eq"


class Status(StrEnum):
    MET = "met"  # the figure meets the target now
    ON_TRACK = "on_track"  # not yet, but the projection meets it by the deadline
    OFF_TRACK = "off_track"  # not met, and the projection does not meet it by the deadline
    MISSED = "missed"  # not met, and the deadline has passed
    NO_DATA = "no_data"  # no figure to judge


Number = Decimal | float | int


def meets(value: Number, target: Number, comparator: str) -> bool:
    """Whether ``value`` satisfies ``comparator target``. "=" targets are shares of 100 % or counts: a figure
    equal to the target to 0.01 meets it.

    >>> meets(Decimal("95.2"), 95, "gte"), meets(94.99, 95, "gte"), meets(100, 100, "eq"), meets(3, 5, "lte")
    (True, False, True, True)
    """
    v, t = float(value), float(target)
    if comparator == Comparator.GTE:
        return v >= t
    if comparator == Comparator.LTE:
        return v <= t
    if comparator == Comparator.EQ:
        return abs(v - t) < 0.005
    raise ValueError(f"unknown comparator {comparator!r}")


@dataclass(frozen=True)
class Line:
    """value ≈ intercept + slope × (day − origin) in days."""

    origin: date
    intercept: float
    slope: float  # per day

    def at(self, day: date) -> float:
        return self.intercept + self.slope * (day - self.origin).days


def fit(points: Sequence[tuple[date, Number]]) -> Line | None:
    """The least-squares line through dated figures; None with fewer than two distinct days.

    >>> line = fit([(date(2024, 1, 1), 70), (date(2024, 12, 31), 76)])
    >>> round(line.at(date(2025, 12, 31)), 2)  # 6 per 365 days (2024 is a leap year), one more year
    82.0
    """
    if len({d for d, _ in points}) < 2:
        return None
    origin = min(d for d, _ in points)
    xs = [float((d - origin).days) for d, _ in points]
    ys = [float(v) for _, v in points]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return Line(origin=origin, intercept=mean_y - slope * mean_x, slope=slope)


def project(points: Sequence[tuple[date, Number]], deadline: date, *, ceiling: float | None = None) -> float | None:
    """The figure the trend reaches on ``deadline`` (clipped at 0 and at ``ceiling``, e.g. 100 for a share).

    >>> project([(date(2024, 1, 1), 90), (date(2025, 1, 1), 96)], date(2027, 1, 1), ceiling=100)
    100.0
    >>> project([(date(2024, 1, 1), 12)], date(2025, 1, 1)) is None
    True
    """
    line = fit(points)
    if line is None:
        return None
    value = max(0.0, line.at(deadline))
    return min(value, float(ceiling)) if ceiling is not None else value


def judge(
    value: Number | None,
    target: Number,
    comparator: str,
    *,
    projection: Number | None,
    day: date,
    deadline: date,
) -> Status:
    """Met now; else missed once the deadline has passed; else on track when the projection meets the target by
    the deadline; else off track.

    >>> judge(82, 80, "gte", projection=None, day=date(2024, 6, 30), deadline=date(2025, 12, 31))
    <Status.MET: 'met'>
    >>> judge(74, 80, "gte", projection=83.5, day=date(2024, 6, 30), deadline=date(2025, 12, 31))
    <Status.ON_TRACK: 'on_track'>
    >>> judge(74, 80, "gte", projection=78.0, day=date(2024, 6, 30), deadline=date(2025, 12, 31))
    <Status.OFF_TRACK: 'off_track'>
    >>> judge(74, 80, "gte", projection=83.5, day=date(2026, 1, 5), deadline=date(2025, 12, 31))
    <Status.MISSED: 'missed'>
    """
    if value is None:
        return Status.NO_DATA
    if meets(value, target, comparator):
        return Status.MET
    if day > deadline:
        return Status.MISSED
    if projection is not None and meets(projection, target, comparator):
        return Status.ON_TRACK
    return Status.OFF_TRACK
