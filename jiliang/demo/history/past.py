"""A thin history over the plan period of a demo city whose plan has ended (阜新市, plan ``fuxin-2015``, 2015–2020),
so that its plan dashboard shows the path and its mid-term and final evaluations quote real figures.

The city as built holds what is in force around ``today``: each standard's assessment certificate of the current
term, authorizations and qualifications of the current five years. Before the past requests are planned, the city's
institutes get what they held in the plan period (:func:`prepare_past`):

* each standard first assessed before its current certificate gets its earlier terms that fall in the period, each a
  standard of its own (code ``<code>-<year of the term>``, its own certificate number, the same scope, its own
  equipment with traceability certificates covering the term) — the platform keeps one assessment certificate per
  standard, so an earlier term is a row of its own;
* each authorization and each verifier's qualification gets its earlier five-year terms back into the period (a
  qualification not before the person was hired).

Then a few requests a year (:data:`PAST_REQUESTS_PER_YEAR`) are planned and replayed through the same services as
the recent year (:mod:`.planner`, :mod:`.replay`), each year as a window of its own: verifications, none failed, of
instruments the registry shows verified again after the period, so that every instrument's state today stays as the
city was built. As built, an instrument is registered when its current cycle began (after the period, mostly): one
the past files for is registered instead some weeks to a year before its request (``_Planner.backdated``). Market fairs and clinics are among the owners, so that
some fees are waived (the plan's own waiver before 1 April 2017, free mandatory verification after).

Deterministic: its own random stream (``f"{seed}-history-past"``), everything read in a fixed order.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch

from jiliang.core import clock
from jiliang.core.models import Organization, Region
from jiliang.indicators.models import Plan
from jiliang.instruments.models import Instrument
from jiliang.metrology.draw import CalendarYearMissing, is_working_day
from jiliang.metrology.due import add_months
from jiliang.people.models import Qualification
from jiliang.standards.models import Authorization, EquipmentCertificate, Standard, StandardEquipment
from jiliang.verification.models import Certificate, Service, ServiceRequest

from ..institutes.common import _Numbers, _years
from .params import PAST_REQUESTS_PER_YEAR, PAST_SIZES, WAIVED
from .planner import _Planner
from .replay import _Replay, _Users
from .world import _World

Status = ServiceRequest.Status

# Assessment certificates run four years (计量标准考核办法), authorizations and qualifications five (as built).
STANDARD_YEARS = 4
TERM_YEARS = 5


@dataclass(frozen=True)
class Window:
    """A city's past window: its plan's period."""

    city: Region
    plan: str
    first: date
    last: date


@dataclass
class PastResult:
    """What was added for a city's window: earlier terms of standards, authorizations and qualifications; requests
    and the certificates issued on them."""

    standards: int = 0
    authorizations: int = 0
    qualifications: int = 0
    requests: int = 0
    certificates: int = 0
    first_year: int = 0
    last_year: int = 0


def past_windows(today: date) -> list[Window]:
    """The plan periods of the demo cities whose plan ended before ``today``'s year (Fuxin 2015–2020)."""
    plans = Plan.objects.filter(region__isnull=False, period_end__lt=today.year).select_related("region")
    return [
        Window(plan.region, plan.code, date(plan.period_start, 1, 1), date(plan.period_end, 12, 31))
        for plan in plans.order_by("code")
    ]


def calendar_covers(window: Window) -> bool:
    """Whether the working-day calendar holds every year of the window (and the weeks after it)."""
    try:
        is_working_day(window.last + timedelta(days=60))
        for year in range(window.first.year, window.last.year + 1):
            is_working_day(date(year, 7, 1))
    except CalendarYearMissing:
        return False
    return True


# ---- what the institutes held then ----------------------------------------------------------------------------


def _earlier_terms(current_start: date, years: int, since: date, floor: date | None = None) -> list[tuple[date, date]]:
    """The terms of ``years`` before the one starting ``current_start``, latest first, back to the first that starts
    on or before ``since``; none starting before ``floor``."""
    terms: list[tuple[date, date]] = []
    start = current_start
    while start > since:
        earlier = _years(start, -years)
        if floor is not None and earlier < floor:
            break
        terms.append((earlier, start - timedelta(days=1)))
        start = earlier
    return terms


def _months(issued: date, valid_until: date) -> int:
    return max(1, round(((valid_until - issued).days + 1) / 30.44))


def _earlier_standards(rng: random.Random, prefix: str, window: Window) -> int:
    """Each standard's earlier assessment terms that fall in the window, with their equipment and certificates."""
    standards = (
        Standard.objects.filter(holder__region__code__startswith=prefix)
        .exclude(status=Standard.Status.RETIRED)
        .prefetch_related(
            "catalog_items",
            "procedures",
            Prefetch(
                "equipment",
                queryset=StandardEquipment.objects.order_by("pk").prefetch_related(
                    Prefetch("certificates", queryset=EquipmentCertificate.objects.order_by("-issued_on", "pk"))
                ),
            ),
        )
        .order_by("pk")
    )
    numbers = _Numbers()
    planned: list[tuple[Standard, Standard]] = []
    for standard in standards:
        if standard.established_on is None:
            continue
        # The terms since it was established (first assessed on its first certificate, weeks after).
        terms = _earlier_terms(
            standard.certificate_issued_on, STANDARD_YEARS, window.first, floor=standard.established_on
        )
        for start, end in terms:
            if start > window.last or end < window.first:
                continue
            match = re.match(r"^\[\d{4}\](.+?)量标证字", standard.certificate_number)
            assessor = match.group(1) if match else ""
            serial = numbers.take(f"{assessor}{start.year}", 901)
            earlier = Standard(
                holder_id=standard.holder_id,
                name=standard.name,
                code=f"{standard.code}-{start.year}",
                measurand=standard.measurand,
                measuring_range=standard.measuring_range,
                uncertainty=standard.uncertainty,
                is_public=standard.is_public,
                is_highest=standard.is_highest,
                level=standard.level,
                certificate_number=f"[{start.year}]{assessor}量标证字第{serial:03d}号",
                certificate_issued_on=start,
                certificate_valid_until=end,
                # The establishment date is the current row's (the new-standards figure counts each standard once).
                established_on=None,
            )
            planned.append((standard, earlier))
    Standard.objects.bulk_create([e for _s, e in planned], batch_size=500)

    items, procedures, pieces, certificates = [], [], [], []
    item_through, procedure_through = Standard.catalog_items.through, Standard.procedures.through
    for standard, earlier in planned:
        items += [item_through(standard_id=earlier.pk, catalogitem_id=i.pk) for i in standard.catalog_items.all()]
        procedures += [procedure_through(standard_id=earlier.pk, procedure_id=p.pk) for p in standard.procedures.all()]
        for piece in standard.equipment.all():
            latest = next(iter(piece.certificates.all()), None)
            if latest is None:
                continue
            copy = StandardEquipment(
                standard_id=earlier.pk,
                role=piece.role,
                name=piece.name,
                model=piece.model,
                serial_number=piece.serial_number,
                manufacturer=piece.manufacturer,
            )
            pieces.append((copy, latest))
    StandardEquipment.objects.bulk_create([c for c, _l in pieces], batch_size=1000)
    starts = {s.pk: s for _c, s in planned}
    for copy, latest in pieces:
        term = starts[copy.standard_id]
        months = _months(latest.issued_on, latest.valid_until)
        letters = "".join(itertools.takewhile(lambda ch: "A" <= ch <= "Z", latest.number)) or "JL"
        issued = add_months(term.certificate_issued_on, -rng.randint(0, months - 1))
        while issued <= term.certificate_valid_until:
            until = add_months(issued, months) - timedelta(days=1)
            certificates.append(
                EquipmentCertificate(
                    equipment_id=copy.pk,
                    issuer_standard_id=latest.issuer_standard_id,
                    issuer_authority_id=latest.issuer_authority_id,
                    number=f"{letters}{issued.year}-{numbers.take(letters + str(issued.year), 90001):05d}",
                    issued_on=issued,
                    valid_until=until,
                    result=latest.result,
                    uncertainty=latest.uncertainty,
                )
            )
            issued = until + timedelta(days=1)
    EquipmentCertificate.objects.bulk_create(certificates, batch_size=1000)
    item_through.objects.bulk_create(items, batch_size=1000)
    procedure_through.objects.bulk_create(procedures, batch_size=1000)
    return len(planned)


def _earlier_authorizations(prefix: str, window: Window) -> int:
    """Each authorization of the city's institutes, renewed every five years: its earlier terms back into the
    window (the same items, by the same bureau)."""
    rows: list[tuple[Authorization, list[int]]] = []
    serial = 900
    found = (
        Authorization.objects.filter(institute__region__code__startswith=prefix, revoked_on__isnull=True)
        .prefetch_related("catalog_items")
        .order_by("pk")
    )
    for authorization in found:
        match = re.search(r"）(.+?)量授字", authorization.number)
        short = match.group(1) if match else ""
        for start, end in _earlier_terms(authorization.valid_from, TERM_YEARS, window.first):
            serial += 1
            rows.append(
                (
                    Authorization(
                        institute_id=authorization.institute_id,
                        issued_by_id=authorization.issued_by_id,
                        number=f"（{start.year}）{short}量授字第{serial:03d}号",
                        valid_from=start,
                        valid_until=end,
                    ),
                    [i.pk for i in authorization.catalog_items.all()],
                )
            )
    Authorization.objects.bulk_create([a for a, _i in rows])
    through = Authorization.catalog_items.through
    through.objects.bulk_create(
        [through(authorization_id=a.pk, catalogitem_id=i) for a, ids in rows for i in ids], batch_size=1000
    )
    return len(rows)


def _earlier_qualifications(prefix: str, window: Window) -> int:
    """Each verifier's qualification at the city's institutes: its earlier five-year terms back into the window,
    none issued before the person was hired there."""
    planned: list[tuple[Qualification, Qualification]] = []
    serial = 290000
    found = (
        Qualification.objects.filter(
            kind=Qualification.Kind.VERIFIER,
            person__organization__kind=Organization.Kind.INSTITUTE,
            person__organization__region__code__startswith=prefix,
        )
        .select_related("person")
        .prefetch_related("catalog_items", "procedures")
        .order_by("pk")
    )
    for qualification in found:
        match = re.match(r"^(.+?)计检证字", qualification.number)
        province = match.group(1) if match else ""
        hired = qualification.person.hired_on
        for start, end in _earlier_terms(qualification.issued_on, TERM_YEARS, window.first, floor=hired):
            serial += 1
            planned.append(
                (
                    qualification,
                    Qualification(
                        person_id=qualification.person_id,
                        kind=Qualification.Kind.VERIFIER,
                        number=f"{province}计检证字第{serial:06d}号",
                        issued_on=start,
                        valid_until=end,
                        scope_note=qualification.scope_note,
                    ),
                )
            )
    Qualification.objects.bulk_create([e for _q, e in planned], batch_size=1000)
    item_through, procedure_through = Qualification.catalog_items.through, Qualification.procedures.through
    item_through.objects.bulk_create(
        [item_through(qualification_id=e.pk, catalogitem_id=i.pk) for q, e in planned for i in q.catalog_items.all()],
        batch_size=1000,
    )
    procedure_through.objects.bulk_create(
        [procedure_through(qualification_id=e.pk, procedure_id=p.pk) for q, e in planned for p in q.procedures.all()],
        batch_size=1000,
    )
    return len(planned)


def prepare_past(rng: random.Random, window: Window) -> PastResult:
    """What the city's institutes held in the window (see the module docstring)."""
    prefix = window.city.code[:4]
    return PastResult(
        standards=_earlier_standards(rng, prefix, window),
        authorizations=_earlier_authorizations(prefix, window),
        qualifications=_earlier_qualifications(prefix, window),
    )


# ---- the requests ------------------------------------------------------------------------------------------------


def build_past(*, seed: int, window: Window) -> PastResult:
    """Prepare the city's past and replay a few verification requests in each year of the window (run inside the
    history's transaction, before the recent year)."""
    rng = random.Random(f"{seed}-history-past-{window.plan}")
    result = prepare_past(rng, window)
    world = _World()
    # "today" of the window: the day after it, so that its last day is the last working day of the window.
    planner = _Planner(
        rng, world, window.last + timedelta(days=1), 0, region_prefix=window.city.code[:4], past_until=window.last
    )
    free = [pk for pk, o in sorted(planner.owners.items()) if o.category in WAIVED and pk in planner.by_owner]
    for year in range(window.first.year, window.last.year + 1):
        planner.first = max(window.first, date(year, 1, 1))
        planner.today = min(window.last + timedelta(days=1), date(year + 1, 1, 1))
        # A market fair or clinic first (the waived fee), then the rest; a rejection and a withdrawal now and then.
        targets = [Status.COMPLETED] * (PAST_REQUESTS_PER_YEAR - 1)
        targets.append(rng.choice((Status.REJECTED, Status.WITHDRAWN, Status.COMPLETED)))
        owners = rng.sample(free, min(2, len(free)))
        for n, target in enumerate(targets):
            try:
                planner.plan(
                    target,
                    service=Service.VERIFICATION,
                    owner_id=owners[n] if n < len(owners) else None,
                    size=rng.choice(PAST_SIZES),
                )
            except CalendarYearMissing:
                # Its steps, counted back from an early day of the window, reach the year before (not in the
                # calendar): left out, as a request before the window would be.
                continue
    # On the register before their request (as built, an instrument is registered when its current cycle began).
    for instrument_id, day in sorted(planner.backdated.items()):
        Instrument.objects.filter(pk=instrument_id).update(registered_on=day)
    steps = sorted(
        ((step.at, n, k, plan, step) for n, plan in enumerate(planner.plans) for k, step in enumerate(plan.steps)),
        key=lambda t: (t[0], t[1], t[2]),
    )
    replay = _Replay(rng, planner, _Users(rng))
    for at, _n, _k, plan, step in steps:
        with clock.travel(at):
            replay.run(plan, step)
    result.requests = len(planner.plans)
    result.certificates = Certificate.objects.filter(
        issued_on__range=(window.first, window.last), instrument__region__code__startswith=window.city.code[:4]
    ).count()
    result.first_year, result.last_year = window.first.year, window.last.year
    return result
