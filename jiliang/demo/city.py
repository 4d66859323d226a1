"""The demo's cities (延安市 and 阜新市, ``data/cities.toml``): regions under their provinces, authorities, synthetic
owners, instruments, the city's own plan attached to it, and demo users per city that follow the one-window loop.

Everything is drawn from ``random.Random`` streams derived from the seed and the city, in a fixed order (lists and tuples, never
sets or database ids), so ``build_city(seed=s, today=d)`` gives the same cities every time. Derived fields of an
instrument (``mandatory``, ``due_on``) come from :func:`jiliang.instruments.services.derive`, its region from its
owner. Organizations and users are written with ``bulk_create``; instruments (10^6 of them at province scale) in
batches of plain rows (:mod:`jiliang.demo.instruments`); all in one transaction, with one audit event.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.catalog.models import CatalogItem
from jiliang.core import audit
from jiliang.core.models import Organization, Region, Role, User
from jiliang.indicators.models import Plan
from jiliang.instruments import tally
from jiliang.instruments.models import Instrument
from jiliang.instruments.services import DESCRIPTION_FIELDS
from jiliang.metrology import due

from . import institutes, names, owners
from .instruments import (
    BATCH_SIZE,
    InstrumentMaker,
    InstrumentWriter,
    allocate_instruments,
    secondary_indexes_dropped,
)
from .names import CITIES, City, County
from .owners import CreditCodes, OwnerPlan, apportion, mobile, person_name, street_address

Category = Organization.Category
OrgKind = Organization.Kind

# One password for every demo user; it passes Django's validators (checked when the users are made).
DEMO_PASSWORD = "Jiliang-Demo-2026"  # noqa: S105 (a published demo password, not a secret)
# Both cities together, split by their shares in cities.toml.
DEFAULT_INSTRUMENTS = 50_000
# About one owner per 25 instruments.
INSTRUMENTS_PER_OWNER = 25
PROGRESS_EVERY = 100_000
AUDIT_ACTION = "demo.seed_city"


@dataclass(frozen=True)
class DemoUser:
    # The username after the city's login prefix: yanan_city, fuxin_market … ("admin" has none).
    key: str
    role: str
    # What demo_logins prints in the first column, and what to try first with the login.
    label: Any
    hint: Any = ""

    def username(self, city: City | None) -> str:
        return f"{city.login}_{self.key}" if city is not None else self.key


# Per city: its bureau and the bureau of the demo county, its institute's and the demo county institute's clerk
# (no signer: the one who accepts and schedules), and four owners of the demo county, whose requests route to one of
# those two institutes (the county's own, or the city's for what the county's is not authorized for).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("city", Role.REGULATOR, gettext_lazy("市级监管部门"), gettext_lazy("先看首页与规划看板，再看各县（区）")),
    DemoUser("county", Role.REGULATOR, gettext_lazy("县级监管部门"), gettext_lazy("先看本县（区）超期器具")),
    DemoUser("institute", Role.INSTITUTE, gettext_lazy("市检定机构受理员"), gettext_lazy("先受理待受理的申请")),
    DemoUser("county_institute", Role.INSTITUTE, gettext_lazy("县检定机构受理员"), gettext_lazy("先受理待受理的申请")),
    DemoUser("market", Role.OWNER, gettext_lazy("集贸市场"), gettext_lazy("先看超期器具，再提交检定申请")),
    DemoUser("petrol", Role.OWNER, gettext_lazy("加油站"), gettext_lazy("先看即将到期的加油机")),
    DemoUser("hospital", Role.OWNER, gettext_lazy("医院"), gettext_lazy("先看医用器具的检定状态")),
    DemoUser("enterprise", Role.OWNER, gettext_lazy("企业（有实验室）"), gettext_lazy("先看证书与申请")),
)
# The platform's administrator: one for all cities.
DEMO_ADMIN = DemoUser("admin", Role.ADMIN, gettext_lazy("平台管理员"), gettext_lazy("后台管理"))
# The owners the demo logs in as, by key, and the kind of owner each is.
DEMO_OWNERS: tuple[tuple[str, str], ...] = (
    ("market", Category.MARKET_FAIR),
    ("petrol", Category.PETROL_STATION),
    ("hospital", Category.HOSPITAL),
    ("enterprise", Category.FACTORY),
)
# Each demo institute's three people who signed together most often in the history get these logins (and the demo
# password), so that a visitor can record, check and approve by hand (jiliang.demo.history.name_demo_signers).
DEMO_SIGNERS: tuple[DemoUser, ...] = (
    DemoUser("verifier", Role.INSTITUTE, gettext_lazy("市检定机构检定员"), gettext_lazy("先填写检定记录")),
    DemoUser("checker", Role.INSTITUTE, gettext_lazy("市检定机构核验员"), gettext_lazy("先核验待核验的记录")),
    DemoUser("approver", Role.INSTITUTE, gettext_lazy("市检定机构批准人"), gettext_lazy("先批准并签发证书")),
    DemoUser("county_verifier", Role.INSTITUTE, gettext_lazy("县检定机构检定员"), gettext_lazy("先填写检定记录")),
    DemoUser("county_checker", Role.INSTITUTE, gettext_lazy("县检定机构核验员"), gettext_lazy("先核验待核验的记录")),
    DemoUser("county_approver", Role.INSTITUTE, gettext_lazy("县检定机构批准人"), gettext_lazy("先批准并签发证书")),
)


def demo_usernames() -> list[str]:
    """Every demo username the cities may have, in print order (admin last)."""
    return [d.username(c) for c in CITIES.values() for d in (*DEMO_USERS, *DEMO_SIGNERS)] + [DEMO_ADMIN.key]


class CityExistsError(Exception):
    """The database already holds organizations or instruments; the demo city is built only into an empty one."""


@dataclass
class SeedResult:
    seed: int
    today: date
    instruments: int
    owners: int
    organizations: int
    # In-use mandatory instruments by due state (valid, due_soon, overdue, never), and the rest ("na").
    due_states: dict[str, int]
    demo_owner: str
    # The cities built, by key, with their instruments.
    cities: dict[str, int] = field(default_factory=dict)
    # Demo usernames that already belonged to someone and were left alone.
    skipped_users: list[str] = field(default_factory=list)


def database_is_empty() -> bool:
    return not (Instrument.objects.exists() or Organization.objects.exists())


# --- authorities and users ------------------------------------------------------------------------------------


def _regions(city: City) -> dict[str, Region]:
    """The city under its province, and its county-level divisions."""
    province, _created = Region.objects.update_or_create(
        code=city.province_code, defaults={"name": city.province, "level": Region.Level.PROVINCE, "parent": None}
    )
    top, _created = Region.objects.update_or_create(
        code=city.code, defaults={"name": city.name, "level": Region.Level.CITY, "parent": province}
    )
    regions = {top.code: top}
    for county in city.counties:
        region, _created = Region.objects.update_or_create(
            code=county.code, defaults={"name": county.name, "level": Region.Level.COUNTY, "parent": top}
        )
        regions[region.code] = region
    return regions


def _government_body(
    rng: random.Random,
    codes: CreditCodes,
    name: str,
    kind: str,
    region: Region,
    address: Callable[[], str],
    short_code: str = "",
) -> Organization:
    """A market-regulation bureau or a metrology institute of the government. The seed's draws come in the order
    credit code, address, contact, phone."""
    credit_code = codes.make("11" if kind == OrgKind.REGULATOR else "12", region.code)
    return Organization(
        name=name,
        kind=kind,
        category=Category.GOVERNMENT,
        credit_code=credit_code,
        short_code=short_code,
        region=region,
        address=address(),
        contact=person_name(rng),
        phone=mobile(rng),
    )


def _authorities(rng: random.Random, codes: CreditCodes, regions: dict[str, Region], city: City) -> list[Organization]:
    """The city bureau, its county bureaus, the city institute and the county institutes."""
    seat = city.seat
    top = regions[city.code]
    result = [
        _government_body(
            rng,
            codes,
            city.bureau,
            OrgKind.REGULATOR,
            top,
            lambda: f"{seat.name}{rng.choice(names.ROADS)}{rng.randint(1, 99)}号",
        ),
        _government_body(
            rng, codes, city.institute, OrgKind.INSTITUTE, top, partial(street_address, rng, seat), city.institute_code
        ),
    ]
    for county in city.counties:
        region, address = regions[county.code], partial(street_address, rng, county)
        result.append(_government_body(rng, codes, f"{county.name}市场监督管理局", OrgKind.REGULATOR, region, address))
        result.append(
            _government_body(
                rng, codes, f"{county.name}计量检定所", OrgKind.INSTITUTE, region, address, f"{county.initials}JL"
            )
        )
    return result


def _ripe(plan: OwnerPlan) -> bool:
    return plan.states.get(due.DueState.OVERDUE, 0) > 0 and plan.states.get(due.DueState.DUE_SOON, 0) > 0


def _demo_county(plans: list[OwnerPlan], city: City) -> County:
    """The county whose bureau, institute and owners the demo logs in as: the one with the most kinds of demo owner,
    then with the most of them having overdue and due-soon instruments (ties to the first listed, the seat), so that
    every demo owner's requests go to the institutes the demo prints."""

    def kinds(county: County) -> tuple[int, int]:
        here = [p for p in plans if p.county is county and p.instruments]
        present = sum(any(p.organization.category == category for p in here) for _key, category in DEMO_OWNERS)
        ripe = sum(
            any(p.organization.category == category and _ripe(p) for p in here) for _key, category in DEMO_OWNERS
        )
        return present, ripe

    return max(city.counties, key=kinds)


def _demo_owners(plans: list[OwnerPlan], county: County) -> dict[str, OwnerPlan]:
    """One owner of each demo kind, in the demo county when it has one: preferably one with overdue and due-soon
    instruments and not too many of them (what a regulator's campaign targets first)."""
    chosen: dict[str, OwnerPlan] = {}
    for key, category in DEMO_OWNERS:
        of_kind = [p for p in plans if p.organization.category == category and p.instruments]
        ranked = (
            [p for p in of_kind if p.county is county and _ripe(p) and p.instruments <= 500],
            [p for p in of_kind if p.county is county],
            [p for p in of_kind if _ripe(p)],
            of_kind,
        )
        found = next((group[0] for group in ranked if group), None)
        if found is not None:
            chosen[key] = found
    return chosen


def _make_users(
    rng: random.Random, authorities: list[Organization], owners_: dict[str, OwnerPlan], county: County, city: City
) -> list[User]:
    by_name = {o.name: o for o in authorities}
    organizations: dict[str, Organization] = {
        "city": by_name[city.bureau],
        "county": by_name[f"{county.name}市场监督管理局"],
        "institute": by_name[city.institute],
        "county_institute": by_name[f"{county.name}计量检定所"],
        **{key: plan.organization for key, plan in owners_.items()},
    }
    return [_user(rng, demo, city, organizations[demo.key]) for demo in DEMO_USERS if demo.key in organizations]


def _user(rng: random.Random, demo: DemoUser, city: City | None, organization: Organization | None) -> User:
    full = person_name(rng)
    user = User(
        username=demo.username(city),
        role=demo.role,
        organization=organization,
        last_name=full[0],
        first_name=full[1:],
        is_staff=demo.role == Role.ADMIN,
        is_superuser=demo.role == Role.ADMIN,
    )
    validate_password(DEMO_PASSWORD, user)
    return user


# --- the whole city -------------------------------------------------------------------------------------------


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, or the first queries plan without them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The declared verification records too (one per verified instrument): without their statistics the
            # verified-rate snapshot was planned as a nested loop over 10^6 rows (minutes instead of seconds).
            cursor.execute(
                "ANALYZE instruments_instrument, instruments_duetally, core_organization, core_region,"
                " verification_verificationrecord"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def city_sizes(instruments: int, cities: Sequence[str] | Mapping[str, int] | None = None) -> dict[str, int]:
    """Instruments per city: a mapping is taken as it is; a list of city keys (default: every city) shares
    ``instruments`` by the cities' shares (largest remainder)."""
    if isinstance(cities, Mapping):
        sizes = dict(cities)
    else:
        keys = list(cities) if cities is not None else list(CITIES)
        sizes = dict(zip(keys, apportion(instruments, [CITIES[k].share for k in keys]), strict=True))
    unknown = sorted(set(sizes) - set(CITIES))
    if unknown:
        raise ValueError(f"unknown cities {unknown}; known: {sorted(CITIES)}")
    if any(n < 0 for n in sizes.values()):
        raise ValueError("instruments must be ≥ 0")
    return sizes


@dataclass
class _Built:
    city: City
    regions: dict[str, Region]
    authorities: list[Organization]
    plans: list[OwnerPlan]
    rng_users: random.Random


def _attach_plan(city: City, region: Region) -> None:
    """The shipped plan the city follows becomes its own (``Plan.region``): its dashboard is the city's, and the other
    city's regulators no longer see it."""
    Plan.objects.filter(code=city.plan).update(region=region)


def build_city(
    *,
    seed: int,
    instruments: int = DEFAULT_INSTRUMENTS,
    today: date,
    cities: Sequence[str] | Mapping[str, int] | None = None,
    progress: Callable[[str], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> SeedResult:
    """Build the demo's cities into an empty database (raises :class:`CityExistsError` otherwise): every city in
    ``data/cities.toml`` sharing ``instruments``, or those named in ``cities`` (keys, or keys with their sizes)."""
    if instruments < 0:
        raise ValueError("instruments must be ≥ 0")
    sizes = city_sizes(instruments, cities)
    if not sizes:
        raise ValueError("no city to build")
    total = sum(sizes.values())
    with transaction.atomic():
        if not database_is_empty():
            raise CityExistsError(_("数据库中已有单位或计量器具，演示城市只能生成在空数据库中"))
        catalog = {item.code: item for item in CatalogItem.objects.all()}
        built: list[_Built] = []
        all_plans: list[tuple[InstrumentMaker, OwnerPlan]] = []
        for key, size in sizes.items():
            one = CITIES[key]
            master = random.Random(f"{seed}-{key}")
            # Separate streams, so that a change in one part (say, more owner kinds) does not reshuffle the others.
            rng_orgs, rng_alloc, rng_instruments, rng_users = (random.Random(master.getrandbits(64)) for _ in range(4))
            regions = _regions(one)
            _attach_plan(one, regions[one.code])
            codes = CreditCodes(rng_orgs)
            authorities = _authorities(rng_orgs, codes, regions, one)
            plans = owners.make_owners(rng_orgs, codes, regions, round(size / INSTRUMENTS_PER_OWNER), one)
            Organization.objects.bulk_create(authorities + [p.organization for p in plans], batch_size=1000)
            allocate_instruments(rng_alloc, plans, size)
            maker = InstrumentMaker(rng_instruments, catalog, today)
            all_plans += [(maker, plan) for plan in plans]
            built.append(_Built(one, regions, authorities, plans, rng_users))

        writer = InstrumentWriter()
        batch: list[tuple[Any, ...]] = []
        written = 0
        with secondary_indexes_dropped(Instrument):
            for maker, plan in all_plans:
                for row in maker.for_owner(plan):
                    batch.append(row)
                    if len(batch) >= batch_size:
                        writer.write(batch)
                        written += len(batch)
                        batch = []
                        if progress and written % PROGRESS_EVERY < batch_size:
                            progress(_("已写入计量器具 %(done)s / %(total)s 件") % {"done": written, "total": total})
            if batch:
                writer.write(batch)
                written += len(batch)
            writer.finish()
            if progress:
                progress(_("正在重建索引……"))

        # One hash for all demo users: hashing is deliberately slow and they share the password anyway.
        password = make_password(DEMO_PASSWORD)
        users: list[User] = []
        demo_owner = ""
        for done in built:
            county = _demo_county(done.plans, done.city)
            chosen = _demo_owners(done.plans, county)
            if "enterprise" in chosen:
                # The printed enterprise has a laboratory (``Organization.has_lab``): it may declare capabilities.
                lab = chosen["enterprise"].organization
                lab.has_lab = True
                Organization.objects.filter(pk=lab.pk).update(has_lab=True)
            demo_owner = demo_owner or (chosen["market"].organization.name if "market" in chosen else "")
            users += _make_users(done.rng_users, done.authorities, chosen, county, done.city)
        users.append(_user(random.Random(f"{seed}-admin"), DEMO_ADMIN, None, None))
        for user in users:
            user.password = password
        # An account made before the seed (say, `createsuperuser admin`) keeps its name, role and password.
        taken = set(User.objects.filter(username__in=[u.username for u in users]).values_list("username", flat=True))
        User.objects.bulk_create([u for u in users if u.username not in taken])
        certificate_numbers = institutes.Numbers()
        for done in built:
            institutes.build_institutes(
                seed=seed, today=today, catalog=catalog, city=done.city, certificate_numbers=certificate_numbers
            )
        states: dict[str, int] = {s.value: 0 for s in due.DueState}
        for _maker, plan in all_plans:
            for state, n in plan.states.items():
                states[state] += n
        organizations = sum(len(b.authorities) + len(b.plans) for b in built)
        audit.record(
            actor=None,
            action=AUDIT_ACTION,
            object_type="core.region",
            object_id=built[0].regions[built[0].city.code].pk,
            changes={
                "seed": seed,
                "today": today.isoformat(),
                "cities": sizes,
                "instruments": written,
                "owners": len(all_plans),
                "organizations": organizations,
            },
        )
        # The rows above bypass the services that keep the due tally in step: recount it once for the whole load.
        if progress:
            progress(_("正在统计各县（区）检定状态……"))
        tally.rebuild()
        _analyze()
    return SeedResult(
        seed=seed,
        today=today,
        instruments=written,
        owners=len(all_plans),
        organizations=organizations,
        due_states=states,
        demo_owner=demo_owner,
        cities=sizes,
        skipped_users=sorted(taken),
    )


def city_digest() -> str:
    """A SHA-256 over the city's regions, organizations, users and instruments, without database ids or
    timestamps: two databases built from the same seed and day have the same digest."""
    h = hashlib.sha256()

    def feed(rows: Iterator[tuple[Any, ...]]) -> None:
        for row in rows:
            h.update(repr(row).encode())
            h.update(b"\n")

    feed(Region.objects.order_by("code").values_list("code", "name", "level", "parent__code").iterator())
    feed(
        Organization.objects.order_by("credit_code")
        .values_list(
            "credit_code", "name", "kind", "category", "short_code", "region__code", "address", "contact", "phone"
        )
        .iterator()
    )
    feed(
        User.objects.order_by("username")
        .values_list("username", "role", "organization__credit_code", "first_name", "last_name", "is_superuser")
        .iterator()
    )
    feed(
        Instrument.objects.order_by("owner__credit_code", "serial_number", "catalog_item__code")
        .values_list(
            "owner__credit_code",
            "region__code",
            "catalog_item__code",
            *DESCRIPTION_FIELDS,
            "status",
            "registered_on",
            "mandatory",
            "last_verification__performed_on",
            "last_verification__source",
            "due_on",
        )
        .iterator(chunk_size=10_000)
    )
    return h.hexdigest()
