import doctest
import itertools
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from jiliang.core import audit
from jiliang.core.models import AuditEvent, Organization


def _three_events(actor):
    for n in range(3):
        with transaction.atomic():
            audit.record(actor=actor, action="test.touch", object_type="test", object_id=n, changes={"n": n})


def test_audit_verify_prints_ok_on_an_intact_chain(city):
    _three_events(city.admin)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().strip() == "OK"


def test_each_event_links_to_the_previous_hash(city):
    _three_events(city.admin)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash


def test_an_event_edited_behind_the_service_layer_is_found(city):
    _three_events(city.admin)
    middle = AuditEvent.objects.order_by("id")[1]
    # An UPDATE that bypasses the services, as someone with database access would do.
    AuditEvent.objects.filter(pk=middle.pk).update(changes={"n": 99})
    with pytest.raises(CommandError, match=rf"audit event {middle.pk} is broken: content"):
        call_command("audit_verify")


def test_a_deleted_event_breaks_the_chain(city):
    _three_events(city.admin)
    events = list(AuditEvent.objects.order_by("id"))
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    broken = audit.verify()
    assert broken is not None and broken.event_id == events[2].pk


def test_record_refuses_to_run_outside_a_transaction(city, django_db_blocker):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        # pytest-django wraps each test in a transaction; leave it to see the guard.
        from django.db import connection

        in_block = connection.in_atomic_block
        connection.in_atomic_block = False
        try:
            audit.record(actor=None, action="x")
        finally:
            connection.in_atomic_block = in_block


def test_values_names_a_relation_by_its_key_and_stores_a_date_as_text(city):
    station = Organization(name="某加油站", region_id=city.county_a.pk, kind=Organization.Kind.OWNER)
    station.founded = date(2020, 1, 2)  # not a field: read as it is
    changes = audit.values(station, "name", "region", "founded")
    assert changes == {"name": "某加油站", "region": city.county_a.pk, "founded": date(2020, 1, 2)}
    with transaction.atomic():
        event = audit.record(actor=city.admin, action="test.values", object_type="test", object_id=1, changes=changes)
    assert event.changes == {"name": "某加油站", "region": city.county_a.pk, "founded": "2020-01-02"}


def test_the_examples_in_the_module_hold():
    result = doctest.testmod(audit)
    assert result.attempted >= 1
    assert result.failed == 0
