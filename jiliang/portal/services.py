"""The public check's log and its rate limit for typed numbers.

Every check (QR link, typed number, API) writes one ``PublicCheck`` row: one INSERT, nothing else. The client is
kept as a keyed hash of its address (HMAC-SHA256 with SECRET_KEY, the first 16 hexadecimal digits): the same
address gives the same value, so abuse shows in the log, but the address cannot be read back from it.

Typed numbers are limited to ``settings.JILIANG_PUBLIC_CHECK_PER_MINUTE`` per client address and minute (a
counter per client and minute in the cache), so numbers cannot be walked to harvest certificates. QR links carry
an unguessable token and are not limited.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from jiliang.verification.models import PublicCheck

QUERY_MAX = PublicCheck._meta.get_field("query").max_length
# The result logged for the first refused lookup of a client in a minute (the later ones are not logged, so a
# flood cannot fill the table).
RATE_LIMITED = "rate_limited"


def client_hash(request: HttpRequest) -> str:
    """A keyed hash of the client address (REMOTE_ADDR; a reverse proxy in front must set it to the client's)."""
    return _hash(settings.SECRET_KEY, request.META.get("REMOTE_ADDR", "") or "")


@functools.lru_cache(maxsize=4096)
def _hash(secret: str, address: str) -> str:
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


def _insert_sql() -> str:
    """The INSERT of one log row.

    On PostgreSQL the statement commits asynchronously (``synchronous_commit`` off for its own transaction only,
    set by ``set_config(..., true)`` in the same statement): the check does not wait for the write-ahead log to
    reach the disk, which would cost more than everything else the page does. A server crash may lose the log
    rows of the last fraction of a second (never a certificate, never other data: the setting is local to this
    statement's transaction); the database stays consistent.
    """
    q = connection.ops.quote_name
    meta = PublicCheck._meta
    columns = ", ".join(q(meta.get_field(f).column) for f in ("at", "via", "certificate", "query", "result", "client"))
    table = q(meta.db_table)
    if connection.vendor == "postgresql":
        return (
            "WITH async AS (SELECT set_config('synchronous_commit', 'off', true))"  # noqa: S608 (identifiers)
            f" INSERT INTO {table} ({columns})"
            " SELECT %s::timestamptz, %s::varchar, %s::bigint, %s::varchar, %s::varchar, %s::varchar FROM async"
        )
    return f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608 (identifiers)


_INSERT: dict[str, str] = {}


def check_log(*, via: str, certificate: object | None, result: str, client: str, query: str = "") -> None:
    """One row for one check: one INSERT, as the ORM would write it but without compiling it each time (the
    public check is the busiest page). ``query`` only for typed numbers (tokens are never kept)."""
    sql = _INSERT.get(connection.vendor)
    if sql is None:
        sql = _INSERT[connection.vendor] = _insert_sql()
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    certificate_id = getattr(certificate, "pk", None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, via, certificate_id, query[:QUERY_MAX], result, client])


def number_lookup_allowed(client: str, *, now: float | None = None) -> tuple[bool, int]:
    """Count one typed lookup of ``client`` in the current minute; (allowed, count so far this minute)."""
    limit = settings.JILIANG_PUBLIC_CHECK_PER_MINUTE
    minute = int((time.time() if now is None else now) // 60)
    key = f"portal:number:{client}:{minute}"
    # add() creates the counter (atomic where the cache is); incr() counts on. The key outlives its minute a
    # little so that a request at the end of the minute still finds it.
    if cache.add(key, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=120)
            count = 1
    return count <= limit, count
