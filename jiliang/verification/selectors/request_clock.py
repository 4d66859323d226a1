"""The statutory clock of a service request, in working days on the Chinese holiday calendar.

Two stages, each with its limit (settings, in working days; the start day never counts):

- **accept**: from submission to acceptance (or rejection / return for correction):
  ``accept_by = add_working_days(submission date, JILIANG_ACCEPT_WORKING_DAYS)``;
- **work**: from acceptance to completion:
  ``complete_by = add_working_days(acceptance date, JILIANG_COMPLETE_WORKING_DAYS)``.

A request returned for correction (补正) is with its owner: the clock stops. When the owner resubmits, the accept
stage starts again from the resubmission (``accept_by`` is recomputed), so the time spent correcting never counts
against the institute. Rejected, withdrawn and completed requests have no running clock.

The working-day arithmetic and the calendar (2025–2027) are ``jiliang.metrology.draw``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.metrology.draw import CalendarYearMissing, add_working_days, working_days_between

from ..models import ServiceRequest

Status = ServiceRequest.Status

ACCEPT_STAGE = "accept"
WORK_STAGE = "work"
PAUSED = "paused"
CLOSED = "closed"

WORK_STATUSES = (Status.ACCEPTED, Status.SCHEDULED, Status.IN_WORK)


def _add(start: date, n: int) -> date:
    try:
        return add_working_days(start, n)
    except CalendarYearMissing as exc:
        raise DomainError(
            _("工作日历缺少 %(year)s 年的节假日安排，无法计算办理时限，请管理员补充") % {"year": exc.year}
        ) from exc


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
    today to the limit (negative when late), ``used`` = ``allowed - left``; both None when not running or when
    the calendar does not cover the dates. ``late``: the running stage is past its limit. ``closed_late``: a
    completed request that finished after ``complete_by``.
    """

    stage: str
    limit: date | None = None
    allowed: int | None = None
    used: int | None = None
    left: int | None = None
    late: bool = False
    closed_late: bool = False

    @property
    def running(self) -> bool:
        return self.stage in (ACCEPT_STAGE, WORK_STAGE)

    @property
    def label(self) -> str:
        labels = {
            ACCEPT_STAGE: _("受理时限"),
            WORK_STAGE: _("办结时限"),
            PAUSED: _("补正中，计时暂停"),
            CLOSED: _("已办结"),
        }
        return labels[self.stage]


def _running(stage: str, limit: date, allowed: int, today: date) -> Clock:
    late = today > limit
    try:
        left = working_days_between(today, limit)
    except CalendarYearMissing:
        return Clock(stage=stage, limit=limit, allowed=allowed, late=late)
    return Clock(stage=stage, limit=limit, allowed=allowed, used=allowed - left, left=left, late=late)


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
