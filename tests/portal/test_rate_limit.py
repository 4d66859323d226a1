"""The public check's rate limit on typed numbers (``jiliang.portal.services``).

Three limits, each counted atomically where every server process sees it (the database, or Redis when the cache
is Redis): per client address and minute, per client address and day, and per number prefix (the number without
its sequence, e.g. ``CSJL-2026-JD-``) and day from all clients together. QR links are never limited.

The concurrency test fires look-ups from several threads at once through the page; the same from several server
processes is in ``test_rate_limit_processes``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from jiliang.portal import services
from jiliang.verification.models import PublicCheck
from tests.builders.verification import issue_certificate

from .conftest import LOCMEM, NOON, REDIS_URL, delete_redis_keys, redis_answers, redis_cache

ROOT = Path(__file__).resolve().parents[2]
HIGH = 10**6


needs_redis = pytest.mark.skipif(not redis_answers(), reason=f"no Redis answering at {REDIS_URL}")


@pytest.fixture
def redis_settings(settings):
    """The default cache on Redis under a key prefix of this test's own. Afterwards its keys are deleted, and the
    cache is local memory again before the portal's fixture clears it (a clear() on Redis is a FLUSHDB)."""
    prefix = f"jl_ratelimit_test_{uuid.uuid4().hex}"
    settings.CACHES = redis_cache(prefix)
    yield prefix
    settings.CACHES = LOCMEM
    delete_redis_keys(prefix)


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, fixed at noon in the city; move it with ``clock.now += seconds``."""
    state = SimpleNamespace(now=NOON)
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: state.now))
    return state


@pytest.fixture
def limits(settings):
    """Every limit out of the way; a test lowers the one it is about."""
    settings.JILIANG_PUBLIC_CHECK_PER_MINUTE = HIGH
    settings.JILIANG_PUBLIC_CHECK_PER_DAY = HIGH
    settings.JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY = HIGH
    return settings


def look_up(client: Client, number: str, address: str = "10.0.0.1"):
    return client.get(reverse("portal:index"), {"number": number}, REMOTE_ADDR=address)


def fire(*, threads: int, each: int, number: str, address: str = "10.9.9.9") -> list[int]:
    """``threads`` clients from one address, each typing ``number`` ``each`` times, all starting at once."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite locks tables and fails at once instead of waiting ("database table is
        # locked"), which a SQLite file never does; test_rate_limit_processes runs several processes on a file.
        pytest.skip("threads need PostgreSQL or a SQLite file (SQLITE_TEST_NAME); the test database is in memory")
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        client = Client()
        try:
            barrier.wait()
            for _ in range(each):
                status = look_up(client, number, address).status_code
                with lock:
                    statuses.append(status)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not errors, errors
    assert len(statuses) == threads * each
    return statuses


# ---- atomic and shared -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_lookups_from_one_address_get_exactly_the_limit_through(limits, clock, tmp_path):
    """The file cache was the default: its add() and incr() are a read and a write each, so concurrent look-ups
    overwrote each other's counts and 39-60 a minute got through instead of 10."""
    limits.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 10
    statuses = fire(threads=8, each=10, number="CSJL-2026-JD-000001")
    assert statuses.count(200) == 10, f"{statuses.count(200)} look-ups got through, the limit is 10"
    assert statuses.count(429) == 70


@needs_redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_concurrent_lookups_get_exactly_the_limit_through(limits, clock, redis_settings):
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 10
    statuses = fire(threads=8, each=10, number="CSJL-2026-JD-000001")
    assert statuses.count(200) == 10, f"{statuses.count(200)} look-ups got through, the limit is 10"


# ---- what is limited ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_client_is_limited_per_day_as_well_as_per_minute(bench, client, limits, clock):
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 3
    limits.JILIANG_PUBLIC_CHECK_PER_DAY = 5
    certificate = issue_certificate(bench)
    for _ in range(3):
        assert look_up(client, certificate.number).status_code == 200
    refused = look_up(client, certificate.number)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "每分钟最多按编号查询 3 次" in refused.content.decode()
    clock.now += 60
    for _ in range(2):
        assert look_up(client, certificate.number).status_code == 200
    refused = look_up(client, certificate.number)
    assert refused.status_code == 429
    # Until midnight in the city.
    assert refused["Retry-After"] == str(12 * 3600 - 60)
    assert "今天按编号查询已达 5 次" in refused.content.decode()
    # Another minute does not help; QR links and other addresses are not affected.
    clock.now += 3600
    assert look_up(client, certificate.number).status_code == 429
    assert client.get(reverse("portal:token", args=[certificate.token])).status_code == 200
    assert look_up(client, certificate.number, address="10.1.2.3").status_code == 200
    # The next day in the city counts afresh.
    clock.now = NOON + 12 * 3600
    assert look_up(client, certificate.number).status_code == 200


@pytest.mark.django_db
def test_a_number_prefix_is_limited_per_day_across_addresses(bench, client, limits, clock):
    """Numbers are sequential: many addresses (a botnet) walking one institute's numbers share one daily cap."""
    limits.JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY = 3
    certificate = issue_certificate(bench)
    prefix = services.number_prefix(certificate.number)
    assert certificate.number.startswith(prefix) and prefix.endswith("-")
    for n in range(3):
        assert look_up(client, f"{prefix}{n + 900001}", address=f"10.0.1.{n}").status_code == 200
    refused = look_up(client, certificate.number, address="10.0.1.99")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(12 * 3600)
    page = refused.content.decode()
    assert "此类证书今天的按编号查询已达上限" in page
    assert "扫描证书上的二维码" in page
    # Another prefix is counted apart; the QR link always answers.
    assert look_up(client, "XXJL-2026-JD-000001", address="10.0.1.99").status_code == 200
    assert client.get(reverse("portal:token", args=[certificate.token])).status_code == 200
    clock.now += 12 * 3600
    assert look_up(client, certificate.number, address="10.0.1.99").status_code == 200


@pytest.mark.django_db
def test_lookups_refused_by_an_address_own_limit_leave_the_prefix_quota_alone(client, limits, clock):
    """One address hammering a prefix must not shut the typed check of that prefix for everyone else."""
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 2
    limits.JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY = 3
    statuses = [look_up(client, f"CSJL-2026-JD-{n:06d}", address="10.6.6.6").status_code for n in range(50)]
    assert statuses.count(200) == 2
    assert look_up(client, "CSJL-2026-JD-000777", address="10.0.0.7").status_code == 200
    assert look_up(client, "CSJL-2026-JD-000778", address="10.0.0.8").status_code == 429


@pytest.mark.django_db
def test_the_first_refusal_of_each_limit_is_logged_and_no_later_one(client, limits, clock):
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 1
    limits.JILIANG_PUBLIC_CHECK_PER_DAY = 2
    statuses = []
    for each in (3, 1, 1, 1):  # look-ups in four successive minutes
        statuses += [look_up(client, "CSJL-2026-JD-000001").status_code for _ in range(each)]
        clock.now += 60
    assert statuses == [200, 429, 429, 200, 429, 429]
    results = list(PublicCheck.objects.filter(via="number").order_by("pk").values_list("result", flat=True))
    # Minute 1: one answered, the minute's first refusal logged, the second not; minute 2: the day's second
    # look-up answered; minute 3: the day's first refusal logged; minute 4: its second not.
    assert results == ["not_found", "rate_limited", "not_found", "rate_limited"]


@pytest.mark.django_db
def test_a_typed_number_with_a_nul_character_is_answered_and_logged(client, limits, clock):
    """PostgreSQL text cannot hold NUL: the counter's key and the log's query must not carry it (it was a 500)."""
    response = look_up(client, "CSJL-2026-JD-\x00000001")
    assert response.status_code == 200
    assert "\x00" not in services.number_prefix("CSJL\x00-2026-JD-000001")
    logged = PublicCheck.objects.get(via="number")
    assert logged.result == "not_found" and "\x00" not in logged.query


@pytest.mark.parametrize(
    ("number", "prefix"),
    [
        ("CSJL-2026-JD-000123", "CSJL-2026-JD-"),
        ("CSJL-2026-JD-123", "CSJL-2026-JD-"),
        ("CSJL-2026-JD-000123X", "CSJL-2026-JD-000123X"),
        ("000123", ""),
        ("", ""),
    ],
)
def test_the_prefix_is_the_number_without_its_trailing_sequence(number, prefix):
    assert services.number_prefix(number) == prefix


def test_a_very_long_prefix_is_cut_to_the_key_length():
    assert len(services.number_prefix("A" * 5000 + "-1")) == services.PREFIX_MAX


# ---- the counter's cost and upkeep -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counting_a_lookup_is_one_statement(limits, clock, django_assert_num_queries):
    services.number_lookup(client="c1", number="CSJL-2026-JD-000001")  # the first call may clean up
    with django_assert_num_queries(1):
        verdict = services.number_lookup(client="c1", number="CSJL-2026-JD-000002")
    assert verdict.allowed


@pytest.mark.django_db
def test_old_windows_are_deleted_now_and_then(limits, clock):
    from jiliang.portal.models import LookupCounter

    services.forget_state()
    services.number_lookup(client="c1", number="CSJL-2026-JD-000001")
    assert LookupCounter.objects.count() == 3  # this minute, today for the client, today for the prefix
    clock.now += 3 * 60
    services.number_lookup(client="c1", number="CSJL-2026-JD-000001")
    assert LookupCounter.objects.count() == 4  # the old minute is kept until the next clean-up is due
    clock.now += services.CLEANUP_EVERY
    services.number_lookup(client="c1", number="CSJL-2026-JD-000001")
    # Only this minute's row and today's two are left.
    assert sorted(LookupCounter.objects.values_list("key", "count")) == [
        ("d:c1", 3),
        ("m:c1", 1),
        ("p:CSJL-2026-JD-", 3),
    ]
    clock.now += 24 * 3600 + services.CLEANUP_EVERY
    services.number_lookup(client="c2", number="XXJL-2026-JD-000001")
    assert sorted(LookupCounter.objects.values_list("key", flat=True)) == ["d:c2", "m:c2", "p:XXJL-2026-JD-"]


# ---- Redis -------------------------------------------------------------------------------------------------------


@needs_redis
@pytest.mark.django_db
def test_with_redis_the_counters_live_in_redis_and_expire(limits, clock, redis_settings):
    import redis

    from jiliang.portal.models import LookupCounter

    prefix = redis_settings
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 2
    verdicts = [services.number_lookup(client="c1", number="CSJL-2026-JD-000001") for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[2].refused_by == "minute"
    assert LookupCounter.objects.count() == 0
    server = redis.Redis.from_url(REDIS_URL)
    keys = sorted(k.decode() for k in server.scan_iter(f"{prefix}:*"))
    assert len(keys) == 3
    values = {k.split(":portal:lookup:")[1][:1]: int(server.get(k)) for k in keys}
    # The refused look-up counts on the minute only (it never reached the day's or the prefix's count).
    assert values == {"m": 3, "d": 2, "p": 2}
    assert all(0 < server.ttl(k) <= 2 * 86400 for k in keys)


@pytest.mark.django_db
def test_an_unreachable_redis_falls_back_to_the_database(limits, clock, caplog):
    from jiliang.portal.models import LookupCounter

    limits.CACHES = redis_cache("jl_ratelimit_test", "redis://127.0.0.1:9/0")  # the discard port: nothing listens
    limits.JILIANG_PUBLIC_CHECK_PER_MINUTE = 1
    services.forget_state()
    try:
        assert services.number_lookup(client="c1", number="CSJL-2026-JD-000001").allowed
        assert not services.number_lookup(client="c1", number="CSJL-2026-JD-000001").allowed
    finally:  # before the portal's fixture clears the cache
        limits.CACHES = LOCMEM
    assert LookupCounter.objects.filter(key="m:c1").get().count == 2
    assert "Redis does not answer" in caplog.text


# ---- settings ----------------------------------------------------------------------------------------------------


def _settings_in_a_new_process(**environ: str) -> subprocess.CompletedProcess:
    code = (
        "import json; from jiliang import settings as s; print(json.dumps({'caches': s.CACHES, 'limits': ["
        "s.JILIANG_PUBLIC_CHECK_PER_MINUTE, s.JILIANG_PUBLIC_CHECK_PER_DAY, s.JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY]}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JILIANG_PUBLIC_CHECK_", "CACHE_"))}
    env.update(JILIANG_DEV="1", **environ)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_cache_url_accepts_redis_with_a_key_prefix():
    done = _settings_in_a_new_process(CACHE_URL="redis://127.0.0.1:6379/2", CACHE_KEY_PREFIX="city-a")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["caches"] == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/2",
            "KEY_PREFIX": "city-a",
        }
    }


def test_the_limits_have_defaults_and_refuse_nonsense():
    done = _settings_in_a_new_process()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["limits"] == [10, 100, 500]
    for name in (
        "JILIANG_PUBLIC_CHECK_PER_MINUTE",
        "JILIANG_PUBLIC_CHECK_PER_DAY",
        "JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY",
    ):
        done = _settings_in_a_new_process(**{name: "0"})
        assert done.returncode != 0
        assert name in done.stderr
    done = _settings_in_a_new_process(CACHE_URL="memcached://127.0.0.1")
    assert done.returncode != 0
    assert "CACHE_URL" in done.stderr
