"""Shared set-up for benchmarks: a fresh database per run, SQLite or PostgreSQL, and timing helpers.

Each benchmark is a script ``bench/bench_<name>.py`` with ``main(argv)``; ``bench/run.py`` runs every script in
its own process (Django reads its settings once per process), once per database the script asks for.
A benchmark prints figures; it never fails on a time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
# The benches build one demo city (the large scale is one city's, as it always was) and log in as its demo users.
BENCH_CITY = "yanan"
REGULATOR = f"{BENCH_CITY}_city"
OWNER = f"{BENCH_CITY}_market"
INSTITUTE = f"{BENCH_CITY}_institute"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/jiliang_bench")


def postgres_available() -> bool:
    try:
        return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False).returncode == 0
    except FileNotFoundError:
        return False


def setup_django(db: str, *, fresh: bool = True) -> None:
    """Point Django at a benchmark database (``sqlite`` or ``postgres``), recreate it and migrate."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("JILIANG_DEV", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiliang.settings"
    if db == "sqlite":
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / "bench.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    elif db == "postgres":
        name = PG_URL.rsplit("/", 1)[1]
        if fresh:
            base = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-d", "postgres", "-c"]
            subprocess.run([*base, f"DROP DATABASE IF EXISTS {name}"], check=True)  # noqa: S603 (our own name)
            subprocess.run([*base, f"CREATE DATABASE {name}"], check=True)  # noqa: S603 (our own name)
        os.environ["DATABASE_URL"] = PG_URL
    else:
        raise SystemExit(f"unknown database {db!r}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def timed(fn: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def report(name: str, value: float, unit: str, *, goal: str = "", baseline: str = "") -> None:
    """One line of figures: ``name: value unit  [goal …] [baseline …]``."""
    extra = "".join(f"  [{label} {text}]" for label, text in (("goal", goal), ("baseline", baseline)) if text)
    print(f"{name}: {value:,.2f} {unit}{extra}", flush=True)
