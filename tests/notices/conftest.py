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
