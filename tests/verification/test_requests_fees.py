"""The illustrative fee schedule: loaded by migration for catalog items that exist, editable (audited) in the admin."""

import importlib
from decimal import Decimal

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import AuditEvent
from jiliang.verification.models import FeeSchedule

migration = importlib.import_module("jiliang.verification.migrations.0003_load_fees")


def test_every_row_names_a_catalog_item_and_a_service(db):
    rows = migration.fee_rows()
    codes = set(CatalogItem.objects.values_list("code", flat=True))
    assert rows and all(r["code"] in codes for r in rows)
    assert {r["service"] for r in rows} == {"verification", "calibration"}
    assert all(r["amount"] > 0 for r in rows)
    assert FeeSchedule.objects.count() == len(rows)
    assert FeeSchedule.objects.get(catalog_item__code="08", service="verification").amount == Decimal("120.00")


def test_the_file_says_it_is_illustrative():
    text = migration.FEES_CSV.read_text(encoding="utf-8")
    assert text.startswith("# ILLUSTRATIVE")


def test_admin_lists_and_edits_fees_with_an_audit_event(city, client):
    client.force_login(city.admin)
    assert client.get("/admin/verification/feeschedule/").status_code == 200
    fee = FeeSchedule.objects.get(catalog_item__code="02", service="verification")
    data = {
        "catalog_item": fee.catalog_item_id,
        "service": "verification",
        "amount": "35.00",
        "basis": "物价部门核定",
        "valid_from": "2020-01-01",
    }
    response = client.post(f"/admin/verification/feeschedule/{fee.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fee.refresh_from_db()
    assert fee.amount == Decimal("35.00")
    assert AuditEvent.objects.filter(action="verification.feeschedule.update", object_id=str(fee.pk)).exists()


def test_outsiders_cannot_reach_the_fee_admin(city, client):
    client.force_login(city.owner_a_user)
    response = client.get("/admin/verification/feeschedule/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
