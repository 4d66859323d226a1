"""A year of one-window history for the demo city, made through the real services.

After :func:`jiliang.demo.city.build_city`, :func:`build_history` plans a few hundred service requests spread over
the year before ``today`` (owners in every county, market fairs and clinics among them, so that some fees are
waived), then replays every step in time order inside ``jiliang.core.clock.travel(moment)``: the owner submits
(``jiliang.verification.services.requests``), the institute returns, rejects or accepts, schedules, starts, records each
instrument (``jiliang.verification.services.records.record_create``, which signs the certificate), completes; some
certificates are corrected (superseded) weeks later and one or two revoked.

Only combinations the services accept are planned: the institute the request is routed to
(``authorized_institutes`` on the submission day), an authorization in force on the day of the verification, a
verifier qualified that day, a checker and an approver on staff, a standard of the institute covering the item and
valid that day (``jiliang.standards.selectors.standards``). An instrument for which no such combination exists is
skipped and counted; a refusal by a service is a bug here and is not swallowed.

Requests end in every state: submitted (some past the acceptance limit), returned for correction, rejected with a
reason, accepted, scheduled, in work (some past the completion limit), completed, withdrawn.

Deterministic: every choice comes from ``random.Random`` seeded from the seed, made in a fixed order while
planning; the same seed and day give the same :func:`history_digest`.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem
from jiliang.core import clock
from jiliang.core.models import Organization, Region, Role, User
from jiliang.instruments.models import Instrument
from jiliang.metrology.draw import CalendarYearMissing, add_working_days, is_working_day
from jiliang.people.models import Person, Qualification
from jiliang.people.selectors import qualification_is_valid_on
from jiliang.standards.models import Authorization, Standard
from jiliang.standards.selectors.standards import authorization_in_force, standard_validity, with_validity_data
from jiliang.verification.models import (
    Certificate,
    CertificateRevocation,
    RequestItem,
    Service,
    ServiceRequest,
)
from jiliang.verification.services import requests as one_window
from jiliang.verification.services.certificates import certificate_correct, certificate_revoke
from jiliang.verification.services.records import record_create

from . import readings as demo_readings

Status = ServiceRequest.Status
Category = Organization.Category

# About one request per 125 instruments, between these bounds (the default 50,000-instrument city: 320, about
# 430 certificates: some 30 s of the services' work on an idle machine).
REQUESTS_PER_INSTRUMENTS = 125
MIN_REQUESTS = 48
MAX_REQUESTS = 320
HISTORY_DAYS = 365
SHARE_CALIBRATION = 0.08
SHARE_FAIL = 0.05
PROGRESS_EVERY = 50
# Instruments tried for one request before giving it up.
ATTEMPTS = 8
# Kinds verified where they are installed.
ON_SITE_ITEMS = {"03", "05", "06", "08", "09", "10", "11", "12", "13", "16", "19", "20", "21"}
WAIVED = (Category.MARKET_FAIR, Category.TOWNSHIP_CLINIC, Category.COMMUNITY_CLINIC)

RETURN_REASONS = (
    "申请中器具出厂编号与铭牌不符，请核对后重新提交",
    "请补充器具安装地点和现场联系人电话",
    "所附器具清单缺少型号规格，请补正",
)
REJECT_REASONS = (
    "申请器具不在本机构授权项目范围内（本机构该项目计量标准正在复查），请向市计量测试所申请",
    "该批器具已委托其他检定机构检定，本次申请重复",
    "器具已停用待报废，不属于强制检定范围",
)
WITHDRAW_REASONS = ("器具已送厂家维修，稍后再申请", "单位搬迁，暂缓检定", "")
CORRECTIONS = (
    ("temperature", "原始记录环境温度誊写错误，更正证书"),
    ("humidity", "原始记录相对湿度誊写错误，更正证书"),
    ("place", "检定地点填写有误，更正证书"),
)
REVOKE_REASONS = (
    "所用计量标准器的溯源证书经核查有误，本证书撤销，请重新申请检定",
    "检定时器具铭牌编号与实物不符，本证书撤销",
)


class HistoryUnavailable(Exception):
    """The history cannot be built for this day (the working-day calendar does not cover the year before it)."""


@dataclass
class HistoryResult:
    requests: dict[str, int]
    certificates: dict[str, int]
    superseded: int
    revoked: int
    failures: int
    waived: Decimal
    late: int
    skipped: int


# ---- what the city holds -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """An in-use instrument with a catalog item, as the planner sees it."""

    id: int
    owner_id: int
    region_id: int
    item_id: int
    code: str
    mandatory: bool
    last_on: date | None
    due_on: date | None
    measuring_range: str
    accuracy_class: str


@dataclass
class _Team:
    verifier: Person
    checker: Person
    approver: Person
    standard: Standard


class _World:
    """The institutes' staff, qualifications, standards and authorizations, read once and checked in memory with
    the same rules the services apply (they check again)."""

    def __init__(self) -> None:
        self.items = {i.pk: i for i in CatalogItem.objects.all()}
        self.institutes = {
            o.pk: o
            for o in Organization.objects.filter(kind=Organization.Kind.INSTITUTE)
            .select_related("region")
            .order_by("pk")
        }
        self.staff: dict[int, list[Person]] = {}
        for person in Person.objects.filter(organization_id__in=self.institutes).order_by("pk"):
            self.staff.setdefault(person.organization_id, []).append(person)
        self.quals: dict[int, list[tuple[Qualification, set[int], set[str]]]] = {}
        verifier_quals = Qualification.objects.filter(
            kind=Qualification.Kind.VERIFIER, person__organization_id__in=self.institutes
        ).prefetch_related("catalog_items", "procedures")
        for q in verifier_quals.order_by("pk"):
            self.quals.setdefault(q.person_id, []).append(
                (q, {i.pk for i in q.catalog_items.all()}, {p.code for p in q.procedures.all()})
            )
        self.standards: dict[int, list[tuple[Standard, set[int]]]] = {}
        standards = with_validity_data(Standard.objects.filter(holder_id__in=self.institutes)).prefetch_related(
            "catalog_items"
        )
        for standard in standards.order_by("pk"):
            self.standards.setdefault(standard.holder_id, []).append(
                (standard, {i.pk for i in standard.catalog_items.all()})
            )
        self.authorizations: dict[int, list[tuple[Authorization, set[int]]]] = {}
        for a in Authorization.objects.filter(institute_id__in=self.institutes).prefetch_related("catalog_items"):
            self.authorizations.setdefault(a.institute_id, []).append((a, {i.pk for i in a.catalog_items.all()}))
        self.regions = {r.pk: r for r in Region.objects.all()}
        self._routes: dict[tuple[int, int, date], list[int]] = {}
        self._teams: dict[tuple[int, int, date], tuple[list[Person], list[Person], list[Standard]] | None] = {}

    def route(self, item_id: int, region_id: int, day: date) -> list[int]:
        """The institutes the one window proposes for the item in the region that day: the rule of
        ``jiliang.standards.selectors.standards.authorized_institutes`` (seated in the region, else in its city; by
        name), in memory. The submission checks it again (the request must go where it was planned to)."""
        key = (item_id, region_id, day)
        if key not in self._routes:
            authorized = [
                o for pk, o in self.institutes.items() if o.region_id is not None and self._authorized(pk, item_id, day)
            ]
            found = [o for o in authorized if o.region_id == region_id]
            if not found:
                city = self.regions.get(region_id)
                city = (
                    self.regions.get(city.parent_id) if city is not None and city.level != Region.Level.CITY else None
                )
                while city is not None and city.level != Region.Level.CITY:
                    city = self.regions.get(city.parent_id)
                found = [o for o in authorized if city is not None and o.region_id == city.pk]
            self._routes[key] = [o.pk for o in sorted(found, key=lambda o: (o.name, o.pk))]
        return self._routes[key]

    def _authorized(self, institute_id: int, item_id: int, day: date) -> bool:
        return any(
            item_id in items and authorization_in_force(a, day)
            for a, items in self.authorizations.get(institute_id, [])
        )

    def _qualified(self, person: Person, item: CatalogItem, day: date) -> bool:
        if person.left_on is not None and day > person.left_on:
            return False
        procedure = (item.procedure or "").strip()
        # The scope part of ``verifier_qualified`` (catalog item, or the regulation the catalog names), in memory.
        return any(
            qualification_is_valid_on(q, day) and (item.pk in items or (procedure and procedure in procedures))
            for q, items, procedures in self.quals.get(person.pk, [])
        )

    def candidates(self, institute_id: int, item_id: int, day: date):
        key = (institute_id, item_id, day)
        if key not in self._teams:
            found = None
            item = self.items[item_id]
            if self._authorized(institute_id, item_id, day):
                on_staff = [p for p in self.staff.get(institute_id, []) if p.left_on is None or day <= p.left_on]
                verifiers = [p for p in on_staff if self._qualified(p, item, day)]
                standards = [
                    s
                    for s, items in self.standards.get(institute_id, [])
                    if item_id in items and standard_validity(s, day).valid
                ]
                if verifiers and standards and len(on_staff) >= 3:
                    found = (verifiers, on_staff, standards)
            self._teams[key] = found
        return self._teams[key]

    def team(self, rng: random.Random, institute_id: int, item_id: int, day: date) -> _Team | None:
        found = self.candidates(institute_id, item_id, day)
        if found is None:
            return None
        verifiers, on_staff, standards = found
        verifier = rng.choice(verifiers)
        others = [p for p in on_staff if p.pk != verifier.pk]
        checker = rng.choice(others)
        seniors = [
            p for p in others if p.pk != checker.pk and p.title in (Person.Title.SENIOR, Person.Title.INTERMEDIATE)
        ]
        approver = rng.choice(seniors or [p for p in others if p.pk != checker.pk])
        return _Team(verifier, checker, approver, rng.choice(standards))


# ---- the plan ----------------------------------------------------------------------------------------------------


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
    def __init__(self, rng: random.Random, world: _World, today: date, n_requests: int) -> None:
        self.rng, self.world, self.today = rng, world, today
        self.first = today - timedelta(days=HISTORY_DAYS)
        self.n_requests = n_requests
        rows = (
            Instrument.objects.filter(status=Instrument.Status.IN_USE, catalog_item__isnull=False)
            .order_by("pk")
            .values_list(
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
            )
        )
        self.rows = [_Row(*r) for r in rows]
        self.by_owner: dict[int, list[int]] = {}
        for index, row in enumerate(self.rows):
            self.by_owner.setdefault(row.owner_id, []).append(index)
        self.owners = {
            o.pk: o for o in Organization.objects.filter(kind=Organization.Kind.OWNER).select_related("region")
        }
        self.used: set[int] = set()
        self.skipped = 0
        self.plans: list[_Plan] = []

    # -- instruments

    def _eligible(self, row: _Row, service: str, day: date, strict: bool) -> bool:
        if row.id in self.used:
            return False
        if service == Service.CALIBRATION:
            return not (strict and row.mandatory)
        if not row.mandatory:
            return False
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

    def _recent_day(self, low: int, high: int) -> date:
        """A working day between ``high`` and ``low`` working days before today (0 = today if it is one)."""
        n = self.rng.randint(low, high)
        day = self.today if is_working_day(self.today) else add_working_days(self.today, -1)
        return self._back(day, n)

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
            for _attempt in range(ATTEMPTS):
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
                item.team = self.world.team(rng, institute, item.row.item_id, record_day)
                if item.team is None:
                    continue
                item.readings = demo_readings.readings_for(
                    item.row.code, item.row.measuring_range, item.row.accuracy_class
                )
                if service == Service.VERIFICATION:
                    item.fail = fails[k] if fails is not None and k < len(fails) else rng.random() < SHARE_FAIL
                item.points = demo_readings.draw_points(rng, item.readings, fail=item.fail)
            items.append(item)
        return items

    def _fix_schedule(self, plan: _Plan) -> None:
        """A start after a schedule happens on the scheduled day: make scheduled_on that day."""
        for before, after in zip(plan.steps, plan.steps[1:], strict=False):
            if before.action == "schedule" and after.action == "start":
                start_day = timezone.localdate(after.at)
                before.args["scheduled_on"] = max(start_day, timezone.localdate(before.at))

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
        span = (self.today - self.first).days
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
        candidates = [c for c in candidates if timezone.localdate(c[2]) <= limit]
        rng.shuffle(candidates)
        for n, (plan, item, at) in enumerate(candidates[: corrections + revocations]):
            day = min(add_working_days(timezone.localdate(at), rng.randint(3, 15)), self.today)
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


# ---- users that act -------------------------------------------------------------------------------------------------


class _Users:
    """The account each owner and institute acts through: the demo's own where there is one, else an account with
    no usable password (nobody logs in as it)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_org: dict[int, User] = {}
        for user in User.objects.filter(role__in=(Role.OWNER, Role.INSTITUTE), organization__isnull=False).order_by(
            "pk"
        ):
            self.by_org.setdefault(user.organization_id, user)
        self.password = make_password(None)

    def of(self, organization: Organization) -> User:
        user = self.by_org.get(organization.pk)
        if user is None:
            role = Role.INSTITUTE if organization.kind == Organization.Kind.INSTITUTE else Role.OWNER
            contact = organization.contact or "经办人"
            user = User.objects.create(
                username=f"{role}-{organization.credit_code}".lower(),
                role=role,
                organization=organization,
                last_name=contact[0],
                first_name=contact[1:],
                password=self.password,
            )
            self.by_org[organization.pk] = user
        return user


# ---- replay --------------------------------------------------------------------------------------------------------


class _Replay:
    def __init__(self, rng: random.Random, planner: _Planner, users: _Users) -> None:
        self.rng, self.planner, self.users = rng, planner, users
        self.world = planner.world

    def run(self, plan: _Plan, step: _Step) -> None:
        owner = self.planner.owners[plan.owner_id]
        institute = self.world.institutes[plan.institute_id]
        owner_user, institute_user = self.users.of(owner), self.users.of(institute)
        action = step.action
        if action == "submit":
            request = one_window.request_submit(
                actor=owner_user,
                service=plan.service,
                place=step.args["place"],
                instrument_ids=[i.row.id for i in plan.items],
                institute_id=plan.institute_id,
                preferred_from=clock.today() + timedelta(days=3),
                preferred_to=clock.today() + timedelta(days=20),
                note=_("请尽快安排") if len(plan.items) > 3 else "",
            )
            plan.request_id = request.pk
            if request.institute_id != plan.institute_id:
                raise AssertionError(f"{request.number} went to {request.institute_id}, planned {plan.institute_id}")
        elif action in ("return", "reject"):
            one_window.ACTIONS[action](actor=institute_user, request_id=plan.request_id, reason=step.args["reason"])
        elif action == "resubmit":
            one_window.request_resubmit(actor=owner_user, request_id=plan.request_id, note=_("已按要求补正"))
        elif action == "withdraw":
            one_window.request_withdraw(actor=owner_user, request_id=plan.request_id, reason=step.args["reason"])
        elif action == "accept":
            one_window.request_accept(actor=institute_user, request_id=plan.request_id)
        elif action == "schedule":
            one_window.request_schedule(
                actor=institute_user, request_id=plan.request_id, scheduled_on=step.args["scheduled_on"]
            )
        elif action == "start":
            one_window.request_start(actor=institute_user, request_id=plan.request_id)
        elif action == "record":
            self._records(plan, institute_user, owner)
        elif action == "complete":
            one_window.request_complete(actor=institute_user, request_id=plan.request_id)
        elif action == "correct":
            self._correct(step, institute_user)
        elif action == "revoke":
            certificate_revoke(
                actor=institute_user, certificate_id=step.args["item"].certificate_id, reason=step.args["reason"]
            )
        else:  # pragma: no cover
            raise ValueError(action)

    def _records(self, plan: _Plan, actor: User, owner: Organization) -> None:
        item_ids = dict(RequestItem.objects.filter(request_id=plan.request_id).values_list("instrument_id", "pk"))
        day = clock.today()
        for item in plan.items:
            if item.team is None or item.readings is None:
                continue
            team = item.team
            values: dict[str, Any] = {}
            if plan.service == Service.CALIBRATION:
                values = {
                    "expanded_uncertainty": demo_readings.uncertainty(item.readings),
                    "coverage_factor": Decimal("2"),
                    "points": [{k: v for k, v in p.items() if k != "mpe"} for p in item.points],
                }
            certificate = record_create(
                actor=actor,
                request_item_id=item_ids[item.row.id],
                kind=plan.service,
                performed_on=day,
                standard_ids=[team.standard.pk],
                verifier_id=team.verifier.pk,
                checker_id=team.checker.pk,
                approver_id=team.approver.pk,
                points=values.pop("points", item.points),
                unit=item.readings.unit,
                resolution=item.readings.step,
                place=owner.address if item.row.code in ON_SITE_ITEMS else _("本所实验室"),
                temperature=f"{self.rng.randint(180, 240) / 10:.1f} ℃",
                humidity=f"{self.rng.randint(35, 70)} %RH",
                **values,
            )
            item.certificate_id = certificate.pk

    def _correct(self, step: _Step, actor: User) -> None:
        item: _Item = step.args["item"]
        record = Certificate.objects.select_related("record").get(pk=item.certificate_id).record
        field_name = step.args["field"]
        changes = {
            "temperature": f"{self.rng.randint(180, 240) / 10:.1f} ℃",
            "humidity": f"{self.rng.randint(35, 70)} %RH",
            "place": (record.place + _("（现场）"))[:200],
        }
        certificate = certificate_correct(
            actor=actor,
            certificate_id=item.certificate_id,
            reason=step.args["reason"],
            **{field_name: changes[field_name]},
        )
        item.certificate_id = certificate.pk


# ---- the whole of it -----------------------------------------------------------------------------------------------


def request_count(instruments: int) -> int:
    return max(MIN_REQUESTS, min(MAX_REQUESTS, instruments // REQUESTS_PER_INSTRUMENTS))


def _demo_plans(planner: _Planner) -> None:
    """What the demo owner and the demo institute log in to: the owner's completed request with a certificate and a
    failure notice, one in work and one just submitted; submitted requests in the city institute's inbox."""
    owner_user = User.objects.filter(username="owner", role=Role.OWNER, organization__isnull=False).first()
    if owner_user is not None:
        owner_id = owner_user.organization_id
        end = planner.today - timedelta(days=planner.rng.randint(30, 60))
        for _try in range(5):
            plan = planner.plan(
                Status.COMPLETED,
                service=Service.VERIFICATION,
                owner_id=owner_id,
                end=end,
                size=2,
                fails=(False, True),
            )
            if plan is not None:
                break
            end -= timedelta(days=7)
        planner.plan(Status.IN_WORK, service=Service.VERIFICATION, owner_id=owner_id, partial=True, size=2)
        planner.plan(Status.SUBMITTED, service=Service.VERIFICATION, owner_id=owner_id, end=planner._recent_day(0, 1))
    institute_user = User.objects.filter(username="institute", role=Role.INSTITUTE, organization__isnull=False).first()
    if institute_user is not None:
        for _i in range(4):
            planner.plan(
                Status.SUBMITTED,
                service=Service.VERIFICATION,
                institute_id=institute_user.organization_id,
                end=planner._recent_day(0, 3),
            )


def _waived_plans(planner: _Planner) -> None:
    """A few completed requests from market fairs and clinics, whose verification is free."""
    free = [pk for pk, o in sorted(planner.owners.items()) if o.category in WAIVED and pk in planner.by_owner]
    planner.rng.shuffle(free)
    for owner_id in free[:4]:
        planner.plan(Status.COMPLETED, service=Service.VERIFICATION, owner_id=owner_id)


def build_history(*, seed: int, today: date, progress: Callable[[str], None] | None = None) -> HistoryResult:
    """Plan and replay a year of one-window history up to ``today`` in the demo city (see the module docstring)."""
    rng = random.Random(f"{seed}-history")
    try:
        is_working_day(today - timedelta(days=HISTORY_DAYS))
        is_working_day(today + timedelta(days=30))
    except CalendarYearMissing as exc:
        raise HistoryUnavailable(
            _("工作日历缺少 %(year)s 年的节假日安排，无法生成近一年的检定业务") % {"year": exc.year}
        ) from exc
    with transaction.atomic():
        world = _World()
        instruments = Instrument.objects.count()
        planner = _Planner(rng, world, today, request_count(instruments))
        _demo_plans(planner)
        _waived_plans(planner)
        # Calibrations first among the rest, so a small city has some.
        planner.plan(Status.COMPLETED, service=Service.CALIBRATION)
        planner.plan(Status.COMPLETED, service=Service.CALIBRATION)
        for target in _targets(rng, planner.n_requests - len(planner.plans)):
            planner.plan(target)
        issued = sum(1 for p in planner.plans for i in p.items if p.target == Status.COMPLETED and i.team)
        planner.afterwards(corrections=max(2, issued // 40), revocations=2 if issued >= 40 else 1)

        steps = sorted(
            ((step.at, n, k, plan, step) for n, plan in enumerate(planner.plans) for k, step in enumerate(plan.steps)),
            key=lambda t: (t[0], t[1], t[2]),
        )
        users = _Users(rng)
        replay = _Replay(rng, planner, users)
        done = 0
        for at, _n, k, plan, step in steps:
            with clock.travel(at):
                replay.run(plan, step)
            if k == 0:
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(_("已生成服务申请 %(done)s / %(total)s 件") % {"done": done, "total": len(planner.plans)})
        return summary(today=today, skipped=planner.skipped)


def summary(*, today: date, skipped: int = 0) -> HistoryResult:
    """Counts of what the history holds (requests by state, certificates by kind, ...)."""
    from jiliang.verification.selectors.request_clock import clock_of
    from jiliang.verification.selectors.requests import OPEN_STATUSES

    by_state = Counter(ServiceRequest.objects.values_list("status", flat=True))
    late = sum(1 for r in ServiceRequest.objects.filter(status__in=OPEN_STATUSES) if clock_of(r, today).late)
    return HistoryResult(
        requests={s.value: by_state.get(s.value, 0) for s in Status},
        certificates={k.value: Certificate.objects.filter(kind=k.value).count() for k in Certificate.Kind},
        superseded=Certificate.objects.filter(supersedes__isnull=False).count(),
        revoked=CertificateRevocation.objects.count(),
        failures=Certificate.objects.filter(kind=Certificate.Kind.FAILURE_NOTICE).count(),
        waived=ServiceRequest.objects.aggregate(s=Sum("fee_waived"))["s"] or Decimal("0"),
        late=late,
        skipped=skipped,
    )


def history_digest() -> str:
    """A SHA-256 over the requests (number, state, owner, institute, fees, items), their events, the certificates
    (number, kind, issued date, instrument, superseded one, revocation) and the readings; without ids, tokens or
    signatures: the same seed and day give the same digest."""
    h = hashlib.sha256()

    def feed(rows: Any) -> None:
        for row in rows:
            h.update(repr(row).encode())
            h.update(b"\n")

    feed(
        ServiceRequest.objects.order_by("number").values_list(
            "number",
            "status",
            "owner__credit_code",
            "institute__credit_code",
            "service",
            "place",
            "submitted_at",
            "accepted_at",
            "scheduled_on",
            "started_at",
            "completed_at",
            "accept_by",
            "complete_by",
            "fee_total",
            "fee_waived",
            "reason",
        )
    )
    feed(
        RequestItem.objects.order_by(
            "request__number", "instrument__owner__credit_code", "instrument__serial_number"
        ).values_list("request__number", "instrument__serial_number", "fee", "waived")
    )
    feed(
        Certificate.objects.order_by("number").values_list(
            "number",
            "kind",
            "issued_on",
            "valid_until",
            "instrument__serial_number",
            "supersedes__number",
            "revocation__reason",
            "record__performed_on",
            "record__conclusion",
            "record__verifier__name",
        )
    )
    from jiliang.verification.models import ReadingPoint

    feed(
        ReadingPoint.objects.filter(record__certificates__isnull=False)
        .order_by("record__certificates__number", "index")
        .values_list("record__certificates__number", "index", "label", "reference", "indicated", "mpe", "passed")
    )
    feed(
        Instrument.objects.filter(last_verification__source="platform")
        .order_by("owner__credit_code", "serial_number", "catalog_item__code")
        .values_list("serial_number", "last_verification__performed_on", "due_on")
    )
    return h.hexdigest()
