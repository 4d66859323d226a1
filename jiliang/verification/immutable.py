"""Issued rows (records, readings, standards used, certificates, revocations) are never updated or deleted, and the
database itself refuses it: PostgreSQL in triggers (migration 0002), SQLite in triggers (migration 0007).

SQLite's triggers refuse unless ``jiliang_issued_rows_writable()`` — an SQL function this module registers on
each of the application's SQLite connections — returns 1, which it does only inside :func:`maintenance` in the
same thread. ``manage.py flush`` (which on SQLite deletes rows table by table, and which the test suite runs after
each transactional test) is the one user; PostgreSQL's flush is a TRUNCATE, which its row triggers do not see,
so both databases let a flush through and refuse everything else. A ``sqlite3`` shell has no such function:
any UPDATE or DELETE of those tables fails there with "no such function".
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db.backends.signals import connection_created

# The name migration 0007's triggers call.
FUNCTION = "jiliang_issued_rows_writable"

_writable: contextvars.ContextVar[bool] = contextvars.ContextVar("jiliang_issued_rows_writable", default=False)


@contextlib.contextmanager
def maintenance() -> Iterator[None]:
    """Let this thread's SQLite statements delete or update issued rows (``manage.py flush`` only)."""
    token = _writable.set(True)
    try:
        yield
    finally:
        _writable.reset(token)


def _is_writable() -> int:
    return 1 if _writable.get() else 0


def register(sender, connection, **kwargs) -> None:
    """``connection_created``: give each new SQLite connection the function its triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 0, _is_writable)


def connect() -> None:
    connection_created.connect(register, dispatch_uid="jiliang.verification.immutable")
