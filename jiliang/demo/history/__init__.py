"""A year of one-window history for the demo city, made through the real services.

After :func:`jiliang.demo.city.build_city`, :func:`build_history` plans a few hundred service requests spread over
the year before ``today`` (owners in every county, market fairs and clinics among them, so that some fees are
waived), then replays every step in time order inside ``jiliang.core.clock.travel(moment)``: the owner submits
(``jiliang.verification.services.requests``), the institute returns, rejects or accepts, schedules, starts, records
each instrument (the three acts of ``jiliang.verification.services.drafts`` by three qualified people, each by their own login; the approval signs the certificate), completes; some
certificates are corrected (superseded) weeks later and one or two revoked.

Only combinations the services accept are planned: the institute the request is routed to
(``authorized_institutes`` on the submission day), an authorization in force on the day of the verification, a
verifier qualified that day, a checker and an approver on staff, a standard of the institute covering the item and
valid that day (``jiliang.standards.selectors.standards``). An instrument for which no such combination exists is skipped and
counted; a refusal by a service is a bug here and is not swallowed.

Requests end in every state: submitted (some past the acceptance limit), returned for correction, rejected with a
reason, accepted, scheduled, in work (some past the completion limit), completed, withdrawn.

For a city whose plan has ended (阜新市, 2015–2020), a thin history over the plan period is replayed first
(:mod:`.past`), so that its dashboard shows the path and its evaluations quote real figures.

Deterministic: every choice comes from ``random.Random`` seeded from the seed, made in a fixed order while
planning; the same seed and day give the same :func:`history_digest`.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.models import Role, User
from jiliang.instruments.models import Instrument
from jiliang.metrology.draw import CalendarYearMissing, is_working_day
from jiliang.verification.models import (
    Certificate,
    CertificateRevocation,
    RecordDraft,
    RequestItem,
    Service,
    ServiceRequest,
)

from ..city import DEMO_OWNERS, DEMO_SIGNERS
from ..names import CITIES
from .params import HISTORY_DAYS, MAX_REQUESTS, MIN_REQUESTS, PROGRESS_EVERY, REQUESTS_PER_INSTRUMENTS, WAIVED
from .past import PastResult, build_past, calendar_covers, past_windows
from .planner import _Planner, _targets
from .replay import _Replay, _Users
from .world import _World

Status = ServiceRequest.Status


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
    # The plan period of a city whose plan has ended (Fuxin 2015–2020), by city name: what was added for it.
    past: dict[str, PastResult] = field(default_factory=dict)


def request_count(instruments: int) -> int:
    return max(MIN_REQUESTS, min(MAX_REQUESTS, instruments // REQUESTS_PER_INSTRUMENTS))


def _demo_user(username: str, role: str) -> User | None:
    return User.objects.filter(username=username, role=role, organization__isnull=False).first()


def _demo_plans(planner: _Planner) -> None:
    """What each city's demo owners and institutes log in to: the market's completed request with a certificate and
    a failure notice, one in work and one just submitted; a completed and a submitted request of every other demo
    owner; submitted requests in the inbox of the city institute and of the demo county's institute."""
    for city in CITIES.values():
        for n, (key, _category) in enumerate(DEMO_OWNERS):
            owner_user = _demo_user(f"{city.login}_{key}", Role.OWNER)
            if owner_user is None:
                continue
            owner_id = owner_user.organization_id
            end = planner.today - timedelta(days=planner.rng.randint(30, 60))
            for _try in range(5):
                plan = planner.plan(
                    Status.COMPLETED,
                    service=Service.VERIFICATION,
                    owner_id=owner_id,
                    end=end,
                    size=2,
                    fails=(False, True) if n == 0 else None,
                )
                if plan is not None:
                    break
                end -= timedelta(days=7)
            if n == 0:
                planner.plan(Status.IN_WORK, service=Service.VERIFICATION, owner_id=owner_id, partial=True, size=2)
            planner.plan(
                Status.SUBMITTED, service=Service.VERIFICATION, owner_id=owner_id, end=planner._recent_day(0, 1)
            )
        for key in ("institute", "county_institute"):
            institute_user = _demo_user(f"{city.login}_{key}", Role.INSTITUTE)
            if institute_user is None:
                continue
            for _i in range(3):
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
        # First the plan period of a city whose plan has ended (its own stream; in time order before the year).
        past = {
            window.city.name: build_past(seed=seed, window=window)
            for window in past_windows(today)
            if calendar_covers(window)
        }
        world = _World()
        instruments = Instrument.objects.count()
        planner = _Planner(rng, world, today, request_count(instruments))
        _demo_plans(planner)
        # What the demo logins look at comes on top of the city's share of requests (two cities' worth of it would
        # otherwise leave a small city with little else).
        demo_plans = len(planner.plans)
        _waived_plans(planner)
        # Calibrations first among the rest, so a small city has some.
        planner.plan(Status.COMPLETED, service=Service.CALIBRATION)
        planner.plan(Status.COMPLETED, service=Service.CALIBRATION)
        for target in _targets(rng, planner.n_requests - len(planner.plans) + demo_plans):
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
        name_demo_signers(since=planner.first)
        result = summary(today=today, skipped=planner.skipped)
        result.past = past
        return result


def name_demo_signers(since: date | None = None) -> None:
    """Give each demo institute's three people who most often signed a record together (verifier, checker, approver)
    the logins ``<city>_verifier``, ``<city>_checker`` and ``<city>_approver`` (``<city>_county_…`` for the county
    institute) with the demo users' password, so that a visitor can make the three acts by hand. A name already taken
    is left alone. Only records approved on or after ``since`` count (the recent year: the people on staff now)."""
    for city in CITIES.values():
        for clerk, prefix in (("institute", ""), ("county_institute", "county_")):
            institute = User.objects.filter(username=f"{city.login}_{clerk}").first()
            if institute is None:
                continue
            trio = (
                RecordDraft.objects.filter(
                    institute_id=institute.organization_id,
                    status=RecordDraft.Status.APPROVED,
                    **({"approved_at__date__gte": since} if since is not None else {}),
                )
                .values("verifier", "checker", "approver")
                .annotate(n=Count("id"))
                .order_by("-n", "verifier", "checker", "approver")
                .first()
            )
            if trio is None:
                continue
            signers = {d.key: d for d in DEMO_SIGNERS}
            for role in ("verifier", "checker", "approver"):
                username = signers[prefix + role].username(city)
                user = User.objects.filter(person__pk=trio[role]).first()
                if user is None or User.objects.filter(username=username).exists():
                    continue
                user.username = username
                user.password = institute.password
                user.save(update_fields=["username", "password"])


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
