"""The synthetic demo city: regions, authorities, owners, instruments and one demo user per role.

Everything is drawn from ``random.Random`` streams derived from the seed, in a fixed order (lists and tuples, never
sets or database ids), so ``build_city(seed=s, today=d)`` gives the same city every time. Derived fields of an
instrument (``mandatory``, ``due_on``) come from :func:`jiliang.instruments.services.derive`, its region from its
owner. Organizations and users are written with ``bulk_create``; instruments (10^6 of them at province scale) in
batches of plain rows (:class:`InstrumentWriter`); all in one transaction, with one audit event.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.catalog.models import CatalogItem
from jiliang.core import audit
from jiliang.core.models import Organization, Region, Role, User
from jiliang.instruments.models import Instrument
from jiliang.instruments.services import derive
from jiliang.metrology import due, uscc

from . import names
from .kinds import CATEGORY_SHARES, KINDS, PROFILES, Kind, Profile

Category = Organization.Category
OrgKind = Organization.Kind

# One password for every demo user; it passes Django's validators (checked when the users are made).
DEMO_PASSWORD = "Yunchuan-Demo-2025"  # noqa: S105 (a published demo password, not a secret)
DEFAULT_INSTRUMENTS = 50_000
# About one owner per 25 instruments.
INSTRUMENTS_PER_OWNER = 25
BATCH_SIZE = 5_000
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
    seconds: float = 0.0


def database_is_empty() -> bool:
    return not (Instrument.objects.exists() or Organization.objects.exists())


# --- small deterministic helpers ----------------------------------------------------------------------------


def apportion(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the lower index), giving each at
    least ``minimum`` when the total allows it.

    >>> apportion(10, [1, 1, 1])
    [4, 3, 3]
    >>> apportion(5, [100, 1, 1], minimum=1)
    [3, 1, 1]
    """
    if not weights:
        return []
    if total < minimum * len(weights):
        minimum = 0
    rest = total - minimum * len(weights)
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    exact = [rest * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    left = rest - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:left]:
        counts[i] += 1
    return [c + minimum for c in counts]


_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """二, 十一, 二十三 … for 1 ≤ n ≤ 99.

    >>> [chinese_ordinal(n) for n in (2, 10, 11, 20, 23)]
    ['二', '十', '十一', '二十', '二十三']
    """
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def stem(place: str) -> str:
    """大屯镇 → 大屯, 站前街道 → 站前 (for names such as 站前农贸市场)."""
    for suffix in ("街道", "镇", "乡"):
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


class CreditCodes:
    """Unique, valid unified social credit codes (GB 32100): authority and type, the division code, a
    9-character organization code (new-style ``MA…`` or old-style digits), and the check character."""

    BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()  # membership only; never iterated

    def make(self, kind_prefix: str, division: str) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.6:
                # New-style organization codes: MA (market regulation), MB (institutional), MJ (civil affairs).
                series = {"1": "MB", "5": "MJ"}.get(kind_prefix[0], "MA")
                body = series + "".join(rng.choice(self.BODY_CHARS) for _ in range(7))
            else:
                body = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789X")
            code = uscc.make_code(kind_prefix + division, body)
            if code not in self.used:
                self.used.add(code)
                return code


def person_name(rng: random.Random) -> str:
    given = rng.choice(names.GIVEN_CHARS) + (rng.choice(names.GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(names.SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(names.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def street_address(rng: random.Random, county: names.County) -> str:
    place = rng.choice(county.places)
    if county.urban or place.endswith("街道") or rng.random() < 0.5:
        return f"{county.name}{rng.choice(names.ROADS)}{rng.randint(1, 399)}号"
    return f"{county.name}{place}{rng.choice(names.VILLAGES)}村"


# --- owners ---------------------------------------------------------------------------------------------------


@dataclass
class OwnerPlan:
    organization: Organization
    profile: Profile
    county: names.County
    instruments: int = 0
    states: dict[str, int] = field(default_factory=dict)


def _places(county: names.County) -> list[str]:
    return [stem(p) for p in county.places] + list(names.ROADS)


def _bounded_pools(rng: random.Random) -> dict[str, list[tuple[str, names.County, str, str]]]:
    """Owner kinds a city has only so many of: (name, county, profile key, credit-code prefix), shuffled."""
    urban = [c for c in names.COUNTIES if c.urban]
    hospitals = [(n, rng.choice(urban), "hospital", "12") for n in names.CITY_HOSPITALS]
    for county in names.COUNTIES:
        hospitals += [(county.name + n, county, "hospital", "12") for n in names.COUNTY_HOSPITALS]
    private = [(f"{c.short}{w}医院", c, "hospital", "52") for c in names.COUNTIES for w in names.PRIVATE_HOSPITAL_WORDS]
    township = [
        (f"{c.name}{p}{'中心' if i == 0 else ''}卫生院", c, "township_clinic", "12")
        for c in names.COUNTIES
        for i, p in enumerate(p for p in c.places if not p.endswith("街道"))
    ]
    community = [
        (f"{c.name}{stem(p)}街道社区卫生服务中心", c, "community_clinic", "12")
        for c in names.COUNTIES
        for p in c.places
        if p.endswith("街道")
    ]
    community += [
        (f"{c.short}{w}社区卫生服务站", c, "community_clinic", "12") for c in names.COUNTIES for w in names.COMMUNITIES
    ]
    home = names.COUNTIES[0]
    utilities = [
        (f"{names.CITY_NAME}自来水集团有限公司", home, "utility_water", "91"),
        (f"国网{names.CITY_NAME}供电公司", home, "utility_power", "91"),
        (f"{names.CITY_NAME}燃气集团有限公司", home, "utility_gas", "91"),
        (f"{names.CITY_NAME}热力有限公司", home, "utility_heat", "91"),
    ]
    for c in names.COUNTIES[1:]:
        utilities += [
            (f"{c.name}供水有限公司", c, "utility_water", "91"),
            (f"国网{names.CITY_NAME}供电公司{c.short}供电分公司", c, "utility_power", "91"),
            (f"{c.name}燃气有限公司", c, "utility_gas", "91"),
            (f"{c.name}热力有限公司", c, "utility_heat", "91"),
        ]
    taxis = [
        (f"{names.CITY_NAME}{w}出租汽车有限公司", rng.choice(urban), "taxi_company", "91") for w in names.TAXI_WORDS
    ]
    taxis += [
        (f"{c.name}{w}出租汽车有限公司", c, "taxi_company", "91")
        for c in names.COUNTIES
        if not c.urban
        for w in names.TAXI_WORDS
    ]
    # Public hospitals first (every city has them), then private ones; the rest shuffled.
    rng.shuffle(private)
    pools = {
        Category.HOSPITAL: hospitals + private,
        Category.TOWNSHIP_CLINIC: township,
        Category.COMMUNITY_CLINIC: community,
        Category.UTILITY: utilities,
        Category.TAXI_COMPANY: taxis,
    }
    for key in (Category.TOWNSHIP_CLINIC, Category.COMMUNITY_CLINIC, Category.TAXI_COMPANY):
        rng.shuffle(pools[key])
    # Keep the city-wide utilities first, then one of each kind per county in turn.
    return pools


def _open_name(rng: random.Random, category: str, county: names.County) -> tuple[str, str, str]:
    """A fresh name for an owner kind a city can have any number of: (name, profile key, credit-code prefix)."""
    place = rng.choice(_places(county))
    if category == Category.MARKET_FAIR:
        kind = rng.choice(("农贸市场", "集贸市场", "综合市场", "菜市场", "农副产品批发市场"))
        return f"{county.name}{place}{kind}", "market_fair", "91"
    if category == Category.SUPERMARKET:
        return f"{rng.choice(names.SUPERMARKET_BRANDS)}超市{county.short}{place}店", "supermarket", "91"
    if category == Category.PETROL_STATION:
        if rng.random() < 0.15:
            return f"{rng.choice(names.PETROL_BRANDS)}{county.short}{place}加气站", "gas_station", "91"
        return f"{rng.choice(names.PETROL_BRANDS)}{county.short}{place}加油站", "petrol_station", "91"
    if category == Category.GLASSES_SHOP:
        prefix = "92" if rng.random() < 0.6 else "91"
        return f"{rng.choice(names.GLASSES_BRANDS)}眼镜{county.short}{place}店", "glasses_shop", prefix
    if category == Category.FACTORY:
        where = names.CITY_SHORT if rng.random() < 0.3 else county.short
        word, industry = rng.choice(names.TRADE_WORDS), rng.choice(names.INDUSTRIES)
        return f"{where}{word}{industry}{rng.choice(names.COMPANY_FORMS)}", "factory", "91"
    if category == Category.SCHOOL:
        roll = rng.random()
        if roll < 0.3:
            return f"{county.name}第{chinese_ordinal(rng.randint(1, 15))}中学", "school", "12"
        if roll < 0.85:
            return f"{county.name}{place}{rng.choice(('小学', '中心小学', '中学', '幼儿园'))}", "school", "12"
        return f"{county.name}{rng.choice(names.TRADE_WORDS)}{rng.choice(('学校', '幼儿园'))}", "school", "52"
    raise ValueError(f"no open name generator for {category}")


def _fallback_name(name: str, k: int) -> str:
    """A second (third …) unit of the same name: 人民路加油站 → 人民路第二加油站, … 有限公司 → … 有限公司第二分公司."""
    n = chinese_ordinal(k)
    for tail in ("加油站", "加气站"):
        if name.endswith(tail):
            return f"{name[: -len(tail)]}第{n}{tail}"
    if name.endswith("店"):
        return f"{name[:-1]}{n}店"
    if name.endswith("公司"):
        return f"{name}第{n}分公司"
    if name.endswith(("小学", "中学", "学校", "幼儿园")):
        return f"{name}{n}校区"
    return f"{name}{n}区"


def _owner_counts(total: int, caps: dict[str, int]) -> dict[str, int]:
    categories = [c for c, _owners, _items in CATEGORY_SHARES]
    total = max(total, len(categories))
    counts = dict(zip(categories, apportion(total, [o for _c, o, _i in CATEGORY_SHARES], minimum=1), strict=True))
    excess = 0
    for category, cap in caps.items():
        if counts[category] > cap:
            excess += counts[category] - cap
            counts[category] = cap
    if excess:
        open_ = [c for c in categories if c not in caps]
        extra = apportion(excess, [next(o for c2, o, _i in CATEGORY_SHARES if c2 == c) for c in open_])
        for category, n in zip(open_, extra, strict=True):
            counts[category] += n
    return counts


def _make_owners(rng: random.Random, codes: CreditCodes, regions: dict[str, Region], total: int) -> list[OwnerPlan]:
    pools = _bounded_pools(rng)
    counts = _owner_counts(total, {c: len(p) for c, p in pools.items()})
    county_weights = [c.weight for c in names.COUNTIES]
    used: set[str] = set()  # membership only
    plans: list[OwnerPlan] = []
    for category, _owners, _items in CATEGORY_SHARES:
        for i in range(counts[category]):
            if category in pools:
                name, county, profile_key, prefix = pools[category][i]
            else:
                county = rng.choices(names.COUNTIES, weights=county_weights)[0]
                for _attempt in range(30):
                    name, profile_key, prefix = _open_name(rng, category, county)
                    if name not in used:
                        break
                else:
                    base, k = name, 2
                    while (name := _fallback_name(base, k)) in used:
                        k += 1
            used.add(name)
            organization = Organization(
                name=name,
                kind=OrgKind.OWNER,
                category=category,
                credit_code=codes.make(prefix, county.code),
                region=regions[county.code],
                address=street_address(rng, county),
                contact=person_name(rng),
                phone=mobile(rng),
            )
            plans.append(OwnerPlan(organization, PROFILES[profile_key], county))
    return plans


# --- instruments ----------------------------------------------------------------------------------------------

# Target due-state mix by verification mode: (valid, due_soon, overdue, never).
STATE_MIX = {
    due.Mode.PERIODIC: (0.78, 0.06, 0.10, 0.06),
    due.Mode.FIRST_ONLY_FIXED_LIFE: (0.90, 0.02, 0.05, 0.03),
    due.Mode.FIRST_ONLY_SCRAP: (0.93, 0.0, 0.0, 0.07),
}
STATUS_MIX = ((Instrument.Status.IN_USE, 0.95), (Instrument.Status.STOPPED, 0.03), (Instrument.Status.SCRAPPED, 0.02))


def _last_verified(rng: random.Random, item: CatalogItem | None, mandatory: bool, today: date) -> date | None:
    """A last-verification date that puts a mandatory instrument in a chosen due state (most valid, some due
    within 30 days, some overdue, some never verified). The state itself is then derived, not assumed."""
    if not mandatory or item is None or item.mode not in STATE_MIX:
        return None if rng.random() < 0.4 else today - timedelta(days=rng.randint(0, 730))
    valid, soon, overdue, _never = STATE_MIX[item.mode]
    roll = rng.random()
    if item.mode == due.Mode.FIRST_ONLY_SCRAP or not item.interval_months:
        return today - timedelta(days=rng.randint(0, 1500)) if roll < valid else None
    # Verified exactly one interval ago means due yesterday.
    base = due.add_months(today, -item.interval_months)
    if roll < valid:
        return base + timedelta(days=rng.randint(32, max(32, (today - base).days)))
    if roll < valid + soon:
        return base + timedelta(days=rng.randint(1, 30))
    if roll < valid + soon + overdue:
        return base - timedelta(days=rng.randint(0, 540))
    return None


def _location(rng: random.Random, kind: Kind, plan: OwnerPlan) -> str:
    county = plan.county
    if kind.location == "home":
        return (
            f"{county.name}{rng.choice(names.ROADS)}{rng.randint(1, 299)}号"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}-{rng.randint(1, 18)}0{rng.randint(1, 4)}"
        )
    if kind.location == "building":
        return f"{county.name}{rng.choice(names.ROADS)}{rng.randint(1, 399)}号"
    if kind.location == "taxi":
        return f"{names.PLATE_PREFIX}·T{rng.randrange(10000):04d}"
    category = plan.organization.category
    if category == Category.HOSPITAL:
        return rng.choice(names.DEPARTMENTS)
    if category == Category.FACTORY:
        return rng.choice(names.FACTORY_PLACES)
    if category == Category.SCHOOL:
        return rng.choice(names.SCHOOL_PLACES)
    if plan.profile.places:
        return rng.choice(plan.profile.places).replace("{n}", str(rng.randint(1, 60)))
    return ""


# The columns the maker draws, in this order; the writer adds the rest (timestamps, defaults).
DRAWN_COLUMNS = (
    "owner_id",
    "region_id",
    "catalog_item_id",
    "usage",
    "name",
    "manufacturer",
    "model",
    "serial_number",
    "asset_number",
    "accuracy_class",
    "measuring_range",
    "location",
    "status",
    "registered_on",
    "mandatory",
    "last_verified_on",
    "due_on",
)


class InstrumentMaker:
    """Draws one owner's instruments as rows (tuples in :data:`DRAWN_COLUMNS` order).

    ``mandatory`` and ``due_on`` come from :func:`derive`, run on one reused probe instance: building a model
    instance per row would cost more than writing the row.
    """

    def __init__(self, rng: random.Random, catalog: dict[str, CatalogItem], today: date) -> None:
        self.rng = rng
        self.catalog = catalog
        self.today = today
        self.soon_days = settings.JILIANG_DUE_SOON_DAYS
        self._probe = Instrument()

    def derived(self, item: CatalogItem | None, usage: str, last: date | None) -> tuple[bool, date | None]:
        probe = self._probe
        probe.usage, probe.last_verified_on = usage, last
        derive(probe, item)
        return probe.mandatory, probe.due_on

    def for_owner(self, plan: OwnerPlan) -> Iterator[tuple]:
        rng, today = self.rng, self.today
        owner = plan.organization
        mix = plan.profile.mix
        picks = rng.choices(range(len(mix)), weights=[w for _k, _u, w in mix], k=plan.instruments)
        statuses = [s for s, _w in STATUS_MIX]
        status_picks = rng.choices(statuses, weights=[w for _s, w in STATUS_MIX], k=plan.instruments)
        serials: set[str] = set()  # membership only
        asset_prefix = "ZC" if owner.category in (Category.HOSPITAL, Category.FACTORY, Category.SCHOOL) else ""
        in_use = Instrument.Status.IN_USE
        for seq, (pick, status) in enumerate(zip(picks, status_picks, strict=True), start=1):
            kind_key, usage, _weight = mix[pick]
            kind = KINDS[kind_key]
            item = self.catalog[kind.catalog] if kind.catalog else None
            maker, serial_prefix = rng.choice(kind.makers)
            model, measuring_range, accuracy = rng.choice(kind.variants)
            mandatory, _due = self.derived(item, usage, None)
            last = _last_verified(rng, item, mandatory, today)
            mandatory, due_on = self.derived(item, usage, last)
            if last is not None and item is not None and item.mode != due.Mode.PERIODIC:
                # Initial-only instruments (utility meters) are registered when installed, just after verification.
                registered = min(today, last + timedelta(days=rng.randint(0, 20)))
            elif last is None and rng.random() < 0.6:
                registered = today - timedelta(days=rng.randint(0, 90))
            else:
                registered = today - timedelta(days=rng.randint(0, 8 * 365))
            year = min(last or registered, registered).year - rng.randint(0, 1)
            while True:
                serial = f"{serial_prefix}{year % 100:02d}{rng.randrange(10**6):06d}"
                if serial not in serials:
                    serials.add(serial)
                    break
            state = due.due_state(
                due_on,
                today=today,
                mandatory=mandatory and status == in_use,
                verified=last is not None,
                soon_days=self.soon_days,
            )
            plan.states[state] = plan.states.get(state, 0) + 1
            yield (
                owner.pk,
                owner.region_id,
                item.pk if item else None,
                usage,
                kind.name,
                maker,
                model,
                serial,
                f"{asset_prefix}{registered.year}{seq:05d}" if asset_prefix else "",
                accuracy,
                measuring_range,
                _location(rng, kind, plan),
                str(status),
                registered,
                mandatory,
                last,
                due_on,
            )


class InstrumentWriter:
    """Writes drawn rows: ``COPY`` on PostgreSQL, ``executemany`` of one prepared INSERT on SQLite.

    ``bulk_create`` spends most of its time preparing each value through the model fields (measured about 7×
    slower than this on SQLite, see bench/bench_seed.py); the rows here are already plain values. Columns the
    maker does not draw get their model default (timestamps: now), so a new column with a default does not
    break the seed.
    """

    def __init__(self) -> None:
        by_attname = {f.attname: f for f in Instrument._meta.concrete_fields if not f.primary_key}
        unknown = [name for name in DRAWN_COLUMNS if name not in by_attname]
        if unknown:
            raise RuntimeError(f"Instrument has no columns {unknown}")
        now = timezone.now()
        # The drawn columns first, then every other column with a constant already prepared for the database.
        rest = [f for name, f in by_attname.items() if name not in DRAWN_COLUMNS]
        self.tail = tuple(
            f.get_db_prep_save(
                now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default(),
                connection,
            )
            for f in rest
        )
        self.date_indexes = [
            i
            for i, name in enumerate(DRAWN_COLUMNS)
            if isinstance(by_attname[name], models.DateField) and not isinstance(by_attname[name], models.DateTimeField)
        ]
        columns = [by_attname[name].column for name in DRAWN_COLUMNS] + [f.column for f in rest]
        table = connection.ops.quote_name(Instrument._meta.db_table)
        names_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        self.insert_sql = f"INSERT INTO {table} ({names_sql}) VALUES ({placeholders})"  # noqa: S608 (no user input)
        self.copy_sql = f"COPY {table} ({names_sql}) FROM STDIN"
        self.vendor = connection.vendor

    def _prepared(self, rows: list[tuple]) -> Iterator[tuple]:
        adapt_date = connection.ops.adapt_datefield_value
        dates, tail = self.date_indexes, self.tail
        for row in rows:
            values = list(row)
            for i in dates:
                values[i] = adapt_date(values[i])
            yield (*values, *tail)

    def write(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in self._prepared(rows):
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, list(self._prepared(rows)))


def _allocate_instruments(rng: random.Random, plans: list[OwnerPlan], total: int) -> None:
    categories = [c for c, _o, _i in CATEGORY_SHARES]
    by_category = {c: [p for p in plans if p.organization.category == c] for c in categories}
    present = [c for c in categories if by_category[c]]
    shares = [next(i for c2, _o, i in CATEGORY_SHARES if c2 == c) for c in present]
    for category, n in zip(present, apportion(total, shares), strict=True):
        group = by_category[category]
        weights = [p.profile.size * rng.lognormvariate(0.0, 0.7) for p in group]
        for plan, count in zip(group, apportion(n, weights, minimum=1), strict=True):
            plan.instruments = count


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


def _authorities(rng: random.Random, codes: CreditCodes, regions: dict[str, Region]) -> list[Organization]:
    """The city bureau, its county bureaus, the city institute and the county institutes."""
    seat = names.COUNTIES[0]
    result = [
        Organization(
            name=f"{names.CITY_NAME}市场监督管理局",
            kind=OrgKind.REGULATOR,
            category=Category.GOVERNMENT,
            credit_code=codes.make("11", names.CITY_CODE),
            region=regions[names.CITY_CODE],
            address=f"{seat.name}府前街{rng.randint(1, 99)}号",
            contact=person_name(rng),
            phone=mobile(rng),
        ),
        Organization(
            name=f"{names.CITY_NAME}计量测试所",
            kind=OrgKind.INSTITUTE,
            category=Category.GOVERNMENT,
            credit_code=codes.make("12", names.CITY_CODE),
            short_code="YCJL",
            region=regions[names.CITY_CODE],
            address=street_address(rng, seat),
            contact=person_name(rng),
            phone=mobile(rng),
        ),
    ]
    for county in names.COUNTIES:
        result.append(
            Organization(
                name=f"{county.name}市场监督管理局",
                kind=OrgKind.REGULATOR,
                category=Category.GOVERNMENT,
                credit_code=codes.make("11", county.code),
                region=regions[county.code],
                address=street_address(rng, county),
                contact=person_name(rng),
                phone=mobile(rng),
            )
        )
        result.append(
            Organization(
                name=f"{county.name}计量检定所",
                kind=OrgKind.INSTITUTE,
                category=Category.GOVERNMENT,
                credit_code=codes.make("12", county.code),
                short_code=f"{county.initials}JL",
                region=regions[county.code],
                address=street_address(rng, county),
                contact=person_name(rng),
                phone=mobile(rng),
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
            cursor.execute("ANALYZE instruments_instrument, core_organization, core_region")
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
        plans = _make_owners(rng_orgs, codes, regions, round(instruments / INSTRUMENTS_PER_OWNER))
        Organization.objects.bulk_create(authorities + [p.organization for p in plans], batch_size=1000)
        _allocate_instruments(rng_alloc, plans, instruments)

        maker = InstrumentMaker(rng_instruments, catalog, today)
        writer = InstrumentWriter()
        batch: list[tuple] = []
        written = 0
        for plan in plans:
            for row in maker.for_owner(plan):
                batch.append(row)
                if len(batch) >= batch_size:
                    writer.write(batch)
                    written += len(batch)
                    batch = []
                    if progress and written % PROGRESS_EVERY < batch_size:
                        progress(_("已写入计量器具 %(done)s / %(total)s 件") % {"done": written, "total": instruments})
        if batch:
            writer.write(batch)
            written += len(batch)

        demo_owner = _demo_owner(plans)
        User.objects.bulk_create(_make_users(rng_users, authorities, demo_owner))
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
        _analyze()
    return SeedResult(
        seed=seed,
        today=today,
        instruments=written,
        owners=len(plans),
        organizations=len(authorities) + len(plans),
        due_states=states,
        demo_owner=demo_owner.organization.name,
    )


def city_digest() -> str:
    """A SHA-256 over the city's regions, organizations, users and instruments, without database ids or
    timestamps: two databases built from the same seed and day have the same digest."""
    h = hashlib.sha256()

    def feed(rows: Iterator[tuple]) -> None:
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
            "usage",
            "name",
            "manufacturer",
            "model",
            "serial_number",
            "asset_number",
            "accuracy_class",
            "measuring_range",
            "location",
            "status",
            "registered_on",
            "mandatory",
            "last_verified_on",
            "due_on",
        )
        .iterator(chunk_size=10_000)
    )
    return h.hexdigest()
