"""Helpers for the reminder tests: instruments due on a given day, the run's day fixed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiliang.instruments.models import Instrument
from tests.factories import InstrumentFactory

DAY = date(2026, 3, 10)


def due_in(owner, days: int, *, day: date = DAY, **fields) -> Instrument:
    """An in-use mandatory instrument of ``owner`` whose due date is ``day + days`` (negative: in the past).

    Made by ``InstrumentFactory`` (a verified price scale, catalog row 02, mandatory for trade use); then the due
    date is pinned on the row, since the reminders read only the due date, status and mandatory flag, and the
    factory derives the date from today. ``status`` and ``mandatory`` are set on the row the same way; other
    ``fields`` go to the factory.
    """
    overrides = {k: fields.pop(k) for k in ("status", "mandatory") if k in fields}
    instrument = InstrumentFactory(owner=owner, **fields)
    assert instrument.mandatory and instrument.status == Instrument.Status.IN_USE
    Instrument.objects.filter(pk=instrument.pk).update(due_on=day + timedelta(days=days), **overrides)
    instrument.refresh_from_db()
    return instrument


@pytest.fixture
def owner_a_mail(city):
    city.owner_a_user.email = "a@example.cn"
    city.owner_a_user.save(update_fields=["email"])
    return city.owner_a_user


@pytest.fixture
def owner_b_mail(city):
    city.owner_b_user.email = "b@example.cn"
    city.owner_b_user.save(update_fields=["email"])
    return city.owner_b_user


# ---- notices to owners ---------------------------------------------------------------------------------------------

PHONE = "13812345678"


@pytest.fixture
def sms_outbox(settings):
    """Text messages go to ``jiliang.notices.sms.outbox`` (the memory backend), emptied before the test."""
    from jiliang.notices import sms

    settings.JILIANG_SMS_BACKEND = "jiliang.notices.sms.MemoryBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def submitted(city, bench, owner_a_mail):
    """A request of owner A, submitted to the city institute (built directly), with a contact number."""
    from jiliang.verification.models import ServiceRequest
    from tests.builders.verification import make_request

    request, _items = make_request(
        city.owner_a_user, city.institute, bench.instruments, status=ServiceRequest.Status.SUBMITTED
    )
    ServiceRequest.objects.filter(pk=request.pk).update(phone=PHONE)
    request.refresh_from_db()
    return request
