"""The typed-number limit holds across server processes (a production server runs several workers).

Each worker is a process of its own (``test_rate_limit_worker``), set up against the same database: the test's
own on PostgreSQL, a migrated SQLite file otherwise (the test's in-memory SQLite cannot be shared). They all start
typing at the same moment from the same client address, with the default cache set to each kind a deployment
could have: a file cache (the former default), a local-memory cache (one per process), and Redis (skipped when
none answers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from .conftest import NOON, REDIS_URL, delete_redis_keys, redis_answers, redis_cache

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
LOOKUPS = 10
LIMIT = 10


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory) -> str:
    """A SQLite database file with every migration applied, for the worker processes."""
    url = f"sqlite:///{tmp_path_factory.mktemp('rate_limit') / 'db.sqlite3'}"
    env = {**os.environ, "JILIANG_DEV": "1", "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return url


def _database_url(request) -> str:
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return request.getfixturevalue("sqlite_file")


def _caches(kind: str, tmp_path: Path) -> dict:
    if kind == "file":
        return {
            "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
        }
    if kind == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not redis_answers():
        pytest.skip(f"no Redis answering at {REDIS_URL}")
    return redis_cache(f"jl_ratelimit_test_{uuid.uuid4().hex}")


def _run_workers(*, database_url: str, caches: dict, address: str, number: str) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JILIANG_PUBLIC_CHECK_", "CACHE_"))}
    env.update(
        JILIANG_DEV="1",
        DATABASE_URL=database_url,
        JILIANG_PUBLIC_CHECK_PER_MINUTE=str(LIMIT),
        JILIANG_PUBLIC_CHECK_PER_DAY=str(10**6),
        JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY=str(10**6),
    )
    command = [
        sys.executable,
        "-m",
        "tests.portal.test_rate_limit_worker",
        f"--number={number}",
        f"--address={address}",
        f"--lookups={LOOKUPS}",
        f"--now={NOON}",
        f"--caches={json.dumps(caches)}",
    ]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", "a worker failed to start (its error is above)"
        for worker in workers:  # all at once
            worker.stdin.write("go\n")
            worker.stdin.flush()
        statuses: list[int] = []
        for worker in workers:
            out, _ = worker.communicate(timeout=300)
            assert worker.returncode == 0
            statuses += json.loads(out)
        return statuses
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


@pytest.mark.parametrize("cache", ["file", "locmem", "redis"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lookups_from_several_processes_get_exactly_the_limit_through(cache, request, tmp_path):
    """Before: the file cache let more through (its counter is a read and a write), and a local-memory cache
    one limit per process."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    caches = _caches(cache, tmp_path)
    try:
        statuses = _run_workers(
            database_url=_database_url(request), caches=caches, address=address, number="CSJL-2026-JD-000001"
        )
    finally:
        if cache == "redis":
            delete_redis_keys(caches["default"]["KEY_PREFIX"])
    assert len(statuses) == PROCESSES * LOOKUPS
    allowed = statuses.count(200)
    assert allowed == LIMIT, f"{allowed} look-ups of {PROCESSES * LOOKUPS} from {PROCESSES} processes got through"
    assert statuses.count(429) == PROCESSES * LOOKUPS - LIMIT
