"""An owner in a real browser: its home page, registering an instrument by hand, and importing a filled-in
template."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiliang.core.models import AuditEvent
from jiliang.instruments.models import Instrument
from tests.conftest import PASSWORD
from tests.factories import InstrumentFactory, catalog_item

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_owner_home_lists_overdue_and_due_soon_and_the_form_derives_the_due_date(page, city):
    today = timezone.localdate()
    for n, age in enumerate([20, 200, 352, 358, 420, 700]):
        InstrumentFactory(
            owner=city.owner_a,
            serial_number=f"OWN-{n:03d}",
            location=f"{n + 1}号摊位",
            last_verified_on=today - timedelta(days=age),
        )
    log_in(page, "owner_a", PASSWORD)
    overdue = page.locator("[data-testid=list-overdue] tbody tr")
    assert overdue.count() == 2
    assert page.locator("[data-testid=list-overdue] .badge.due-overdue").count() == 2
    assert page.locator("[data-testid=list-due_soon] .badge.due-due_soon").count() == 2
    assert page.locator("[data-testid=kpi-registered] .kpi-value").inner_text() == "6"
    screenshot(page, "home-owner")

    page.click("text=新增器具")
    page.wait_for_url("**/instruments/new/")
    assert page.locator("input[name=owner]").count() == 0  # an owner registers for itself
    page.select_option("#id_catalog_item", str(catalog_item("02").pk))
    page.select_option("#id_usage", "trade")
    page.fill("#id_name", "电子计价秤")
    page.fill("#id_serial_number", "FORM-001")
    page.fill("#id_last_verified_on", "2026-04-01")
    page.locator("#id_last_verified_on").dispatch_event("change")
    # HTMX asks the server for the derived fields; nothing is typed for them.
    page.wait_for_selector("#derived >> text=2027-03-31")
    assert "未核实" in page.locator("#derived").inner_text()
    screenshot(page, "create-owner")
    with page.expect_navigation():
        page.click("#instrument-form button[type=submit]")
    instrument = Instrument.objects.get(serial_number="FORM-001")
    assert instrument.owner == city.owner_a and instrument.due_on.isoformat() == "2027-03-31"
    assert page.locator("#history").inner_text().count("登记") == 1
    assert AuditEvent.objects.filter(object_id=str(instrument.pk), action="instrument.create").exists()
    assert page.js_errors == []


def test_regulator_picks_the_owner_from_suggestions_in_scope(page, city):
    log_in(page, "county_reg_a", PASSWORD)
    page.goto("/instruments/new/")
    page.fill("#id_owner", "县")
    page.wait_for_selector("#owner-options option", state="attached")
    values = page.locator("#owner-options option").evaluate_all("els => els.map(e => e.value)")
    assert values == [city.owner_a.credit_code]
    assert page.js_errors == []
