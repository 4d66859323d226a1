"""The working-day calendar the statutory clocks count on: the administrator's ``HolidayYear`` rows (seeded from
``jiliang/metrology/data/holidays_cn.json`` by core migration 0004, maintained in the admin, every change audited).

``work_calendar()`` builds a ``jiliang.metrology.draw.WorkCalendar`` from the rows, checked by
``calendar_from_data``. It is cached in the process and rebuilt after a row is saved or deleted in this process,
and at the latest ``MAX_AGE`` seconds later in the others (each gunicorn worker holds its own copy).

A year with no row is counted with weekends only (no holidays, no adjusted workdays) rather than refused, so a page
of a year the data does not reach still opens; a deadline reaching such a year, or a year whose notice is not
confirmed, is **provisional** (``provisional_years``) and says so on the page and in the API.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jiliang.metrology.draw import WorkCalendar, calendar_from_data
from jiliang.metrology.draw import provisional_years as _provisional_years

from .models import HolidayYear

MAX_AGE = 60.0  # seconds another process may count on a calendar changed elsewhere

_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None


def _build() -> WorkCalendar:
    years = {str(row.year): row.as_data() for row in HolidayYear.objects.all()}
    return calendar_from_data({"years": years}, weekends_for_missing_years=True)


def work_calendar() -> WorkCalendar:
    """The calendar of the ``HolidayYear`` rows; a missing year counts weekends only (see the module docstring)."""
    global _cached
    with _lock:
        if _cached is not None and time.monotonic() - _cached[0] < MAX_AGE:
            return _cached[1]
    built = _build()
    with _lock:
        _cached = (time.monotonic(), built)
    return built


def forget() -> None:
    """Drop the cached calendar (after a change, and between tests)."""
    global _cached
    with _lock:
        _cached = None


def provisional_years(a: date, b: date) -> tuple[int, ...]:
    """The years between ``a`` and ``b`` whose notice is not confirmed or not entered: a deadline counted over
    them is provisional."""
    return _provisional_years(a, b, calendar=work_calendar())


@receiver(post_save, sender=HolidayYear, dispatch_uid="core.calendar.saved")
@receiver(post_delete, sender=HolidayYear, dispatch_uid="core.calendar.deleted")
def _changed(**kwargs: object) -> None:
    forget()
    transaction.on_commit(forget)  # a build inside the transaction must not outlive it (or its rollback)
