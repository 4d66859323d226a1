"""The statutory clock of a service request, in working days on the Chinese holiday calendar.

Two stages, each with its limit (settings, in working days; the start day never counts):

- **accept**: from submission to acceptance (or rejection / return for correction):
  ``accept_by = add_working_days(submission date, JILIANG_ACCEPT_WORKING_DAYS)``;
- **work**: from acceptance to completion:
  ``complete_by = add_working_days(acceptance date, JILIANG_COMPLETE_WORKING_DAYS)``.

A request returned for correction (补正) is with its owner: the clock stops. When the owner resubmits, the accept
stage starts again from the resubmission (``accept_by`` is recomputed), so the time spent correcting never counts
against the institute. Rejected, withdrawn and completed requests have no running clock.

The working-day arithmetic is ``jiliang.metrology.draw``'s; the calendar is the administrator's
(``jiliang.core.calendar.work_calendar``: the ``HolidayYear`` rows, seeded with 2017 and 2025–2027).

**Provisional deadlines.** A limit counted over a year whose holiday notice is not confirmed (2027 ships with its
statutory days only) or not entered at all (counted with weekends only) is provisional: it may move when the
notice is entered. The clock says so (``provisional``, ``provisional_years``), the request page shows
"（暂定：2027年节假日安排尚未确认）" beside it and the API returns ``deadline_provisional``. Such a limit is never
refused: a request must be submittable in any year, and a page of any year must open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.calendar import provisional_years, work_calendar
from jiliang.metrology.draw import add_working_days, working_days_between

from ..models import ServiceRequest

Status = ServiceRequest.Status

ACCEPT_STAGE = "accept"
WORK_STAGE = "work"
PAUSED = "paused"
CLOSED = "closed"

WORK_STATUSES = (Status.ACCEPTED, Status.SCHEDULED, Status.IN_WORK)


def _add(start: date, n: int) -> date:
    return add_working_days(start, n, calendar=work_calendar())


def accept_by(submitted_on: date) -> date:
    """The last day to accept, reject or return a request submitted (or resubmitted) on ``submitted_on``."""
    return _add(submitted_on, settings.JILIANG_ACCEPT_WORKING_DAYS)


def complete_by(accepted_on: date) -> date:
    """The last day to complete a request accepted on ``accepted_on``."""
    return _add(accepted_on, settings.JILIANG_COMPLETE_WORKING_DAYS)


@dataclass(frozen=True)
class Clock:
    """Where a request stands against its limits on ``today``.

    ``stage``: accept / work (running), paused (returned for correction), closed (rejected, withdrawn, completed).
    ``limit``: the running stage's last day. ``allowed``: the stage's working days; ``left``: working days from
    today to the limit (negative when late), ``used`` = ``allowed - left``; both None when not running.
    ``late``: the running stage is past its limit. ``closed_late``: a completed request that finished after
    ``complete_by``. ``provisional_years``: the years not confirmed in the calendar that the running limit was
    counted over (see the module docstring).
    """

    stage: str
    limit: date | None = None
    allowed: int | None = None
    used: int | None = None
    left: int | None = None
    late: bool = False
    closed_late: bool = False
    provisional_years: tuple[int, ...] = ()

    @property
    def running(self) -> bool:
        return self.stage in (ACCEPT_STAGE, WORK_STAGE)

    @property
    def provisional(self) -> bool:
        """The limit (or the count of days left) was counted over a year whose notice is not confirmed."""
        return bool(self.provisional_years)

    @property
    def provisional_note(self) -> str:
        """ "（暂定：2027年节假日安排尚未确认）", or "" when the limit is not provisional."""
        if not self.provisional_years:
            return ""
        years = "、".join(str(year) for year in self.provisional_years)
        return _("（暂定：%(years)s年节假日安排尚未确认）") % {"years": years}

    @property
    def label(self) -> str:
        labels = {
            ACCEPT_STAGE: _("受理时限"),
            WORK_STAGE: _("办结时限"),
            PAUSED: _("补正中，计时暂停"),
            CLOSED: _("已办结"),
        }
        return labels[self.stage]


def deadline_provisional_years(limit: date, allowed: int, today: date) -> tuple[int, ...]:
    """The years not confirmed in the calendar between the stage's start (``allowed`` working days before
    ``limit``, which is where the count began) and the later of ``limit`` and ``today``."""
    start = add_working_days(limit, -allowed, calendar=work_calendar())
    return provisional_years(min(start, today), max(limit, today))


def _running(stage: str, limit: date, allowed: int, today: date) -> Clock:
    late = today > limit
    left = working_days_between(today, limit, calendar=work_calendar())
    return Clock(
        stage=stage,
        limit=limit,
        allowed=allowed,
        used=allowed - left,
        left=left,
        late=late,
        provisional_years=deadline_provisional_years(limit, allowed, today),
    )


def clock_of(request: ServiceRequest, today: date | None = None) -> Clock:
    """The clock of ``request`` on ``today`` (default: today, local time).

    The accept stage is late when the request is still submitted after ``accept_by``; the work stage when it is
    accepted, scheduled or in work after ``complete_by``.
    """
    today = today or clock.today()
    if request.status == Status.SUBMITTED:
        return _running(ACCEPT_STAGE, request.accept_by, settings.JILIANG_ACCEPT_WORKING_DAYS, today)
    if request.status in WORK_STATUSES and request.complete_by is not None:
        return _running(WORK_STAGE, request.complete_by, settings.JILIANG_COMPLETE_WORKING_DAYS, today)
    if request.status == Status.RETURNED:
        return Clock(stage=PAUSED)
    finished_late = (
        request.status == Status.COMPLETED
        and request.completed_at is not None
        and request.complete_by is not None
        and clock.local_date(request.completed_at) > request.complete_by
    )
    return Clock(stage=CLOSED, closed_late=finished_late)
