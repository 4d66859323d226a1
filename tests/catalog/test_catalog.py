"""The catalog: loaded from the shipped CSV, corrected with history, and its changes flow to instruments."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jiliang.catalog.loader import catalog_rows
from jiliang.catalog.models import CatalogItem
from jiliang.catalog.services import catalog_item_save
from jiliang.core.models import AuditEvent
from jiliang.metrology import due

from ..factories import InstrumentFactory


def test_migration_loads_every_row_of_the_shipped_csv(db):
    rows = catalog_rows()
    assert len(rows) == 47
    assert CatalogItem.objects.count() == len(rows)
    dispenser = CatalogItem.objects.get(code="08")
    assert (dispenser.kind, dispenser.interval_months, dispenser.confidence) == ("燃油加油机", 6, "conflict")
    assert dispenser.key_controlled


def test_each_loaded_row_starts_its_history_with_the_source(db):
    first = CatalogItem.objects.get(code="02").history.earliest()
    assert "catalog-2020.csv" in first.history_change_reason


def test_correcting_a_row_keeps_history_audits_and_rederives_instruments(city):
    today = timezone.localdate()
    instrument = InstrumentFactory(owner=city.owner_a, last_verified_on=today - timedelta(days=200))
    assert instrument.due_state() == "valid"
    item = CatalogItem.objects.get(code="02")
    item.interval_months = 6
    catalog_item_save(actor=city.admin, item=item, reason="省局通知更正周期")
    instrument.refresh_from_db()
    assert instrument.due_on == due.due_date(instrument.last_verified_on, "periodic", 6)
    assert instrument.due_state() == "overdue"
    assert item.history.count() == 2
    assert item.history.latest().history_change_reason == "省局通知更正周期"
    event = AuditEvent.objects.get(action="catalog_item.update")
    assert event.changes["interval_months"] == [12, 6]
    assert AuditEvent.objects.filter(action="instrument.rederive").exists()


def test_a_retired_row_makes_nothing_mandatory(city):
    instrument = InstrumentFactory(owner=city.owner_a)
    item = instrument.catalog_item
    item.active = False
    catalog_item_save(actor=city.admin, item=item, reason="retired")
    instrument.refresh_from_db()
    assert instrument.mandatory is False


def test_only_admins_reach_the_catalog_admin_and_its_list_shows_confidence(client, city):
    url = reverse("admin:catalog_catalogitem_changelist")
    client.force_login(city.city_regulator)
    assert client.get(url).status_code == 302  # not staff: sent to the admin login
    client.force_login(city.admin)
    page = client.get(url)
    assert page.status_code == 200
    assert "来源冲突" in page.content.decode()


def test_admin_edit_goes_through_the_service(client, city):
    client.force_login(city.admin)
    item = CatalogItem.objects.get(code="22")
    data = {
        f: getattr(item, f)
        for f in ("code", "item", "kind", "supervision", "usages", "mode", "procedure", "confidence", "note")
    }
    data.update(interval_months=24, active="on")
    response = client.post(reverse("admin:catalog_catalogitem_change", args=[item.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.interval_months == 24
    assert AuditEvent.objects.filter(action="catalog_item.update", actor=city.admin).exists()
