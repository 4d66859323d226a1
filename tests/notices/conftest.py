"""Helpers for the reminder tests: instruments due on a given day, the run's day fixed."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from jiliang.instruments.models import Instrument
from tests.factories import catalog_item

_serial = itertools.count(1)

DAY = date(2026, 3, 10)


def due_in(owner, days: int, *, day: date = DAY, **fields) -> Instrument:
    """An in-use mandatory instrument of ``owner`` whose due date is ``day + days`` (negative: in the past).

    Built directly rather than through ``tests.factories.InstrumentFactory``: the reminders read only the due
    date, status and mandatory flag, while the factory's way of deriving the due date from the last verification
    is being changed (issue 5). ``fields`` may override any column (status, mandatory, name, serial_number…).
    """
    values = {
        "owner": owner,
        "region": owner.region,
        "catalog_item": catalog_item("02"),
        "usage": "trade",
        "name": "电子计价秤",
        "serial_number": f"R{next(_serial):06d}",
        "mandatory": True,
        "status": Instrument.Status.IN_USE,
        "due_on": day + timedelta(days=days),
    }
    values.update(fields)
    return Instrument.objects.create(**values)


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
