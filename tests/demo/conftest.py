"""The demo city with its year of history, built once per test module that asks for ``demo`` (rolled back after
the module): tests/demo/test_history.py checks how it was made, tests/demo/test_history_invariants.py what a
metrologist would check in it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test import override_settings

from jiliang.core.models import AuditEvent, Organization, User
from jiliang.demo import city, history, institutes
from jiliang.verification import immutable
from jiliang.verification.models import (
    Certificate,
    CertificateRevocation,
    ReadingPoint,
    RecordDraft,
    RecordDraftEvent,
    RequestEvent,
    RequestItem,
    ServiceRequest,
    StandardUse,
)

from ..factories import wipe_instruments

TODAY = date(2026, 6, 15)
SEED = 1
N = 600
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_demo() -> history.HistoryResult:
    city.build_city(seed=SEED, instruments=N, today=TODAY)
    return history.build_history(seed=SEED, today=TODAY)


def wipe_demo() -> None:
    """Remove the city and its history (issued rows refuse DELETE through the ORM: TRUNCATE / raw DELETE)."""
    tables = [
        m._meta.db_table
        for m in (
            RecordDraftEvent,
            RecordDraft,
            CertificateRevocation,
            ReadingPoint,
            StandardUse,
            Certificate,
            RequestEvent,
            RequestItem,
            ServiceRequest,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            # The deferred foreign-key checks of the rows just written must fire before a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names} CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            # SQLite's triggers (verification 0007) let only a maintenance context through, as for a flush.
            with immutable.maintenance():
                for table in tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    wipe_instruments()
    institutes.delete_institutes()
    AuditEvent.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One city of 600 instruments with its year of history, shared by the module and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
