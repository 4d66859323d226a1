"""Latency of the registry's pages at city scale (10^6 instruments; ``--quick``: 10^5).

Seeds the demo city once into a database of its own (``var/bench/pages/`` or ``<BENCH_PG_URL>_pages``) and reuses
it on later runs while it holds the same seed and size (``--fresh`` rebuilds it). Then, for the city regulator,
the demo owner and the largest owner (a utility):

1. the raw SQL the pages need, timed with a cursor (the honest floor: no ORM, no template);
2. the selectors the pages call (``jiliang.instruments.selectors``);
3. the pages themselves through Django's test Client: ``/instruments/`` (first page; by county; overdue) and ``/``;
4. the home pages' counts: the city's from the due tally (checked against a scan); for the largest owner, its
   home's queries and first list pages as they are and with the proposed changes (``mandatory IN (true)``,
   leaner FILTERs, a covering owner index, an (owner_id, id) index), each checked against the current result.

Goals (issue): list p50 ≤ 100 ms, home p50 ≤ 150 ms. A benchmark never fails on a time.

    python bench/bench_pages.py --db sqlite [--quick] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
SEED = 1
FULL = 1_000_000
QUICK = 100_000
REPEAT = 20
LIST_GOAL = "p50 ≤ 100 ms"
HOME_GOAL = "p50 ≤ 150 ms"
# The list's page size and count cap (jiliang/instruments/views.py: PAGE_SIZE, COUNT_CAP).
PAGE = 50
COUNT_CAP = 1_000
BIG_OWNER_USERNAME = "bench_big_owner"


def _use_own_database() -> None:
    """A database of its own, so that bench_seed's fresh databases do not throw away the 10^6 city."""
    common.VAR = common.VAR / "pages"
    common.PG_URL = common.PG_URL + "_pages"


def measure(name: str, fn: Callable[[], object], *, goal: str = "", repeat: int = REPEAT, note: str = "") -> float:
    p50, p95 = common.p50_p95(common.timed(fn, repeat=repeat))
    common.report(name + " p50", p50 * 1000, "ms", goal=goal, baseline=note)
    common.report(name + " p95", p95 * 1000, "ms")
    return p50


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores"


def ensure_city(db: str, size: int, *, fresh: bool, argv: list[str]) -> int | None:
    """Set up Django on the pages database and make sure it holds the city; a return value means "exit now"."""
    if db == "postgres" and not fresh:
        name = common.PG_URL.rsplit("/", 1)[1]
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc"]
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        found = subprocess.run([*psql, query], check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603
        fresh = found != "1"
    common.setup_django(db, fresh=fresh)
    from django.conf import settings
    from django.utils import timezone

    from jiliang.core.models import AuditEvent
    from jiliang.demo import city

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    event = AuditEvent.objects.filter(action=city.AUDIT_ACTION).order_by("-id").first()
    if event and event.changes.get("seed") == SEED and event.changes.get("instruments") == size:
        print(f"# reusing the city seeded on {event.changes.get('today')} ({size:,} instruments)", flush=True)
        from jiliang.instruments import tally
        from jiliang.instruments.models import DueTally

        if not DueTally.objects.exists():  # seeded before the tally existed
            start = time.perf_counter()
            tally.rebuild()
            common.report(
                f"tally.rebuild() for a city seeded before the tally [{db}]", time.perf_counter() - start, "s"
            )
        return None
    if not city.database_is_empty():
        if fresh:
            raise SystemExit("the fresh database is not empty")
        print("# the pages database holds another city: rebuilding it", flush=True)
        cmd = [sys.executable, __file__, *argv, "--fresh"]
        return subprocess.run(cmd, check=False).returncode  # noqa: S603 (our own script)
    print(f"# seeding {size:,} instruments ({_load()})", flush=True)
    start = time.perf_counter()
    result = city.build_city(seed=SEED, today=timezone.localdate(), cities={common.BENCH_CITY: size}, progress=print)
    common.report(f"seed_city {size:,} instruments [{db}]", time.perf_counter() - start, "s")
    print(f"# due states: {result.due_states}", flush=True)
    return None


def raw_sql(db: str, users: dict) -> dict[str, float]:
    """The queries the pages need, by hand, with a cursor."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from jiliang.core.selectors import scope_of
    from jiliang.instruments.models import Instrument

    today = timezone.localdate()
    soon = today + timedelta(days=settings.JILIANG_DUE_SOON_DAYS)
    d = connection.ops.adapt_datefield_value
    t = Instrument._meta.db_table
    regulator = users[common.REGULATOR]
    regions = sorted(scope_of(regulator).region_ids)
    county = users["county"]
    in_regions = "region_id IN (" + ", ".join(["%s"] * len(regions)) + ")"
    # Written as the ORM writes them (a bare boolean column): with "mandatory = %s" SQLite plans the overdue
    # first page through instr_region_due_idx and sorts 64,000 rows (325 ms at 10^6) instead of walking the
    # primary key backwards and stopping after 51 (12 ms).
    overdue = "mandatory AND status = %s AND last_verification_id IS NOT NULL AND due_on < %s"
    overdue_i = "i.mandatory AND i.status = %s AND i.last_verification_id IS NOT NULL AND i.due_on < %s"
    overdue_params = ["in_use", d(today)]
    columns = (
        "i.id, i.name, i.serial_number, i.model, i.usage, i.status, i.mandatory, i.due_on, v.performed_on,"
        " o.name, r.name, c.code, c.kind"
    )
    joins = (
        f"{t} i JOIN core_organization o ON o.id = i.owner_id JOIN core_region r ON r.id = i.region_id"
        " LEFT JOIN catalog_catalogitem c ON c.id = i.catalog_item_id"
        # The last valid verification's date, as the list reads it (InstrumentQuerySet.with_last_verified_on).
        " LEFT JOIN verification_verificationrecord v ON v.id = i.last_verification_id"
    )
    states = """
          SUM(CASE WHEN last_verification_id IS NOT NULL AND (due_on IS NULL OR due_on > %s) THEN 1 ELSE 0 END),
          SUM(CASE WHEN last_verification_id IS NOT NULL AND due_on >= %s AND due_on <= %s THEN 1 ELSE 0 END),
          SUM(CASE WHEN last_verification_id IS NOT NULL AND due_on < %s THEN 1 ELSE 0 END),
          SUM(CASE WHEN last_verification_id IS NULL THEN 1 ELSE 0 END)"""
    state_params = [d(soon), d(today), d(soon), d(today), "in_use"]
    group_by = (
        f"SELECT region_id, {states} FROM {t} WHERE mandatory AND status = %s AND {in_regions} GROUP BY region_id"
    )
    group_params = [*state_params, *regions]

    def run(sql: str, params: list) -> Callable[[], list]:
        def go() -> list:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return go

    queries = {
        "first page, all": (
            f"SELECT {columns} FROM {joins} WHERE i.{in_regions} ORDER BY i.id DESC LIMIT {PAGE + 1}",
            regions,
        ),
        "first page, one county": (
            f"SELECT {columns} FROM {joins} WHERE i.{in_regions} AND i.region_id = %s"
            f" ORDER BY i.id DESC LIMIT {PAGE + 1}",
            [*regions, county],
        ),
        "first page, overdue": (
            f"SELECT {columns} FROM {joins} WHERE i.{in_regions} AND {overdue_i} ORDER BY i.id DESC LIMIT {PAGE + 1}",
            [*regions, *overdue_params],
        ),
        "capped count, all": (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {t} WHERE {in_regions} LIMIT {COUNT_CAP + 1}) sub",
            regions,
        ),
        "capped count, overdue": (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {t} WHERE {in_regions} AND {overdue} LIMIT {COUNT_CAP + 1}) sub",
            [*regions, *overdue_params],
        ),
        "full COUNT(*), all (what a Paginator does)": (f"SELECT COUNT(*) FROM {t} WHERE {in_regions}", regions),
        "county × due-state GROUP BY": (group_by, group_params),
    }
    results = {}
    for name, (sql, params) in queries.items():
        repeat = 5 if "GROUP BY" in name or "full COUNT" in name else REPEAT
        results[name] = measure(f"raw SQL, city regulator: {name} [{db}]", run(sql, params), repeat=repeat)
    owner_org = users[common.OWNER].organization_id
    owner_queries = {
        "first page": (
            f"SELECT {columns} FROM {joins} WHERE i.owner_id = %s ORDER BY i.id DESC LIMIT {PAGE + 1}",
            [owner_org],
        ),
        "due-state counts": (
            f"SELECT {states} FROM {t} WHERE mandatory AND status = %s AND owner_id = %s",
            [*state_params, owner_org],
        ),
    }
    for name, (sql, params) in owner_queries.items():
        measure(f"raw SQL, owner: {name} [{db}]", run(sql, params))
    # The raw GROUP BY must say what the selector says.
    from jiliang.instruments import selectors

    expected = {
        row["region"]: (row["valid"], row["due_soon"], row["overdue"], row["never"])
        for row in selectors.due_state_counts(selectors.instruments_visible_to(regulator), group_by="region")
    }
    got = {row[0]: tuple(int(x) for x in row[1:]) for row in run(group_by, group_params)()}
    if got != expected:
        raise SystemExit(f"raw GROUP BY disagrees with due_state_counts: {got} != {expected}")
    return results


def selector_timings(db: str, users: dict) -> None:
    from jiliang.instruments import selectors

    regulator = users[common.REGULATOR]
    qs = selectors.instruments_visible_to(regulator)
    measure(
        f"selector due_state_counts(city, group_by=region) [{db}]",
        lambda: selectors.due_state_counts(qs, group_by="region"),
        repeat=5,
    )
    for name, filters in (
        ("all", selectors.InstrumentFilters()),
        ("one county", selectors.InstrumentFilters(county=users["county"])),
        ("overdue", selectors.InstrumentFilters(due_state="overdue")),
    ):
        listed = (
            selectors.instrument_list(regulator, filters)
            .select_related("owner", "region", "catalog_item")
            .with_last_verified_on()
        )
        measure(f"selector instrument_list first page, {name} [{db}]", lambda q=listed: list(q[: PAGE + 1]))
        measure(f"selector capped count, {name} [{db}]", lambda q=listed: q.order_by()[: COUNT_CAP + 1].count())


def page_timings(db: str, users: dict) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    county = users["county"]
    for who in (common.REGULATOR, common.OWNER, "big_owner"):
        client = Client()
        client.force_login(users[who])
        pages = [("/", "home", HOME_GOAL), ("/instruments/", "list", LIST_GOAL)]
        if who == common.REGULATOR:
            pages.append((f"/instruments/?county={county}", "list, one county", LIST_GOAL))
        pages.append(("/instruments/?due_state=overdue", "list, overdue", LIST_GOAL))
        for url, label, goal in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            sql_ms = 1000 * sum(float(q["time"]) for q in queries.captured_queries)
            note = (
                f"HTTP {response.status_code}, {len(response.content):,} bytes,"
                f" {len(queries.captured_queries)} queries taking {sql_ms:,.1f} ms of one request"
            )
            if response.status_code != 200:
                print(f"# {who} {url}: HTTP {response.status_code}", flush=True)
            name = f"page {label} ({url}) as {who} [{db}]"
            results[name] = measure(name, lambda u=url, c=client: c.get(u), goal=goal, note=note)
    return results


def home_counts(db: str, users: dict) -> None:
    """The city's home counts from the due tally (shipped), checked against the scan it replaced; then the
    largest owner's pages as they are and as proposed (:func:`owner_alternatives`)."""

    from jiliang.instruments import selectors, tally

    regulator = users[common.REGULATOR]
    scanned = selectors.due_state_counts(selectors.instruments_visible_to(regulator), group_by="region")
    if selectors.due_state_counts_by_region(regulator) != scanned:
        raise SystemExit("the due tally disagrees with a recount of the registry")
    measure(
        f"selector due_state_counts_by_region(city regulator), from the due tally [{db}]",
        lambda: selectors.due_state_counts_by_region(regulator),
        note="the scan it replaced: 'selector due_state_counts(city, group_by=region)' above",
    )
    start = time.perf_counter()
    keys = tally.rebuild()
    common.report(
        f"tally.rebuild() over the whole registry [{db}]", time.perf_counter() - start, "s", baseline=f"{keys:,} keys"
    )

    owner_alternatives(db, users)


def _proposed_owner_queries(qs, today):
    """The owner home's queries as proposed for ``selectors``: ``mandatory IN (true)`` instead of Django's bare
    ``mandatory`` (SQLite can then use the (owner, mandatory, status, due_on) index as an equality prefix), and
    FILTERs that test only what differs between the states (the WHERE already keeps in-use mandatory rows)."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Count, Q

    from jiliang.instruments.models import Instrument

    soon = today + timedelta(days=settings.JILIANG_DUE_SOON_DAYS)
    base = qs.filter(Q(mandatory__in=[True], status=Instrument.Status.IN_USE))
    verified = Q(last_verification__isnull=False)

    def counts() -> dict:
        return base.aggregate(
            valid=Count("id", filter=verified & (Q(due_on__isnull=True) | Q(due_on__gt=soon))),
            due_soon=Count("id", filter=verified & Q(due_on__gte=today, due_on__lte=soon)),
            overdue=Count("id", filter=verified & Q(due_on__lt=today)),
            never=Count("id", filter=Q(last_verification__isnull=True)),
        )

    def top10(state: str) -> list:
        cond = Q(due_on__lt=today) if state == "overdue" else Q(due_on__gte=today, due_on__lte=soon)
        return list(base.filter(verified & cond).select_related("catalog_item").order_by("due_on", "id")[:10])

    return counts, top10


def owner_alternatives(db: str, users: dict) -> None:
    """The largest owner's pages, as they are and with the proposed changes (indexes created here are dropped
    again; ``selectors`` is not touched)."""
    from django.db import connection
    from django.utils import timezone

    from jiliang.instruments import selectors
    from jiliang.instruments.selectors import InstrumentFilters

    big = users["big_owner"]
    qs = selectors.instruments_visible_to(big)
    today = timezone.localdate()

    def current_top10(state: str) -> list:
        listed = selectors.instrument_list(big, InstrumentFilters(due_state=state)).select_related("catalog_item")
        return list(listed.order_by("due_on", "id")[:10])

    counts, top10 = _proposed_owner_queries(qs, today)
    if counts() != selectors.due_state_counts(qs)[0]:
        raise SystemExit("proposed owner counts disagree with selectors.due_state_counts")
    for state in ("overdue", "due_soon"):
        if [i.pk for i in top10(state)] != [i.pk for i in current_top10(state)]:
            raise SystemExit(f"proposed {state} top 10 disagrees with the current one")

    def owner_home_sql(label: str) -> None:
        measure(
            f"owner home SQL, largest owner, {label}: counts, current [{db}]",
            lambda: selectors.due_state_counts(qs),
            repeat=10,
        )
        measure(f"owner home SQL, largest owner, {label}: counts, proposed [{db}]", counts, repeat=10)
        for state in ("overdue", "due_soon"):
            measure(
                f"owner home SQL, largest owner, {label}: {state} top 10, current [{db}]",
                lambda s=state: current_top10(s),
            )
            measure(
                f"owner home SQL, largest owner, {label}: {state} top 10, proposed [{db}]", lambda s=state: top10(s)
            )

    def first_pages(label: str) -> None:
        for state in ("", "overdue"):
            listed = selectors.instrument_list(big, InstrumentFilters(due_state=state))
            listed = listed.select_related("owner", "region", "catalog_item").with_last_verified_on()
            measure(
                f"list first page, largest owner{', ' + state if state else ''}, {label} [{db}]",
                lambda q=listed: list(q[: PAGE + 1]),
            )

    analyze = "ANALYZE instruments_instrument" if connection.vendor == "postgresql" else "ANALYZE"
    owner_home_sql("indexes as migrated")
    first_pages("indexes as migrated")
    extra = {
        "bench_instr_owner_due_cover": "owner_id, mandatory, status, due_on, last_verification_id",
        "bench_instr_owner_id": "owner_id, id",
    }
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for name, columns in extra.items():
            cursor.execute(f"CREATE INDEX {name} ON instruments_instrument ({columns})")
        cursor.execute(analyze)
    common.report(
        f"alternative: build indexes ({'), ('.join(extra.values())}) [{db}]", time.perf_counter() - start, "s"
    )
    try:
        owner_home_sql("with a covering (owner, mandatory, status, due_on, last_verification) index")
        first_pages("with an (owner_id, id) index")
    finally:
        with connection.cursor() as cursor:
            for name in extra:
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute(analyze)


def demo_users() -> dict:
    from django.db.models import Count

    from jiliang.core.models import Role, User
    from jiliang.instruments.models import Instrument

    users = {u.username: u for u in User.objects.filter(username__in=[common.REGULATOR, common.OWNER])}
    biggest = Instrument.objects.values("owner").annotate(n=Count("id")).order_by("-n").first()
    big, _created = User.objects.get_or_create(
        username=BIG_OWNER_USERNAME, defaults={"role": Role.OWNER, "organization_id": biggest["owner"]}
    )
    users["big_owner"] = big
    users["county"] = users[common.OWNER].organization.region_id
    print(
        f"# owner: {users['owner'].organization.name} ({Instrument.objects.filter(owner=users['owner'].organization).count():,}"
        f" instruments); big owner: {big.organization.name} ({biggest['n']:,} instruments)",
        flush=True,
    )
    return users


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} instruments instead of {FULL:,}")
    parser.add_argument("--fresh", action="store_true", help="rebuild the pages database")
    parser.add_argument(
        "--no-alternative", action="store_true", help="skip the home counts and the covering-index alternative"
    )
    args, _unknown = parser.parse_known_args(argv)  # bench/run.py passes every flag to every benchmark
    _use_own_database()
    size = QUICK if args.quick else FULL
    exit_code = ensure_city(args.db, size, fresh=args.fresh, argv=[a for a in argv if a != "--fresh"])
    if exit_code is not None:
        return exit_code
    print(f"# {_load()}", flush=True)
    users = demo_users()
    raw_sql(args.db, users)
    selector_timings(args.db, users)
    page_timings(args.db, users)
    if not args.no_alternative:
        home_counts(args.db, users)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
