"""The synthetic demo city: regions, authorities, owners, instruments and one demo user per role.

Everything is drawn from ``random.Random`` streams derived from the seed, in a fixed order (lists and tuples, never
sets or database ids), so ``build_city(seed=s, today=d)`` gives the same city every time. Derived fields of an
instrument (``mandatory``, ``due_on``) come from :func:`jiliang.instruments.services.derive`, its region from its
owner. Organizations and users are written with ``bulk_create``; instruments (10^6 of them at province scale) in
batches of plain rows (:mod:`jiliang.demo.instruments`); all in one transaction, with one audit event.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
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
from .owners import CreditCodes, OwnerPlan, mobile, person_name, street_address

Category = Organization.Category
OrgKind = Organization.Kind

# One password for every demo user; it passes Django's validators (checked when the users are made).
DEMO_PASSWORD = "Yunchuan-Demo-2025"  # noqa: S105 (a published demo password, not a secret)
DEFAULT_INSTRUMENTS = 50_000
# About one owner per 25 instruments.
INSTRUMENTS_PER_OWNER = 25
PROGRESS_EVERY = 100_000
AUDIT_ACTION = "demo.seed_city"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    # What demo_logins prints in the first column.
    label: Any


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("city_regulator", Role.REGULATOR, gettext_lazy("市级监管部门")),
    DemoUser("county_regulator", Role.REGULATOR, gettext_lazy("县级监管部门")),
    DemoUser("institute", Role.INSTITUTE, gettext_lazy("检定机构")),
    DemoUser("owner", Role.OWNER, gettext_lazy("使用单位")),
    DemoUser("admin", Role.ADMIN, gettext_lazy("平台管理员")),
)
# The demo institute's three people who signed together most often in the history get these logins (and the demo
# password), so that a visitor can record, check and approve by hand (jiliang.demo.history.name_demo_signers).
DEMO_SIGNERS: tuple[DemoUser, ...] = (
    DemoUser("verifier", Role.INSTITUTE, gettext_lazy("检定员")),
    DemoUser("checker", Role.INSTITUTE, gettext_lazy("核验员")),
    DemoUser("approver", Role.INSTITUTE, gettext_lazy("批准人")),
)


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
    # Demo usernames that already belonged to someone and were left alone.
    skipped_users: list[str] = field(default_factory=list)


def database_is_empty() -> bool:
    return not (Instrument.objects.exists() or Organization.objects.exists())


# --- authorities and users ------------------------------------------------------------------------------------


def _regions() -> dict[str, Region]:
    city, _created = Region.objects.update_or_create(
        code=names.CITY_CODE, defaults={"name": names.CITY_NAME, "level": Region.Level.CITY, "parent": None}
    )
    regions = {city.code: city}
    for county in names.COUNTIES:
        region, _created = Region.objects.update_or_create(
            code=county.code, defaults={"name": county.name, "level": Region.Level.COUNTY, "parent": city}
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


def _authorities(rng: random.Random, codes: CreditCodes, regions: dict[str, Region]) -> list[Organization]:
    """The city bureau, its county bureaus, the city institute and the county institutes."""
    seat = names.COUNTIES[0]
    city = regions[names.CITY_CODE]
    result = [
        _government_body(
            rng,
            codes,
            f"{names.CITY_NAME}市场监督管理局",
            OrgKind.REGULATOR,
            city,
            lambda: f"{seat.name}府前街{rng.randint(1, 99)}号",
        ),
        _government_body(
            rng,
            codes,
            f"{names.CITY_NAME}计量测试所",
            OrgKind.INSTITUTE,
            city,
            partial(street_address, rng, seat),
            "YCJL",
        ),
    ]
    for county in names.COUNTIES:
        region, address = regions[county.code], partial(street_address, rng, county)
        result.append(_government_body(rng, codes, f"{county.name}市场监督管理局", OrgKind.REGULATOR, region, address))
        result.append(
            _government_body(
                rng, codes, f"{county.name}计量检定所", OrgKind.INSTITUTE, region, address, f"{county.initials}JL"
            )
        )
    return result


def _demo_owner(plans: list[OwnerPlan]) -> OwnerPlan:
    """The owner the demo logs in as: one with overdue and due-soon instruments, preferably a market or a petrol
    station (what a regulator's campaign targets first)."""

    def ripe(plan: OwnerPlan) -> bool:
        return plan.states.get(due.DueState.OVERDUE, 0) > 0 and plan.states.get(due.DueState.DUE_SOON, 0) > 0

    for category in (Category.MARKET_FAIR, Category.PETROL_STATION, Category.HOSPITAL, Category.FACTORY):
        for plan in plans:
            if plan.organization.category == category and ripe(plan) and plan.instruments <= 500:
                return plan
    for plan in plans:
        if ripe(plan):
            return plan
    return max(plans, key=lambda p: p.instruments)


def _make_users(rng: random.Random, authorities: list[Organization], owner: OwnerPlan) -> list[User]:
    by_name = {o.name: o for o in authorities}
    county_bureau = by_name[f"{owner.county.name}市场监督管理局"]
    organizations = {
        "city_regulator": by_name[f"{names.CITY_NAME}市场监督管理局"],
        "county_regulator": county_bureau,
        "institute": by_name[f"{names.CITY_NAME}计量测试所"],
        "owner": owner.organization,
        "admin": None,
    }
    # One hash for all demo users: hashing is deliberately slow and they share the password anyway.
    password = make_password(DEMO_PASSWORD)
    users = []
    for demo in DEMO_USERS:
        full = person_name(rng)
        user = User(
            username=demo.username,
            role=demo.role,
            organization=organizations[demo.username],
            last_name=full[0],
            first_name=full[1:],
            is_staff=demo.role == Role.ADMIN,
            is_superuser=demo.role == Role.ADMIN,
        )
        validate_password(DEMO_PASSWORD, user)
        user.password = password
        users.append(user)
    return users


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


def build_city(
    *,
    seed: int,
    instruments: int = DEFAULT_INSTRUMENTS,
    today: date,
    progress: Callable[[str], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> SeedResult:
    """Build the demo city into an empty database (raises :class:`CityExistsError` otherwise)."""
    if instruments < 0:
        raise ValueError("instruments must be ≥ 0")
    master = random.Random(seed)
    # Separate streams, so that a change in one part (say, more owner kinds) does not reshuffle the others.
    rng_orgs, rng_alloc, rng_instruments, rng_users = (random.Random(master.getrandbits(64)) for _ in range(4))
    with transaction.atomic():
        if not database_is_empty():
            raise CityExistsError(_("数据库中已有单位或计量器具，演示城市只能生成在空数据库中"))
        regions = _regions()
        catalog = {item.code: item for item in CatalogItem.objects.all()}
        codes = CreditCodes(rng_orgs)
        authorities = _authorities(rng_orgs, codes, regions)
        plans = owners.make_owners(rng_orgs, codes, regions, round(instruments / INSTRUMENTS_PER_OWNER))
        Organization.objects.bulk_create(authorities + [p.organization for p in plans], batch_size=1000)
        allocate_instruments(rng_alloc, plans, instruments)

        maker = InstrumentMaker(rng_instruments, catalog, today)
        writer = InstrumentWriter()
        batch: list[tuple[Any, ...]] = []
        written = 0
        with secondary_indexes_dropped(Instrument):
            for plan in plans:
                for row in maker.for_owner(plan):
                    batch.append(row)
                    if len(batch) >= batch_size:
                        writer.write(batch)
                        written += len(batch)
                        batch = []
                        if progress and written % PROGRESS_EVERY < batch_size:
                            progress(
                                _("已写入计量器具 %(done)s / %(total)s 件") % {"done": written, "total": instruments}
                            )
            if batch:
                writer.write(batch)
                written += len(batch)
            writer.finish()
            if progress:
                progress(_("正在重建索引……"))

        demo_owner = _demo_owner(plans)
        users = _make_users(rng_users, authorities, demo_owner)
        # An account made before the seed (say, `createsuperuser admin`) keeps its name, role and password.
        taken = set(User.objects.filter(username__in=[u.username for u in users]).values_list("username", flat=True))
        User.objects.bulk_create([u for u in users if u.username not in taken])
        institutes.build_institutes(seed=seed, today=today, catalog=catalog)
        states: dict[str, int] = {s.value: 0 for s in due.DueState}
        for plan in plans:
            for state, n in plan.states.items():
                states[state] += n
        audit.record(
            actor=None,
            action=AUDIT_ACTION,
            object_type="core.region",
            object_id=regions[names.CITY_CODE].pk,
            changes={
                "seed": seed,
                "today": today.isoformat(),
                "instruments": written,
                "owners": len(plans),
                "organizations": len(authorities) + len(plans),
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
        owners=len(plans),
        organizations=len(authorities) + len(plans),
        due_states=states,
        demo_owner=demo_owner.organization.name,
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
