"""The last verification comes from the records: migration 0005, the services that set it, import and pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.instruments import selectors, services, tally
from jiliang.instruments.importing import instruments_import
from jiliang.instruments.models import Instrument
from jiliang.metrology import due
from jiliang.verification.models import Certificate, CertificateRevocation, VerificationRecord
from jiliang.verification.services.declared import record_make_last

from ..builders.instruments import good_row, xlsx
from ..factories import InstrumentFactory, OrganizationFactory, catalog_item

BEFORE = [("instruments", "0004_owner_indexes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _historical_instrument():
    return MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("instruments", "Instrument")


# Runs on SQLite and, in the PostgreSQL pass of CI, on PostgreSQL (the trigger on records and the deferred
# foreign-key checks before the ALTERs are what differs there).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0005_turns_each_stored_date_into_a_declared_record_and_keeps_due_dates():
    latest = _latest()
    owner = OrganizationFactory()
    scale, dispenser = catalog_item("02"), catalog_item("08")
    try:
        _migrate(BEFORE)
        Old = _historical_instrument()
        common = {"owner_id": owner.pk, "region_id": owner.region_id, "usage": "trade", "name": "秤"}
        rows = {
            "scale": Old.objects.create(
                serial_number="M-1",
                catalog_item_id=scale.pk,
                mandatory=True,
                last_verified_on=date(2025, 4, 1),
                due_on=date(2026, 3, 31),
                **common,
            ),
            "dispenser": Old.objects.create(
                serial_number="M-2",
                catalog_item_id=dispenser.pk,
                mandatory=True,
                last_verified_on=date(2025, 6, 10),
                due_on=date(2025, 12, 9),
                **common,
            ),
            "never": Old.objects.create(serial_number="M-3", catalog_item_id=scale.pk, mandatory=True, **common),
            "uncatalogued": Old.objects.create(serial_number="M-4", last_verified_on=date(2024, 1, 2), **common),
        }
        ids = {name: row.pk for name, row in rows.items()}
        _migrate(latest)

        migrated = {name: Instrument.objects.select_related("last_verification").get(pk=pk) for name, pk in ids.items()}
        assert VerificationRecord.objects.count() == 3
        for name, (verified_on, due_on) in {
            "scale": (date(2025, 4, 1), date(2026, 3, 31)),
            "dispenser": (date(2025, 6, 10), date(2025, 12, 9)),
            "uncatalogued": (date(2024, 1, 2), None),
        }.items():
            instrument, record = migrated[name], migrated[name].last_verification
            assert instrument.last_verified_on == verified_on
            assert instrument.due_on == due_on  # unchanged
            assert record.instrument_id == instrument.pk
            assert (record.source, record.kind, record.conclusion) == ("declared", "verification", "pass")
            assert record.institute_id is None and record.next_due_on == due_on and record.performed_on == verified_on
        assert migrated["never"].last_verification is None
        assert migrated["never"].due_state() == "never"
        # The replaced index covers the new column.
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Instrument._meta.db_table)
        assert found["instr_owner_due_idx"]["columns"] == [
            "owner_id",
            "mandatory",
            "status",
            "due_on",
            "last_verification_id",
        ]

        # Backwards restores the dates; forward again reuses the declared records instead of doubling them.
        _migrate(BEFORE)
        Old = _historical_instrument()
        assert Old.objects.get(pk=ids["dispenser"]).last_verified_on == date(2025, 6, 10)
        assert Old.objects.get(pk=ids["never"]).last_verified_on is None
        _migrate(latest)
        assert VerificationRecord.objects.count() == 3
        assert Instrument.objects.get(pk=ids["scale"]).last_verification_id == migrated["scale"].last_verification_id
    finally:
        _migrate(_latest())


# ---- record_make_last (verification checks the record, the registry re-derives) ---------------------------------


def _declared(instrument, performed_on, conclusion="pass"):
    return VerificationRecord.objects.create(
        instrument=instrument, source="declared", conclusion=conclusion, performed_on=performed_on
    )


def test_set_last_verification_rederives_the_due_date_and_keeps_the_tally_in_step(city):
    today = timezone.localdate()
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=today - timedelta(days=500))
    assert instrument.due_state() == "overdue"
    record = _declared(instrument, today - timedelta(days=10))

    record_make_last(instrument=instrument, record=record, actor=city.institute_user)
    assert tally.differences() == {}
    stored = Instrument.objects.get(pk=instrument.pk)
    assert stored.last_verification_id == record.pk == instrument.last_verification_id
    assert stored.due_on == instrument.due_on == due.due_date(record.performed_on, "periodic", 12)
    assert stored.due_state() == "valid"
    event = AuditEvent.objects.filter(action="instrument.set_last_verification").get()
    assert event.object_id == str(instrument.pk)
    assert event.changes["last_verification"][1] == record.pk

    # A revocation with no valid record left: the instrument counts as never verified.
    record_make_last(instrument=instrument, record=None, actor=city.institute_user)
    assert tally.differences() == {}
    stored = Instrument.objects.get(pk=instrument.pk)
    assert stored.last_verification_id is None and stored.due_on is None
    assert stored.due_state() == "never"


def test_set_last_verification_refuses_a_failed_a_foreign_or_a_revoked_record(city):
    today = timezone.localdate()
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=today - timedelta(days=100))
    other = InstrumentFactory(owner=city.owner_a, last_verified_on=None)
    with pytest.raises(DomainError):
        record_make_last(instrument=instrument, record=_declared(instrument, today, "fail"), actor=None)
    with pytest.raises(DomainError):
        record_make_last(instrument=instrument, record=_declared(other, today), actor=None)
    revoked = _declared(instrument, today)
    certificate = Certificate.objects.create(
        number="TEST-1",
        kind="verification",
        record=revoked,
        institute=city.institute,
        owner=city.owner_a,
        region=city.county_a,
        instrument=instrument,
        year=today.year,
        sequence=1,
        issued_on=today,
        token="t" * 43,
        document={},
        signature="x",
        key_id="k",
        issued_at=timezone.now(),
    )
    CertificateRevocation.objects.create(
        certificate=certificate, reason="错误", revoked_at=timezone.now(), revoked_by=city.institute_user
    )
    with pytest.raises(DomainError):
        record_make_last(instrument=instrument, record=revoked, actor=None)
    assert Instrument.objects.get(pk=instrument.pk).last_verified_on == today - timedelta(days=100)
    assert tally.differences() == {}


# ---- instrument_declare_verification -------------------------------------------------------------------------


def test_an_owner_declares_a_past_verification(city):
    today = timezone.localdate()
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=None)
    record = services.instrument_declare_verification(
        actor=city.owner_a_user,
        instrument_id=instrument.pk,
        performed_on=today - timedelta(days=30),
        institute_name=" 阜新市计量测试所 ",
        certificate_number="FX-2025-001",
    )
    assert (record.source, record.kind, record.conclusion) == ("declared", "verification", "pass")
    assert record.institute_name == "阜新市计量测试所" and record.declared_certificate_number == "FX-2025-001"
    assert record.created_by == city.owner_a_user
    stored = Instrument.objects.get(pk=instrument.pk)
    assert stored.last_verification_id == record.pk
    assert stored.due_on == record.next_due_on == due.due_date(record.performed_on, "periodic", 12)
    assert AuditEvent.objects.filter(action="instrument.declare_verification", object_id=str(instrument.pk)).exists()
    assert tally.differences() == {}


def test_declare_refuses_a_future_date(city):
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=None)
    with pytest.raises(DomainError) as caught:
        services.instrument_declare_verification(
            actor=city.owner_a_user, instrument_id=instrument.pk, performed_on=timezone.localdate() + timedelta(days=1)
        )
    assert caught.value.errors == [("performed_on", "检定日期不能晚于今天")]
    assert not VerificationRecord.objects.filter(instrument=instrument).exists()


def test_declare_refuses_a_date_older_than_the_last_verification(city):
    today = timezone.localdate()
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=today - timedelta(days=10))
    with pytest.raises(DomainError):
        services.instrument_declare_verification(
            actor=city.owner_a_user, instrument_id=instrument.pk, performed_on=today - timedelta(days=11)
        )
    assert VerificationRecord.objects.filter(instrument=instrument).count() == 1


@pytest.mark.parametrize("persona", ["owner_b", "county_regulator_b", "institute"])
def test_declare_for_an_instrument_out_of_scope_is_not_found(city, persona):
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=None)
    with pytest.raises(NotFoundOrForbidden):
        services.instrument_declare_verification(
            actor=city.personas[persona], instrument_id=instrument.pk, performed_on=timezone.localdate()
        )
    assert not VerificationRecord.objects.filter(instrument=instrument).exists()


# ---- import ---------------------------------------------------------------------------------------------------


def test_import_creates_a_declared_record_for_each_row_with_a_date(city):
    rows = [good_row(n) for n in range(6)]
    for row in rows[::2]:
        row["最近检定日期"] = None
    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx(rows))
    assert report.committed and report.imported == 6
    imported = Instrument.objects.filter(owner=city.owner_a).select_related("last_verification")
    verified = [i for i in imported if i.last_verification_id is not None]
    assert len(verified) == 3 == VerificationRecord.objects.count()
    for instrument in verified:
        record = instrument.last_verification
        assert record.instrument_id == instrument.pk
        assert (record.source, record.conclusion, record.created_by_id) == ("declared", "pass", city.owner_a_user.pk)
        assert record.performed_on == date(2025, 3, 1) and record.next_due_on == instrument.due_on
    assert tally.differences() == {}
    event = AuditEvent.objects.get(action="instrument.import")
    assert event.changes["declared_verifications"] == 3


def test_a_refused_import_leaves_no_record_and_a_partial_one_records_only_the_good_rows(city):
    rows = [good_row(n) for n in range(4)]
    rows[1]["用途"] = "以物易物"
    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx(rows))
    assert not report.committed
    assert not VerificationRecord.objects.exists()
    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx(rows), partial=True)
    assert report.imported == 3
    assert VerificationRecord.objects.count() == 3
    assert set(VerificationRecord.objects.values_list("instrument_id", flat=True)) == set(
        Instrument.objects.values_list("id", flat=True)
    )


# ---- pages ----------------------------------------------------------------------------------------------------


def test_the_detail_page_lists_the_records_with_certificate_links(client, city):
    today = timezone.localdate()
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=today - timedelta(days=100))
    _declared(instrument, today - timedelta(days=500))
    VerificationRecord.objects.create(
        instrument=instrument,
        source="declared",
        conclusion="pass",
        performed_on=today - timedelta(days=800),
        institute_name="某计量所",
        declared_certificate_number="OLD-7",
    )
    certificate = Certificate.objects.create(
        number="FX-CERT-9",
        kind="verification",
        record=instrument.last_verification,
        institute=city.institute,
        owner=city.owner_a,
        region=city.county_a,
        instrument=instrument,
        year=today.year,
        sequence=9,
        issued_on=today,
        token="u" * 43,
        document={},
        signature="x",
        key_id="k",
        issued_at=timezone.now(),
    )
    client.force_login(city.owner_a_user)
    body = client.get(reverse("instruments:detail", args=[instrument.pk])).content.decode()
    assert 'id="records"' in body and "检定记录" in body
    assert f'href="/certificates/{certificate.pk}/"' in body and "FX-CERT-9" in body
    assert "某计量所" in body and "OLD-7" in body
    assert body.index((today - timedelta(days=100)).isoformat()) < body.index((today - timedelta(days=800)).isoformat())


def test_the_records_selector_is_scoped(city):
    instrument = InstrumentFactory(owner=city.owner_a)
    assert [r.pk for r in selectors.instrument_records(city.owner_a_user, instrument)] == [
        instrument.last_verification_id
    ]
    assert len(selectors.instrument_records(city.county_regulator_a, instrument.pk)) == 1
    for persona in ("owner_b", "county_regulator_b", "institute", "anonymous"):
        with pytest.raises(NotFoundOrForbidden):
            selectors.instrument_records(city.personas[persona], instrument.pk)


def test_the_list_reads_the_dates_without_a_query_per_row(client, city, django_assert_max_num_queries):
    client.force_login(city.city_regulator)
    InstrumentFactory(owner=city.owner_a)
    client.get(reverse("instruments:list"))  # warm caches (sessions, catalog)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("instruments:list"))
    for n in range(20):
        InstrumentFactory(owner=city.owner_a, last_verified_on=timezone.localdate() - timedelta(days=n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(reverse("instruments:list")).content.decode()
    assert (timezone.localdate() - timedelta(days=20)).isoformat() in body
