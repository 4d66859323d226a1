"""How long the demo city takes to build: 10^5 and 10^6 instruments (``--quick``: 10^4 and 10^5).

Each size is built in a process of its own into a fresh database (``common.setup_django``). As a baseline, the
smallest size also writes the same 10^4 rows once through Django's ``bulk_create`` and once through the seed's
writer, so the choice of writer is measured, not asserted.

    python bench/bench_seed.py --db sqlite [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
SIZES = (100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
BASELINE_ROWS = 10_000
# docs/domain.md §6 and the issue: the 10^6 city must build "well under a few minutes" on SQLite.
GOAL_SECONDS = {1_000_000: "< 180 s", 100_000: "< 18 s", 10_000: "< 2 s"}


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores"


def _baseline(db: str) -> None:
    """Write the same rows through ``bulk_create`` and through the seed's writer, each under a new owner."""
    from django.db import transaction

    from jiliang.catalog.models import CatalogItem
    from jiliang.core.models import Organization
    from jiliang.demo import instruments, owners
    from jiliang.demo.kinds import PROFILES
    from jiliang.demo.names import CITIES
    from jiliang.instruments.models import Instrument

    catalog = {item.code: item for item in CatalogItem.objects.all()}
    region = Organization.objects.filter(kind=Organization.Kind.OWNER).first().region
    county = next(c for one in CITIES.values() for c in one.counties if c.code == region.code)
    codes = owners.CreditCodes(random.Random(99))
    seconds = {}
    for method in ("bulk_create", "writer"):
        owner = Organization.objects.create(
            name=f"基准测试单位（{method}）",
            kind=Organization.Kind.OWNER,
            category=Organization.Category.FACTORY,
            credit_code=codes.make("91", region.code),
            region=region,
        )
        plan = owners.OwnerPlan(owner, PROFILES["factory"], county, instruments=BASELINE_ROWS)
        rows = list(instruments.InstrumentMaker(random.Random(1), catalog, date.today()).for_owner(plan))
        with transaction.atomic():
            start = time.perf_counter()
            if method == "bulk_create":
                # last_verified_on is no column (the writer turns it into a declared record): bulk_create gets the rest.
                columns = [dict(zip(instruments.DRAWN_COLUMNS, row, strict=True)) for row in rows]
                objs = [Instrument(**{k: v for k, v in c.items() if k != "last_verified_on"}) for c in columns]
                Instrument.objects.bulk_create(objs, batch_size=instruments.BATCH_SIZE)
            else:
                writer = instruments.InstrumentWriter()
                for i in range(0, len(rows), instruments.BATCH_SIZE):
                    writer.write(rows[i : i + instruments.BATCH_SIZE])
            seconds[method] = time.perf_counter() - start
    for method, s in seconds.items():
        common.report(f"write {BASELINE_ROWS:,} instrument rows via {method} [{db}]", BASELINE_ROWS / s, "rows/s")
    common.report(
        f"writer speed-up over bulk_create [{db}]",
        seconds["bulk_create"] / seconds["writer"],
        "×",
        baseline=f"bulk_create {seconds['bulk_create']:.2f} s for {BASELINE_ROWS:,} rows",
    )


def run_one(db: str, size: int, *, baseline: bool) -> None:
    common.setup_django(db, fresh=True)
    from django.conf import settings
    from django.utils import timezone

    from jiliang.demo import city

    # Demo users share one hash; a fast hasher keeps PBKDF2's deliberate second out of the figure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load = _load()
    start_cpu = time.process_time()
    start = time.perf_counter()
    result = city.build_city(seed=1, today=timezone.localdate(), cities={common.BENCH_CITY: size})
    wall = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    common.report(
        f"seed_city {size:,} instruments, {result.owners:,} owners [{db}]",
        wall,
        "s",
        goal=GOAL_SECONDS.get(size, ""),
        baseline=f"{size / wall:,.0f} rows/s; Python CPU {cpu:.1f} s; {load}",
    )
    if baseline:
        _baseline(db)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--quick", action="store_true", help="10^4 and 10^5 instead of 10^5 and 10^6")
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)  # bench/run.py passes every flag to every benchmark
    if args.size:
        run_one(args.db, args.size, baseline=args.baseline)
        return 0
    failed = 0
    for i, size in enumerate(QUICK_SIZES if args.quick else SIZES):
        # One process per size: Django is set up once per process, and each size gets a fresh database.
        cmd = [sys.executable, __file__, "--db", args.db, "--size", str(size)] + (["--baseline"] if i == 0 else [])
        failed += subprocess.run(cmd, check=False).returncode != 0  # noqa: S603 (our own script)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
