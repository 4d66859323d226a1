"""When a measuring instrument falls due, and whether it is under mandatory verification at all.

Sources: 《中华人民共和国计量法》 art. 9 and 《计量器具强制检定管理办法》 (mandatory verification of working
instruments used for trade settlement, safety protection, medical care and environmental monitoring, within the
catalog); 市场监管总局公告 2020 年第 42 号 (the catalog, with its modes: periodic verification, initial verification
only with a limited service life, initial verification only and scrapped when inaccurate).

>>> from datetime import date
>>> due_date(date(2025, 4, 1), "periodic", 6)
datetime.date(2025, 9, 30)
>>> due_state(date(2025, 9, 30), today=date(2025, 9, 15))
'due_soon'
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum

MANDATORY_USAGES = frozenset({"trade", "safety", "medical", "environment", "enforcement", "forensic"})


class Mode(StrEnum):
    PERIODIC = "periodic"
    FIRST_ONLY_FIXED_LIFE = "first_only_fixed_life"
    FIRST_ONLY_SCRAP = "first_only_scrap"
    NONE = "none"


class DueState(StrEnum):
    VALID = "valid"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NEVER = "never"  # mandatory, no verification on record
    NOT_APPLICABLE = "na"  # not under mandatory verification


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's last day (31 Aug + 6 → 28/29 Feb).

    >>> add_months(date(2024, 8, 31), 6)
    datetime.date(2025, 2, 28)
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """The last day of a period of whole ``months`` that starts on (and counts) ``start``.

    Source: 《中华人民共和国民法典》 第二百零二条 — "按照年、月计算期间的，到期月的对应日为期间的最后一日；
    没有对应日的，月末日为期间的最后一日。" A verification certificate counts its own day (the day of
    verification is the first day of validity, which is how Chinese certificates state 有效期至), so the period
    ends the day before the anniversary; when the anniversary does not exist in the month it falls in (31 Aug + 6
    months: there is no 31 Feb), the period ends on that month's last day. It is not ``add_months`` minus one day,
    which clamps first and so ends 29, 30 and 31 August + 6 months all on 27 February.

    >>> period_end(date(2025, 8, 28), 6)  # 28 Feb 2026 exists: the day before it
    datetime.date(2026, 2, 27)
    >>> period_end(date(2025, 8, 31), 6)  # no 31 Feb 2026: the month's last day
    datetime.date(2026, 2, 28)
    >>> period_end(date(2023, 8, 30), 6)  # no 30 Feb 2024: 29 Feb in a leap year
    datetime.date(2024, 2, 29)
    >>> period_end(date(2024, 2, 29), 12)  # no 29 Feb 2025
    datetime.date(2025, 2, 28)
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        return date(year, month, last)
    return date(year, month, start.day) - timedelta(days=1)


def is_mandatory(
    *, supervision: str, usages: list[str] | tuple[str, ...] | frozenset[str], mode: str, usage: str
) -> bool:
    """Mandatory when the catalog row carries verification (V), has a verification mode, and the instrument's
    actual usage is one the row names (计量法 art. 9: the same scale in a back office is not mandatory).

    >>> is_mandatory(supervision="P+V", usages=["trade"], mode="periodic", usage="trade")
    True
    >>> is_mandatory(supervision="P+V", usages=["trade"], mode="periodic", usage="other")
    False
    >>> is_mandatory(supervision="P", usages=[], mode="none", usage="trade")
    False
    """
    return "V" in supervision and mode != Mode.NONE and usage in usages and usage in MANDATORY_USAGES


def due_date(last_verified_on: date | None, mode: str, interval_months: int | None) -> date | None:
    """The next due date (or, for initial-only instruments with a fixed life, the replacement date).

    - periodic: the end of the interval counted from the last verification, :func:`period_end` (a 12-month
      interval from 1 Apr 2025 runs to 31 Mar 2026; 6 months from 31 Aug 2025 to 28 Feb 2026);
    - first_only_fixed_life: the replacement date, the end of the service life counted the same way;
    - first_only_scrap and none: no due date.

    A verification certificate is valid up to and including the day before the same date one interval later,
    which is how Chinese verification certificates state their 有效期至.

    >>> due_date(date(2025, 4, 1), "periodic", 12)
    datetime.date(2026, 3, 31)
    >>> due_date(date(2025, 8, 31), "periodic", 6)
    datetime.date(2026, 2, 28)
    >>> due_date(date(2025, 4, 1), "first_only_fixed_life", 72)
    datetime.date(2031, 3, 31)
    >>> due_date(date(2025, 4, 1), "first_only_scrap", None) is None
    True
    >>> due_date(None, "periodic", 12) is None
    True
    """
    if last_verified_on is None:
        return None
    if mode in (Mode.PERIODIC, Mode.FIRST_ONLY_FIXED_LIFE):
        if not interval_months or interval_months <= 0:
            raise ValueError(f"mode {mode} needs a positive interval in months, got {interval_months!r}")
        return period_end(last_verified_on, interval_months)
    if mode in (Mode.FIRST_ONLY_SCRAP, Mode.NONE):
        return None
    raise ValueError(f"unknown verification mode {mode!r}")


def due_state(
    due_on: date | None,
    *,
    today: date,
    mandatory: bool = True,
    verified: bool = True,
    soon_days: int = 30,
) -> str:
    """Valid, due within ``soon_days``, overdue (the due date has passed), or never verified.

    An instrument is still valid on its due date and overdue from the next day.

    >>> due_state(date(2025, 1, 10), today=date(2025, 1, 10))
    'due_soon'
    >>> due_state(date(2025, 1, 9), today=date(2025, 1, 10))
    'overdue'
    >>> due_state(None, today=date(2025, 1, 10), verified=False)
    'never'
    >>> due_state(None, today=date(2025, 1, 10), verified=True)
    'valid'
    """
    if not mandatory:
        return DueState.NOT_APPLICABLE.value
    if not verified:
        return DueState.NEVER.value
    if due_on is None:
        return DueState.VALID.value
    if due_on < today:
        return DueState.OVERDUE.value
    if due_on <= today + timedelta(days=soon_days):
        return DueState.DUE_SOON.value
    return DueState.VALID.value
