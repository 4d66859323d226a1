"""The public check's log and its rate limit for typed numbers.

Every check (QR link, typed number, API) writes one ``PublicCheck`` row: one INSERT, nothing else; every look at an
instrument's public page one ``InstrumentScan`` row, the same way (``scan_log``). The client is
kept as a keyed hash of its address (HMAC-SHA256 with SECRET_KEY, the first 16 hexadecimal digits): the same
address gives the same value, so abuse shows in the log, but the address cannot be read back from it.

**The rate limit** (``number_lookup``). Certificate numbers are sequential (``CSJL-2026-JD-000123``), so without
a limit one address could walk a city's certificates, and read each one's owner, instrument and validity, in
under an hour. A typed number is counted against three limits, in this order:

1. per client address and minute, ``JILIANG_PUBLIC_CHECK_PER_MINUTE`` (10): a person retyping a smudged number;
2. per client address and day, ``JILIANG_PUBLIC_CHECK_PER_DAY`` (100): ten times what a person checking the
   scales of a market needs in a day, and 1/144 of what the minute limit alone would let one address read;
3. per number prefix and day, all addresses together, ``JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY`` (500). The prefix
   is the number without its sequence (``CSJL-2026-JD-``: one institute's certificates of one kind and year), so
   that many addresses (a botnet) cannot walk one institute's numbers faster than that either.

Days are the city's (``TIME_ZONE``) and end at midnight; minutes are clock minutes. A look-up refused by one limit
is not counted against the later ones, so that one address hammering a prefix does not use up its day for
everybody. The first refusal of each limit in its window is logged (``result="rate_limited"``).

What the limit protects: the list of certificates as a whole. What it does not: QR links carry a random token
(32 characters, 192 bits) that cannot be guessed, so they are never limited (someone scanning the certificates of
a market is never refused), and the public API answers by token only. It does not hide a certificate from whoever
knows its number. A client address is ``REMOTE_ADDR``: behind a reverse proxy, the proxy must pass on the
client's address (otherwise all clients share the proxy's limits), and people behind one carrier-grade NAT share
one address's limits. A botnet that exhausts a prefix's day shuts typed look-ups of that prefix for everybody
until midnight (QR links still answer; the refusal is logged; the setting can be raised): that is the price of
capping the walk.

Atomic and shared by every server process: each look-up is counted in one statement. In the database (the
default), an ``INSERT … ON CONFLICT (key, window) DO UPDATE SET count = count + 1 RETURNING`` of the three
counters (SQLite ≥ 3.35, PostgreSQL; an UNLOGGED table there); when the default cache is Redis, one MULTI/EXEC
of INCR and EXPIRE (the database again if Redis does not answer). Only a refusal costs more: one small UPDATE
for each later counter it is taken off again. Each process deletes the windows that have passed every
``CLEANUP_EVERY`` seconds (one DELETE on an indexed column).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import NamedTuple
from zoneinfo import ZoneInfo

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest

from jiliang.core import clock
from jiliang.verification.models import PublicCheck

from .models import InstrumentScan, LookupCounter

logger = logging.getLogger(__name__)

QUERY_MAX = PublicCheck._meta.get_field("query").max_length
# The result logged for the first refused lookup of each limit in its window (the later ones are not logged, so a
# flood cannot fill the table).
RATE_LIMITED = "rate_limited"


def client_hash(request: HttpRequest) -> str:
    """A keyed hash of the client address (REMOTE_ADDR; a reverse proxy in front must set it to the client's)."""
    return _hash(settings.SECRET_KEY, request.META.get("REMOTE_ADDR", "") or "")


@functools.lru_cache(maxsize=4096)
def _hash(secret: str, address: str) -> str:
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


def _insert_sql(model: type[Model], fields: tuple[str, ...]) -> str:
    """The INSERT of one log row of ``model`` (``fields``: a time, then text or id columns; the casts below).

    On PostgreSQL the statement commits asynchronously (``synchronous_commit`` off for its own transaction only,
    set by ``set_config(..., true)`` in the same statement): the check does not wait for the write-ahead log to
    reach the disk, which would cost more than everything else the page does. A server crash may lose the log
    rows of the last fraction of a second (never a certificate, never other data: the setting is local to this
    statement's transaction); the database stays consistent.
    """
    q = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(q(meta.get_field(f).column) for f in fields)
    table = q(meta.db_table)
    if connection.vendor == "postgresql":
        casts = ", ".join(_CASTS[meta.get_field(f).get_internal_type()] for f in fields)
        return (
            "WITH async AS (SELECT set_config('synchronous_commit', 'off', true))"  # noqa: S608 (identifiers)
            f" INSERT INTO {table} ({columns})"
            f" SELECT {casts} FROM async"
        )
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 (identifiers)


_CASTS = {"DateTimeField": "%s::timestamptz", "CharField": "%s::varchar", "ForeignKey": "%s::bigint"}
_CHECK_FIELDS = ("at", "via", "certificate", "query", "result", "client")
_SCAN_FIELDS = ("at", "instrument", "result", "client")
# Built on first use, per (vendor, model).
_INSERT: dict[tuple[str, str], str] = {}


def _insert(model: type[Model], fields: tuple[str, ...], values: list[object]) -> None:
    key = (connection.vendor, model._meta.label)
    sql = _INSERT.get(key)
    if sql is None:
        sql = _INSERT[key] = _insert_sql(model, fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(clock.now()), *values])


def check_log(*, via: str, certificate: object | None, result: str, client: str, query: str = "") -> None:
    """One row for one check: one INSERT, as the ORM would write it but without compiling it each time (the
    public check is the busiest page). ``query`` only for typed numbers (tokens are never kept); a NUL typed into
    it is kept as U+FFFD (PostgreSQL text cannot hold NUL)."""
    certificate_id = getattr(certificate, "pk", None)
    _insert(
        PublicCheck,
        _CHECK_FIELDS,
        [via, certificate_id, query[:QUERY_MAX].replace("\x00", "\ufffd"), result, client],
    )


def scan_log(*, instrument: object | None, result: str, client: str) -> None:
    """One row for one look at an instrument's public page (an unknown key: ``instrument`` None), written as a
    certificate check is. Like QR links of certificates, instrument keys are random and cannot be walked, so the
    page is not rate-limited; the log shows a client that scans far more than a person would."""
    _insert(InstrumentScan, _SCAN_FIELDS, [getattr(instrument, "pk", None), result, client])


# ---- the rate limit ----------------------------------------------------------------------------------------------

MINUTE, DAY, PREFIX = "minute", "day", "prefix"
PREFIX_MAX = 40
CLEANUP_EVERY = 300
_SEQUENCE = re.compile(r"\d+\Z")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``number_lookup`` decided; for a refusal, which limit refused and when its window ends."""

    allowed: bool
    refused_by: str = ""
    limit: int = 0
    # The first refusal of this limit in its window: the one that is logged.
    first_refusal: bool = False
    retry_after: int = 0


ALLOWED = Verdict(allowed=True)


class _Counter(NamedTuple):
    key: str
    window: int
    expires: int  # minutes since the epoch (UTC) from which the count is no longer needed
    name: str
    limit: int


def number_prefix(number: str) -> str:
    """The number without its trailing sequence (at most ``PREFIX_MAX`` characters, no NUL: it is a key).

    >>> number_prefix("CSJL-2026-JD-000123")
    'CSJL-2026-JD-'
    """
    return _SEQUENCE.sub("", number.replace("\x00", ""), count=1)[:PREFIX_MAX]


def number_lookup(*, client: str, number: str, now: float | None = None) -> Verdict:
    """Count one typed look-up of ``number`` (normalized) by ``client`` (``client_hash``) and decide on it."""
    now = time.time() if now is None else now
    offset = _utc_offset(now)
    minute = int(now // 60)
    day = int((now + offset) // 86400)
    day_ends = (day + 1) * 86400 - offset  # in UTC seconds
    counters = (
        _Counter(f"m:{client}", minute, minute + 1, MINUTE, settings.JILIANG_PUBLIC_CHECK_PER_MINUTE),
        _Counter(f"d:{client}", day, int(day_ends // 60), DAY, settings.JILIANG_PUBLIC_CHECK_PER_DAY),
        _Counter(
            f"p:{number_prefix(number)}", day, int(day_ends // 60), PREFIX, settings.JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY
        ),
    )
    store = _redis_store() or _DATABASE
    try:
        counts = store.increment(counters, now)
    except _RedisUnavailable:
        store = _DATABASE
        counts = store.increment(counters, now)
    for n, counter in enumerate(counters):
        if counts[n] > counter.limit:
            if counters[n + 1 :]:
                # It never reached the later limits: taken off their counts again.
                store.decrement(counters[n + 1 :])
            window_ends = (minute + 1) * 60 if counter.name == MINUTE else day_ends
            return Verdict(
                allowed=False,
                refused_by=counter.name,
                limit=counter.limit,
                first_refusal=counts[n] == counter.limit + 1,
                retry_after=max(1, math.ceil(window_ends - now)),
            )
    return ALLOWED


def forget_state() -> None:
    """The next look-up cleans up at once and reports an unanswering Redis at once (tests)."""
    _state.next_cleanup = 0.0
    _state.redis_warned = None


@functools.lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _utc_offset(now: float) -> float:
    # The city's days (Asia/Shanghai has no summer time; a city elsewhere might).
    offset = datetime.fromtimestamp(now, _zone(settings.TIME_ZONE)).utcoffset()
    return offset.total_seconds() if offset else 0.0


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_cleanup = 0.0
        self.redis_warned: float | None = None


_state = _State()


class _DatabaseStore:
    """Counts in ``LookupCounter``: one upsert adds one to every counter and returns the new counts."""

    def __init__(self) -> None:
        self._sql: dict[str, str] = {}

    def increment(self, counters: Sequence[_Counter], now: float) -> list[int]:
        if now >= _state.next_cleanup:
            self._clean_up(now)
        sql = self._sql.get(connection.vendor)
        if sql is None:
            sql = self._sql[connection.vendor] = self._upsert(len(counters))
        params: list[object] = []
        for c in counters:
            params += [c.key, c.window, c.expires]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            counts = dict(cursor.fetchall())
        return [counts[c.key] for c in counters]

    def decrement(self, counters: Sequence[_Counter]) -> None:
        table, key, window, count, _expires = _columns()
        sql = f"UPDATE {table} SET {count} = {count} - 1 WHERE {key} = %s AND {window} = %s"  # noqa: S608
        # One row per statement: a statement holding one row while it waits for another could deadlock with an
        # upsert that takes them in the other order (PostgreSQL).
        with connection.cursor() as cursor:
            for c in counters:
                cursor.execute(sql, [c.key, c.window])

    @staticmethod
    def _upsert(size: int) -> str:
        table, key, window, count, expires = _columns()
        values = ", ".join(["(%s, %s, 1, %s)"] * size)
        # RETURNING gives the count after this look-up's increment as every process sees it: the conflicting row
        # is locked (PostgreSQL), or the whole database is (SQLite), from the read to the write.
        return (
            f"INSERT INTO {table} ({key}, {window}, {count}, {expires}) VALUES {values}"  # noqa: S608 (identifiers)
            f" ON CONFLICT ({key}, {window}) DO UPDATE SET {count} = {table}.{count} + 1"
            f" RETURNING {key}, {count}"
        )

    @staticmethod
    def _clean_up(now: float) -> None:
        with _state.lock:
            if now < _state.next_cleanup:
                return  # another thread does it
            _state.next_cleanup = now + CLEANUP_EVERY
        LookupCounter.objects.filter(expires__lt=int(now // 60)).delete()


def _columns() -> tuple[str, ...]:
    q = connection.ops.quote_name
    return tuple(q(n) for n in (LookupCounter._meta.db_table, "key", "window", "count", "expires"))


_DATABASE = _DatabaseStore()


class _RedisUnavailable(Exception):
    pass


class _RedisStore:
    """Counts in Redis: INCR and EXPIRE of every counter in one MULTI/EXEC (one round trip, nothing between)."""

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache

    def increment(self, counters: Sequence[_Counter], now: float) -> list[int]:
        try:
            pipe = self._client().pipeline(transaction=True)
            for c in counters:
                key = self._key(c)
                pipe.incr(key)
                # A minute past its window. Set again by every look-up, which changes nothing that matters: the
                # window is part of the key.
                pipe.expire(key, max(60, int(c.expires * 60 - now) + 60))
            return [int(n) for n in pipe.execute()[0::2]]
        except (redis.RedisError, OSError) as exc:
            _warn_redis(exc)
            raise _RedisUnavailable from exc

    def decrement(self, counters: Sequence[_Counter]) -> None:
        try:
            pipe = self._client().pipeline(transaction=True)
            for c in counters:
                pipe.decr(self._key(c))
            pipe.execute()
        except (redis.RedisError, OSError) as exc:  # the count stays one too high until its window ends
            _warn_redis(exc)

    def _key(self, c: _Counter) -> str:
        return self.cache.make_key(f"portal:lookup:{c.key}:{c.window}")

    def _client(self):
        # Django's RedisCache.incr() reads before it writes; its own redis client has the atomic INCR.
        return self.cache._cache.get_client(write=True)


def _redis_store() -> _RedisStore | None:
    cache = caches["default"]
    return _RedisStore(cache) if isinstance(cache, RedisCache) else None


def _warn_redis(exc: BaseException) -> None:
    # At most once a minute per process: a flood of look-ups must not become a flood of log lines.
    now = monotonic()
    if _state.redis_warned is None or now - _state.redis_warned >= 60:
        _state.redis_warned = now
        logger.warning("Redis does not answer (%s): the public check counts typed look-ups in the database", exc)
