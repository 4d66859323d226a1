"""An instrument stopped as failed (停用（检定不合格）, issue 13 item 5) in a real browser: the owner's home, the
instrument's page (why, since when, the notice) and the public check of its earlier certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders.verification import issue_certificate
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_owner_sees_why_and_since_when_and_the_public_check_says_stopped(page, bench):
    passed = issue_certificate(bench, performed_on=bench.today - timedelta(days=10))
    notice = issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=2))
    scale = bench.instruments[0]

    log_in(page, "owner_a", PASSWORD)
    assert page.locator("[data-testid=kpi-failed] .kpi-value").inner_text() == "1"
    card = page.locator("[data-testid=list-failed]")
    assert notice.number in card.inner_text() and scale.serial_number in card.inner_text()
    screenshot(page, "home-owner-failed")

    with page.expect_navigation():
        card.locator(f"text={scale.name}").first.click()
    note = page.locator("#stop-note")
    assert "停用（检定不合格）" in note.inner_text()
    assert (bench.today - timedelta(days=2)).isoformat() in note.inner_text()
    assert note.locator(f"a >> text={notice.number}").count() == 1
    options = page.locator("#status-card select[name=status] option").evaluate_all("els => els.map(e => e.value)")
    assert "in_use" not in options and "scrapped" in options
    screenshot(page, "instrument-failed")

    page.goto(f"/check/c/{passed.token}/")
    banner = page.locator(".banner")
    assert "器具已停用（检定不合格）" in banner.inner_text() and notice.number in banner.inner_text()
    screenshot(page, "check-stopped")
    assert page.js_errors == []
