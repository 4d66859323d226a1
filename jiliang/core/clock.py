"""The platform's clock: ``now()`` and ``today()``, which services use instead of ``timezone.now()``.

``travel(moment)`` sets the clock for the current thread inside a ``with`` block. The demo builds a year of history
through the real services this way (requests submitted last spring are stamped last spring); nothing else should
use it. Outside such a block the clock is ``django.utils.timezone``'s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    moment = getattr(_local, "moment", None)
    return moment if moment is not None else timezone.now()


def today() -> date:
    moment = getattr(_local, "moment", None)
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def local_date(moment: datetime) -> date:
    """The date of ``moment`` in the city's time zone (a stored timestamp's day, not today)."""
    return timezone.localdate(moment)


@contextmanager
def travel(moment: datetime | date) -> Iterator[None]:
    """Run the block as if it were ``moment`` (a date means 10:00 local time that day)."""
    if not isinstance(moment, datetime):
        moment = timezone.make_aware(datetime.combine(moment, time(10, 0)))
    previous = getattr(_local, "moment", None)
    _local.moment = moment
    try:
        yield
    finally:
        _local.moment = previous
