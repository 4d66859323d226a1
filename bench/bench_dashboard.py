"""The plan dashboard at city scale (10^6 instruments; ``--quick``: 10^5), read from snapshots.

Reuses bench_pages' city database (``var/bench/pages/`` or ``<BENCH_PG_URL>_pages``, built once by
:func:`bench_pages.ensure_city`; ``--fresh`` rebuilds it) and refreshes the planner's statistics. Then:

1. ``snapshot_take`` for today, once (seconds in all and by definition), and a backfill of the month ends of the
   past 12 months (``--reuse``: skipped when those days are already stored);
2. the baseline: one raw SQL ``GROUP BY region_id`` over the instruments, with a cursor, counting the rows the
   coverage figure counts (in-use mandatory instruments registered by today, and those with a valid verification
   on today) — what a dashboard that computed its figures on each view would pay for one figure; checked against
   the coverage snapshot just taken;
3. ``plan_dashboard(plan, region=city)`` for the Yan'an and the Fuxin plans (with and without the live coverage
   figure from the due tally);
4. the pages ``/plans/yanan-2021/`` and ``/plans/fuxin-2015/`` through Django's test Client, as the city regulator.

Goal (issue): dashboard page p50 ≤ 150 ms. Each figure is also given as a ratio to the baseline's p50, measured in
the same run. A benchmark never fails on a time.

    python bench/bench_dashboard.py --db sqlite [--quick] [--fresh] [--reuse]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_pages  # noqa: E402
import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
REPEAT = 20
BASELINE_REPEAT = 5
GOAL = "p50 ≤ 150 ms"
PLANS = ("yanan-2021", "fuxin-2015")
BACKFILL_MONTHS = 12


def measure(
    name: str, fn: Callable[[], object], *, repeat: int = REPEAT, warmup: int = 2, goal: str = "", note: str = ""
) -> float:
    p50, p95 = common.p50_p95(common.timed(fn, repeat=repeat, warmup=warmup))
    common.report(name + " p50", p50 * 1000, "ms", goal=goal, baseline=note)
    common.report(name + " p95", p95 * 1000, "ms")
    return p50


def ratio(p50: float, baseline: float) -> str:
    if p50 <= baseline:
        versus = f"{baseline / p50:,.1f} times faster"
    else:
        versus = f"{p50 / baseline:,.1f} times slower"
    return f"{p50 / baseline:.4f}× the raw GROUP BY's p50 ({baseline * 1000:,.1f} ms): {versus}"


def refresh_statistics(db: str) -> None:
    """ANALYZE every table before timing. The seed analyzes the instruments but not the ~0.9 × 10^6 declared
    verification records it also writes; with autovacuum off (as on the bench server) PostgreSQL then plans the
    verified-rate definitions as if that table were empty — a nested loop over records × instruments that ran
    for more than 12 minutes before it was cancelled. A production server's autovacuum analyzes it on its own."""
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    common.report(f"ANALYZE (planner statistics) [{db}]", time.perf_counter() - start, "s")


def take_snapshots(db: str, city, *, reuse: bool) -> None:
    from django.utils import timezone

    from jiliang.indicators.models import Snapshot
    from jiliang.indicators.selectors.plans import month_ends
    from jiliang.indicators.services.plans import snapshot_days, snapshot_take

    today = timezone.localdate()
    run = snapshot_take(day=today, city=city)
    common.report(
        f"snapshot_take(today) for {city.name} [{db}]",
        run.seconds,
        "s",
        baseline=f"{run.rows:,} rows, {len(run.by_definition)} definitions",
    )
    for definition, seconds in sorted(run.by_definition.items(), key=lambda kv: -kv[1]):
        common.report(f"snapshot_take(today), definition {definition} [{db}]", seconds * 1000, "ms")

    days = [d for d in month_ends(today, BACKFILL_MONTHS) if d != today]
    stored = set(Snapshot.objects.filter(region=city, day__in=days).values_list("day", flat=True).distinct())
    if reuse and stored == set(days):
        print(f"# backfill skipped (--reuse): the {len(days)} month ends {days[0]} … {days[-1]} are stored", flush=True)
        return
    start = time.perf_counter()
    runs = snapshot_days(days, city=city)
    seconds = time.perf_counter() - start
    common.report(
        f"snapshot backfill, month ends of the past {BACKFILL_MONTHS} months [{db}]",
        seconds,
        "s",
        baseline=f"{len(runs)} days, {sum(r.rows for r in runs):,} rows, {seconds / len(runs):,.1f} s a day",
    )


def coverage_baseline(db: str, city) -> float:
    """The raw GROUP BY that computes the coverage figure's rows from the registry, timed; checked against the
    snapshot of today's coverage (city and counties)."""
    from django.db import connection
    from django.utils import timezone

    from jiliang.core.models import Region
    from jiliang.core.selectors import region_and_descendants
    from jiliang.indicators.models import Definition, Snapshot
    from jiliang.instruments.models import Instrument
    from jiliang.verification.models import Certificate, CertificateRevocation, Service, VerificationRecord

    today = timezone.localdate()
    d = connection.ops.adapt_datefield_value
    regions = sorted(region_and_descendants(city.pk))
    marks = ", ".join(["%s"] * len(regions))
    i, v = Instrument._meta.db_table, VerificationRecord._meta.db_table
    c, r = Certificate._meta.db_table, CertificateRevocation._meta.db_table
    # valid_verification_q: a passed verification whose certificate, if any, is neither revoked nor superseded;
    # valid on the day: done by then, and due again on or after it (or never).
    sql = f"""
        SELECT i.region_id, COUNT(*),
          SUM(CASE WHEN EXISTS (
            SELECT 1 FROM {v} v
            WHERE v.instrument_id = i.id AND v.kind = %s AND v.conclusion = %s AND v.performed_on <= %s
              AND (v.next_due_on >= %s OR v.next_due_on IS NULL)
              AND NOT EXISTS (
                SELECT 1 FROM {c} c WHERE c.record_id = v.id
                  AND (EXISTS (SELECT 1 FROM {r} r WHERE r.certificate_id = c.id)
                       OR EXISTS (SELECT 1 FROM {c} s WHERE s.supersedes_id = c.id)))
          ) THEN 1 ELSE 0 END)
        FROM {i} i
        WHERE i.mandatory AND i.status = %s AND i.registered_on <= %s AND i.region_id IN ({marks})
        GROUP BY i.region_id"""
    params = [
        Service.VERIFICATION,
        VerificationRecord.Conclusion.PASS,
        d(today),
        d(today),
        Instrument.Status.IN_USE,
        d(today),
        *regions,
    ]

    def go() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    rows = go()
    # The same figures as the coverage snapshot taken above, for the city and each county.
    per_region = {region_id: (int(total), int(covered or 0)) for region_id, total, covered in rows}
    parent = dict(Region.objects.filter(pk__in=regions).values_list("id", "parent_id"))
    snaps = Snapshot.objects.filter(indicator__definition=Definition.COVERAGE, day=today, region_id__in=regions)
    checked = 0
    for snap in snaps.distinct().only("region_id", "numerator", "denominator"):
        inside = [rid for rid in per_region if rid == snap.region_id or _under(rid, snap.region_id, parent)]
        total = sum(per_region[rid][0] for rid in inside)
        covered = sum(per_region[rid][1] for rid in inside)
        if (covered, total) != (snap.numerator or 0, snap.denominator or 0):
            raise SystemExit(
                f"raw GROUP BY disagrees with the coverage snapshot of region {snap.region_id}:"
                f" {covered}/{total} != {snap.numerator}/{snap.denominator}"
            )
        checked += 1
    if not checked:
        raise SystemExit("no coverage snapshot to check the raw GROUP BY against")
    total = sum(t for t, _c in per_region.values())
    covered = sum(c for _t, c in per_region.values())
    return measure(
        f"baseline: raw SQL coverage GROUP BY region_id over the registry [{db}]",
        go,
        repeat=BASELINE_REPEAT,
        warmup=1,
        note=f"{covered:,} covered of {total:,} in-use mandatory; agrees with {checked} coverage snapshots",
    )


def _under(region_id: int, ancestor_id: int, parent: dict[int, int | None]) -> bool:
    seen = parent.get(region_id)
    while seen is not None:
        if seen == ancestor_id:
            return True
        seen = parent.get(seen)
    return False


def dashboard_timings(db: str, city, regulator, baseline: float) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jiliang.indicators.models import Plan
    from jiliang.indicators.selectors.plans import plan_dashboard

    client = Client()
    client.force_login(regulator)
    for code in PLANS:
        plan = Plan.objects.get(code=code)
        board = plan_dashboard(plan, region=city)
        trend_days = max((len(row.trend) for row in board.rows), default=0)
        with_data = sum(1 for row in board.rows if row.value is not None)
        print(
            f"# {code}: {len(board.rows)} indicators ({with_data} with a figure) on {board.day},"
            f" up to {trend_days} trend points, {len(board.rows[0].counties) if board.rows else 0} counties",
            flush=True,
        )
        p50 = measure(f"plan_dashboard({code}, region=city) [{db}]", lambda p=plan: plan_dashboard(p, region=city))
        common.report(
            f"plan_dashboard({code}, region=city) ratio to the baseline",
            100 * p50 / baseline,
            "%",
            baseline=ratio(p50, baseline),
        )
        measure(
            f"plan_dashboard({code}, region=city, live=False) [{db}]",
            lambda p=plan: plan_dashboard(p, region=city, live=False),
        )

        url = f"/plans/{code}/"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        content = response.content.decode("utf-8", "replace")
        rendered = 'id="dashboard"' in content and 'id="indicator-charts"' in content
        sql_ms = 1000 * sum(float(q["time"]) for q in queries.captured_queries)
        note = (
            f"HTTP {response.status_code}, {len(response.content):,} bytes, {len(queries.captured_queries)} queries"
            f" taking {sql_ms:,.1f} ms of one request, dashboard {'rendered' if rendered else 'NOT rendered'}"
        )
        if response.status_code != 200 or not rendered:
            print(f"# {url}: HTTP {response.status_code}, dashboard rendered: {rendered}", flush=True)
        p50 = measure(f"page {url} as city_regulator [{db}]", lambda u=url: client.get(u), goal=GOAL, note=note)
        common.report(f"page {url} ratio to the baseline", 100 * p50 / baseline, "%", baseline=ratio(p50, baseline))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument(
        "--quick", action="store_true", help=f"{bench_pages.QUICK:,} instruments, not {bench_pages.FULL:,}"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the pages database")
    parser.add_argument("--reuse", action="store_true", help="skip the backfill when its days are already stored")
    args, _unknown = parser.parse_known_args(argv)  # bench/run.py passes every flag to every benchmark
    bench_pages._use_own_database()
    size = bench_pages.QUICK if args.quick else bench_pages.FULL
    # When the pages database holds another city, ensure_city reruns its script with --fresh: this one, so that
    # the rebuild is followed by these measurements rather than by bench_pages' own.
    bench_pages.__file__ = __file__
    exit_code = bench_pages.ensure_city(args.db, size, fresh=args.fresh, argv=[a for a in argv if a != "--fresh"])
    if exit_code is not None:
        return exit_code

    from jiliang.core.models import Region, User

    regulator = User.objects.select_related("organization__region").get(username=common.REGULATOR)
    city = regulator.organization.region
    if city.level != Region.Level.CITY:
        raise SystemExit(f"city_regulator sits in {city}, not in a city")
    print(f"# {bench_pages._load()}; {city.name}, {size:,} instruments", flush=True)
    refresh_statistics(args.db)
    take_snapshots(args.db, city, reuse=args.reuse)
    baseline = coverage_baseline(args.db, city)
    dashboard_timings(args.db, city, regulator, baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
