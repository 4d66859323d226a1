"""Instrument services: derived fields, uniqueness, scope and the audit trail."""

from datetime import date

import pytest

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.instruments import services
from jiliang.instruments.models import Instrument
from jiliang.metrology import due

from ..factories import catalog_item


def _create(actor, owner=None, **extra):
    data = {
        "catalog_item": catalog_item("02"),
        "usage": "trade",
        "name": "电子计价秤",
        "serial_number": "X-1",
        "last_verified_on": date(2025, 4, 1),
    }
    data.update(extra)
    return services.instrument_create(actor=actor, owner=owner, **data)


def test_owner_registers_for_itself_and_fields_are_derived(city):
    instrument = _create(city.owner_a_user)
    assert instrument.owner == city.owner_a
    assert instrument.region == city.county_a
    assert instrument.mandatory is True
    # Row 02 (price scale) is periodic with 12 months.
    assert instrument.due_on == date(2026, 3, 31)


def test_mandatory_follows_usage_not_input(city):
    instrument = _create(city.owner_a_user, usage="other")
    assert instrument.mandatory is False
    assert instrument.due_state() == "na"


def test_an_instrument_outside_the_catalog_is_not_mandatory(city):
    instrument = _create(city.owner_a_user, catalog_item=None)
    assert instrument.mandatory is False and instrument.due_on is None


def test_create_writes_an_audit_event_with_the_actor(city):
    instrument = _create(city.owner_a_user)
    event = AuditEvent.objects.get(action="instrument.create", object_id=str(instrument.pk))
    assert event.actor == city.owner_a_user
    assert event.changes["serial_number"] == "X-1"


def test_owner_item_serial_is_unique(city):
    _create(city.owner_a_user)
    with pytest.raises(DomainError, match="出厂编号"):
        _create(city.owner_a_user)
    # The same serial under another catalog item, or for another owner, is fine.
    _create(city.owner_a_user, catalog_item=catalog_item("04"))
    _create(city.owner_b_user)


def test_owner_cannot_register_for_another_owner(city):
    with pytest.raises(NotFoundOrForbidden):
        _create(city.owner_a_user, owner=city.owner_b)


def test_county_regulator_registers_only_in_its_county(city):
    assert _create(city.county_regulator_a, owner=city.owner_a).owner == city.owner_a
    with pytest.raises(NotFoundOrForbidden):
        _create(city.county_regulator_a, owner=city.owner_b)


def test_city_regulator_registers_in_any_county(city):
    assert _create(city.city_regulator, owner=city.owner_b).region == city.county_b


def test_institute_cannot_register(city):
    with pytest.raises(DomainError):
        _create(city.institute_user, owner=city.owner_a)


def test_future_verification_date_is_refused(city):
    with pytest.raises(DomainError, match="晚于今天"):
        _create(city.owner_a_user, last_verified_on=date(2999, 1, 1))


def test_update_rederives_the_due_date_and_audits_the_diff(city, instrument_a):
    old_due = instrument_a.due_on
    item = catalog_item("08")  # fuel dispenser: 6 months
    services.instrument_update(actor=city.owner_a_user, instrument_id=instrument_a.pk, catalog_item=item)
    instrument_a.refresh_from_db()
    assert instrument_a.due_on == due.due_date(instrument_a.last_verified_on, item.mode, item.interval_months)
    assert instrument_a.due_on != old_due
    event = AuditEvent.objects.filter(action="instrument.update").latest("id")
    assert event.changes["due_on"] == [old_due.isoformat(), instrument_a.due_on.isoformat()]


def test_the_last_verification_is_never_edited(city, instrument_a):
    # It comes from the records (a declared one, or one made by an institute), not from an edit.
    with pytest.raises(TypeError, match="last_verified_on"):
        services.instrument_update(
            actor=city.owner_a_user, instrument_id=instrument_a.pk, last_verified_on=date(2025, 8, 1)
        )


def test_a_date_at_registration_is_a_declared_record_in_one_audit_event(city):
    instrument = _create(city.owner_a_user)
    record = instrument.last_verification
    assert (record.source, record.kind, record.conclusion) == ("declared", "verification", "pass")
    assert record.performed_on == date(2025, 4, 1)
    assert record.next_due_on == instrument.due_on == date(2026, 3, 31)
    events = AuditEvent.objects.filter(object_id=str(instrument.pk), object_type="instruments.instrument")
    assert [e.action for e in events] == ["instrument.create"]
    assert events[0].changes["last_verified_on"] == "2025-04-01"


def test_owner_b_cannot_update_owner_as_instrument(city, instrument_a):
    with pytest.raises(NotFoundOrForbidden):
        services.instrument_update(actor=city.owner_b_user, instrument_id=instrument_a.pk, name="x")


def test_status_transitions_and_scrapped_is_final(city, instrument_a):
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=instrument_a.pk, status="stopped")
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=instrument_a.pk, status="scrapped")
    with pytest.raises(DomainError, match="不能从"):
        services.instrument_set_status(actor=city.owner_a_user, instrument_id=instrument_a.pk, status="in_use")
    assert Instrument.objects.get(pk=instrument_a.pk).status == "scrapped"
    assert AuditEvent.objects.filter(action="instrument.set_status", object_id=str(instrument_a.pk)).count() == 2


def test_county_regulator_b_cannot_change_status_in_county_a(city, instrument_a):
    with pytest.raises(NotFoundOrForbidden):
        services.instrument_set_status(actor=city.county_regulator_b, instrument_id=instrument_a.pk, status="stopped")


def test_catalog_change_rederives_instruments(city, instrument_a):
    item = instrument_a.catalog_item
    item.interval_months = 6
    item.save()
    changed = services.instruments_rederive_for_item(actor=city.admin, item=item)
    instrument_a.refresh_from_db()
    assert changed == 1
    assert instrument_a.due_on == due.due_date(instrument_a.last_verified_on, "periodic", 6)
