"""The plan: which requests, for which instruments, through which institute and team, and every step of each
(submit, return, accept, schedule, record, complete, correct, revoke …) with its moment, drawn from the seeded
random stream in a fixed order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from jiliang.core import clock
from jiliang.core.models import Organization
from jiliang.instruments.models import Instrument
from jiliang.metrology.draw import add_working_days
from jiliang.verification.models import Service, ServiceRequest

from .. import readings as demo_readings
from .params import (
    ATTEMPTS,
    CORRECTIONS,
    HISTORY_DAYS,
    ON_SITE_ITEMS,
    PAST_ATTEMPTS,
    REJECT_REASONS,
    RETURN_REASONS,
    REVOKE_REASONS,
    SHARE_CALIBRATION,
    SHARE_FAIL,
    WITHDRAW_REASONS,
)
from .world import _Row, _Team, _World

Status = ServiceRequest.Status


@dataclass
class _Step:
    at: datetime
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Item:
    row: _Row
    fail: bool = False
    team: _Team | None = None
    points: list[dict[str, Any]] = field(default_factory=list)
    readings: demo_readings.Readings | None = None
    certificate_id: int | None = None


@dataclass
class _Plan:
    owner_id: int
    institute_id: int
    service: str
    target: str
    items: list[_Item]
    steps: list[_Step] = field(default_factory=list)
    request_id: int | None = None


# Paths: the actions after submission, each with the working days it comes after the previous step (low, high).
def _path(rng: random.Random, target: str) -> list[tuple[str, int, int]]:
    returned_first = rng.random() < 0.12
    head = [("return", 1, 3), ("resubmit", 1, 4)] if returned_first else []
    accept = ("accept", 6, 9) if rng.random() < 0.08 else ("accept", 0, 3)
    if target == Status.SUBMITTED:
        return []
    if target == Status.RETURNED:
        return [("return", 1, 3)]
    if target == Status.REJECTED:
        return [("reject", 1, 3)]
    if target == Status.WITHDRAWN:
        return ([("return", 1, 3)] if rng.random() < 0.4 else []) + [("withdraw", 0, 5)]
    path = [*head, accept]
    if target == Status.ACCEPTED:
        return path
    scheduled = target == Status.SCHEDULED or rng.random() < 0.6
    if scheduled:
        path.append(("schedule", 0, 1))
    if target == Status.SCHEDULED:
        return path
    # Now and then work starts so late that the request is completed after its limit.
    late = target == Status.COMPLETED and rng.random() < 0.05
    path.append(("start", 14, 18) if late else ("start", 1, 6) if scheduled else ("start", 0, 3))
    if target == Status.IN_WORK:
        return path
    path.append(("record", 0, 1))
    path.append(("complete", 0, 2))
    return path


class _Planner:
    def __init__(
        self,
        rng: random.Random,
        world: _World,
        today: date,
        n_requests: int,
        *,
        region_prefix: str = "",
        past_until: date | None = None,
    ) -> None:
        """``region_prefix``: only the instruments and owners of regions whose code starts with it (a city's first
        four digits). ``past_until``: a history of a past window ending that day (the plan period of a city whose
        plan has ended): verifications only, none failed, of instruments the registry shows verified again after
        the window (so that the records are history and leave every instrument's state today as it was), registered
        before their request (:attr:`backdated`)."""
        self.rng, self.world, self.today = rng, world, today
        self.first = today - timedelta(days=HISTORY_DAYS)
        self.n_requests = n_requests
        self.past_until = past_until
        self.share_fail = 0.0 if past_until is not None else SHARE_FAIL
        # Years back, fewer institutes had the people and standards for an item: more instruments are tried.
        self.attempts = PAST_ATTEMPTS if past_until is not None else ATTEMPTS
        in_use = Instrument.objects.filter(status=Instrument.Status.IN_USE, catalog_item__isnull=False)
        owners = Organization.objects.filter(kind=Organization.Kind.OWNER)
        if region_prefix:
            in_use = in_use.filter(region__code__startswith=region_prefix)
            owners = owners.filter(region__code__startswith=region_prefix)
        rows = in_use.order_by("pk").values_list(
            "pk",
            "owner_id",
            "region_id",
            "catalog_item_id",
            "catalog_item__code",
            "mandatory",
            "last_verification__performed_on",
            "due_on",
            "measuring_range",
            "accuracy_class",
            "registered_on",
        )
        self.rows = [_Row(*r) for r in rows]
        self.by_owner: dict[int, list[int]] = {}
        for index, row in enumerate(self.rows):
            self.by_owner.setdefault(row.owner_id, []).append(index)
        self.owners = {o.pk: o for o in owners.select_related("region")}
        # A past window: the instruments it files for that the registry shows registered later (when their current
        # cycle began), with the day they were registered instead, before the request.
        self.backdated: dict[int, date] = {}
        self.used: set[int] = set()
        self.skipped = 0
        self.plans: list[_Plan] = []

    # -- instruments

    def _eligible(self, row: _Row, service: str, day: date, strict: bool) -> bool:
        # Nobody files for an instrument before it is registered (in a past window it is registered before, see
        # ``backdated``).
        if row.id in self.used or (row.registered_on > day and self.past_until is None):
            return False
        if service == Service.CALIBRATION:
            return not (strict and row.mandatory)
        if not row.mandatory:
            return False
        if self.past_until is not None:
            # Verified again after the window (the registry's last verification): the past record is history.
            return row.last_on is not None and row.last_on > self.past_until
        if row.last_on is None:
            return True
        if row.last_on >= day:
            return False
        return not strict or (row.due_on is not None and row.due_on <= day + timedelta(days=45))

    def _seed_instrument(
        self, service: str, day: date, *, owner_id: int | None = None, institute_id: int | None = None
    ) -> int | None:
        pool = self.by_owner.get(owner_id, []) if owner_id is not None else None
        if not (self.rows if pool is None else pool):
            return None
        for strict in (True, False):
            for _try in range(300 if pool is None else max(40, 3 * len(pool))):
                index = self.rng.choice(pool) if pool is not None else self.rng.randrange(len(self.rows))
                row = self.rows[index]
                if not self._eligible(row, service, day, strict):
                    continue
                routes = self.world.route(row.item_id, row.region_id, day)
                if not routes or (institute_id is not None and routes[0] != institute_id):
                    continue
                return index
        return None

    def _siblings(self, seed: int, service: str, day: date, institute_id: int, want: int, mix: bool) -> list[int]:
        first = self.rows[seed]
        chosen = [seed]
        same = [i for i in self.by_owner[first.owner_id] if self.rows[i].item_id == first.item_id and i != seed]
        other = [i for i in self.by_owner[first.owner_id] if self.rows[i].item_id != first.item_id] if mix else []
        for index in same + other:
            if len(chosen) >= want:
                break
            row = self.rows[index]
            if self._eligible(row, service, day, False) and self.world.route(row.item_id, row.region_id, day)[:1] == [
                institute_id
            ]:
                chosen.append(index)
        return chosen

    # -- days and times

    def _moment(self, day: date, after: datetime | None) -> datetime:
        start = timezone.make_aware(datetime.combine(day, time(8, 30)))
        at = start + timedelta(minutes=self.rng.randint(0, 8 * 60))
        if after is not None and at <= after:
            at = after + timedelta(minutes=self.rng.randint(3, 45))
        return at

    def _back(self, day: date, n: int) -> date:
        return add_working_days(day, -n) if n else day

    @property
    def last_day(self) -> date:
        """The last day of the history: the working day before ``today``. The demo is built on its day at any hour
        and knows only the date, so nothing in it happens on that day (it would show as done later than the
        clock)."""
        return add_working_days(self.today, -1)

    def _recent_day(self, low: int, high: int) -> date:
        """A working day between ``high`` and ``low`` working days before :attr:`last_day` (0 = that day)."""
        return self._back(self.last_day, self.rng.randint(low, high))

    # -- one request

    def plan(
        self,
        target: str,
        *,
        service: str | None = None,
        owner_id: int | None = None,
        institute_id: int | None = None,
        end: date | None = None,
        size: int | None = None,
        fails: tuple[bool, ...] | None = None,
        partial: bool = False,
    ) -> _Plan | None:
        rng = self.rng
        service = service or (Service.CALIBRATION if rng.random() < SHARE_CALIBRATION else Service.VERIFICATION)
        path = _path(rng, target)
        offsets = [rng.randint(low, high) for _action, low, high in path]
        if end is None:
            end = self._end_day(target, path)
        # The days, walking back from the last step.
        days = [end]
        for n in reversed(offsets):
            days.append(self._back(days[-1], n))
        days.reverse()  # days[0]: submission; days[i + 1]: path[i]
        if days[0] < self.first:
            return None
        submit_day = days[0]
        record_days = [days[i + 1] for i, (action, _l, _h) in enumerate(path) if action == "record"]
        record_day = days[-1] if partial else (record_days[0] if record_days else None)
        want = size or rng.choices((1, 2, 3, 4, 6), weights=(40, 25, 15, 10, 10))[0]
        mix = rng.random() < 0.25
        tried: set[int] = set()
        items: list[_Item] = []
        try:
            for _attempt in range(self.attempts):
                seed = self._seed_instrument(service, submit_day, owner_id=owner_id, institute_id=institute_id)
                if seed is None:
                    break
                row = self.rows[seed]
                institute = self.world.route(row.item_id, row.region_id, submit_day)[0]
                items = self._items(
                    self._siblings(seed, service, submit_day, institute, want, mix),
                    service,
                    institute,
                    record_day,
                    partial,
                    fails,
                )
                if items and (fails is None or len(items) >= len(fails)):
                    break
                # No valid combination for this instrument that day: try another one.
                self.skipped += 1
                tried.add(row.id)
                self.used.add(row.id)
                items = []
        finally:
            self.used -= tried
        if not items:
            return None
        plan = _Plan(owner_id=row.owner_id, institute_id=institute, service=service, target=target, items=items)
        at = self._moment(submit_day, None)
        plan.steps.append(_Step(at, "submit", {"place": self._place(row)}))
        for (action, _low, _high), day in zip(path, days[1:], strict=True):
            at = self._moment(day, at)
            args: dict[str, Any] = {}
            if action == "return":
                args["reason"] = rng.choice(RETURN_REASONS)
            elif action == "reject":
                args["reason"] = rng.choice(REJECT_REASONS)
            elif action == "withdraw":
                args["reason"] = rng.choice(WITHDRAW_REASONS)
            elif action == "schedule":
                args["scheduled_on"] = add_working_days(day, rng.randint(1, 5))
            plan.steps.append(_Step(at, action, args))
        if partial:
            at = self._moment(days[-1], at)
            plan.steps.append(_Step(at, "record"))
        self._fix_schedule(plan)
        for item in items:
            self.used.add(item.row.id)
            if self.past_until is not None and item.row.registered_on > submit_day:
                self.backdated[item.row.id] = submit_day - timedelta(days=rng.randint(20, 400))
        self.plans.append(plan)
        return plan

    def _items(
        self,
        indices: list[int],
        service: str,
        institute: int,
        record_day: date | None,
        partial: bool,
        fails: tuple[bool, ...] | None,
    ) -> list[_Item]:
        """The request's instruments with, for those recorded, the team, the readings and the verdict drawn."""
        rng = self.rng
        items: list[_Item] = []
        for k, index in enumerate(indices):
            item = _Item(self.rows[index])
            if record_day is not None and (not partial or k == 0):
                item.readings = demo_readings.readings_for(
                    item.row.code, item.row.measuring_range, item.row.accuracy_class
                )
                # No points a metrologist would sign for this instrument, or no one to sign: leave it out.
                if item.readings is None or self.world.procedure(item.row.item_id) is None:
                    continue
                item.team = self.world.team(rng, institute, item.row.item_id, record_day)
                if item.team is None:
                    continue
                if service == Service.VERIFICATION:
                    item.fail = fails[k] if fails is not None and k < len(fails) else rng.random() < self.share_fail
                item.points = demo_readings.draw_points(rng, item.readings, fail=item.fail)
            items.append(item)
        return items

    def _fix_schedule(self, plan: _Plan) -> None:
        """A start after a schedule happens on the scheduled day: make scheduled_on that day."""
        for before, after in zip(plan.steps, plan.steps[1:], strict=False):
            if before.action == "schedule" and after.action == "start":
                start_day = clock.local_date(after.at)
                before.args["scheduled_on"] = max(start_day, clock.local_date(before.at))

    def _end_day(self, target: str, path: list[tuple[str, int, int]]) -> date:
        rng = self.rng
        if target == Status.SUBMITTED:
            return self._recent_day(6, 14) if rng.random() < 0.3 else self._recent_day(0, 3)
        if target == Status.RETURNED:
            return self._recent_day(0, 10)
        if target in (Status.ACCEPTED, Status.SCHEDULED):
            return self._recent_day(17, 25) if rng.random() < 0.15 else self._recent_day(0, 5)
        if target == Status.IN_WORK:
            return self._recent_day(12, 20) if rng.random() < 0.25 else self._recent_day(0, 6)
        # Completed, rejected, withdrawn: any time in the year, leaving room for the path before.
        span = (self.last_day - self.first).days
        return self.first + timedelta(days=rng.randint(45, span))

    def _place(self, row: _Row) -> str:
        return ServiceRequest.Place.ON_SITE if row.code in ON_SITE_ITEMS else ServiceRequest.Place.SEND_IN

    # -- after the certificates: corrections and revocations

    def afterwards(self, corrections: int, revocations: int) -> None:
        rng = self.rng
        candidates = []
        for plan in self.plans:
            if plan.target != Status.COMPLETED:
                continue
            record = next(s for s in plan.steps if s.action == "record")
            for item in plan.items:
                if not item.fail and item.team is not None:
                    candidates.append((plan, item, record.at))
        limit = self.today - timedelta(days=30)
        candidates = [c for c in candidates if clock.local_date(c[2]) <= limit]
        rng.shuffle(candidates)
        for n, (plan, item, at) in enumerate(candidates[: corrections + revocations]):
            day = min(add_working_days(clock.local_date(at), rng.randint(3, 15)), self.last_day)
            moment = self._moment(day, at)
            if n < corrections:
                field_name, reason = rng.choice(CORRECTIONS)
                plan.steps.append(_Step(moment, "correct", {"item": item, "field": field_name, "reason": reason}))
            else:
                plan.steps.append(_Step(moment, "revoke", {"item": item, "reason": rng.choice(REVOKE_REASONS)}))


def _targets(rng: random.Random, n: int) -> list[str]:
    """The final states of ``n`` requests: every state at least once, most completed."""
    weights = {
        Status.COMPLETED: 62,
        Status.SUBMITTED: 8,
        Status.RETURNED: 3,
        Status.REJECTED: 4,
        Status.WITHDRAWN: 4,
        Status.ACCEPTED: 5,
        Status.SCHEDULED: 5,
        Status.IN_WORK: 9,
    }
    states = list(weights)
    chosen = states + rng.choices(states, weights=list(weights.values()), k=max(0, n - len(states)))
    rng.shuffle(chosen)
    return chosen
