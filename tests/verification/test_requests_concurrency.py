"""Two owners' sessions submitting at once: one instrument never lands in two open requests, numbers never clash.

PostgreSQL only (SQLite serializes writers at BEGIN IMMEDIATE anyway); CI runs it on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jiliang.core.errors import DomainError
from jiliang.verification.models import RequestItem, ServiceRequest
from jiliang.verification.services import requests as svc

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_the_same_instrument_twice_at_once(city, window):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite takes its write lock at BEGIN")

    def submit():
        return svc.request_submit(
            actor=city.owner_a_user, service="verification", place="send_in", instrument_ids=[window.a1.pk]
        )

    outcomes = _race([submit, submit, submit])
    created = [o for o in outcomes if isinstance(o, ServiceRequest)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(created) == 1 and len(refused) == 2, outcomes
    assert RequestItem.objects.filter(instrument=window.a1).count() == 1


def test_numbers_never_clash(city, window):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite takes its write lock at BEGIN")
    instruments = [window.a1, window.a2, window.a_valid, window.a_other_use]

    def submit(instrument):
        return lambda: svc.request_submit(
            actor=city.owner_a_user, service="verification", place="send_in", instrument_ids=[instrument.pk]
        )

    outcomes = _race([submit(i) for i in instruments])
    assert all(isinstance(o, ServiceRequest) for o in outcomes), outcomes
    numbers = sorted(ServiceRequest.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 4 and numbers[-1].endswith("000004")
