"""The institute's work queue in a real browser, at desktop and phone widths: a checker's personal part and the
institute's lists, links that lead where they say, and nothing wider than a phone's screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.verification.models import RecordDraft
from tests.builders.queue import build_queue, make_draft, request_in, scales
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DraftStatus = RecordDraft.Status


def busy_queue(city, bench):
    """``build_queue`` plus drafts that wait for 李核验 as approver and one returned to 李核验 as verifier, and a
    few more requests to accept, so that every list of the checker's page has rows."""
    queue = build_queue(city, bench)
    _, items = request_in(city.owner_a_user, city.institute, scales(city.owner_a, "BUSY", 3), "in_work")
    for n, item in enumerate(items[:2]):
        make_draft(
            item,
            verifier=bench.verifier,
            checker=bench.novice,
            approver=bench.checker,
            status=DraftStatus.CHECKED,
            at=timedelta(hours=n + 1),
        )
    make_draft(items[2], verifier=bench.checker, checker=bench.approver, approver=bench.verifier, status="returned")
    for n in range(6):
        request_in(city.owner_a_user, city.institute, scales(city.owner_a, f"NEW{n}", 1), "submitted")
    return queue


def test_the_checker_works_from_the_queue_at_desktop_and_phone_widths(page, city, bench):
    queue = busy_queue(city, bench)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "li_heyan", PASSWORD)
    assert page.locator("[data-testid=kpi-to-check] .kpi-value").inner_text() == "1"
    assert page.locator("[data-testid=kpi-to-approve] .kpi-value").inner_text() == "2"
    assert page.locator("[data-testid=kpi-returned] .kpi-value").inner_text() == "1"
    assert page.locator("[data-testid=queue-to-accept] tbody tr").count() == 5
    assert page.locator("[data-testid=queue-to-accept] .card-foot").is_visible()
    assert page.locator("[data-testid=queue-late] [data-testid=late]").count() == 2
    assert page.locator("#warning-tiles").is_visible()
    screenshot(page, "home-institute-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "home-institute-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth
        && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone: {wide}"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("[data-testid=more-to-accept]")
    assert page.url.endswith("/requests/?status=submitted")
    page.go_back()
    page.click("[data-testid=queue-unrecorded] [data-testid=record-item] >> nth=0")
    assert f"/records/new/?item={queue.today_items[4].pk}" in page.url


def test_a_login_without_a_person_reads_why_in_the_browser(page, city, bench):
    build_queue(city, bench)
    log_in(page, "institute", PASSWORD)
    assert page.locator("[data-testid=no-person]").is_visible()
    assert page.locator("[data-testid=queue-institute]").is_visible()
    screenshot(page, "home-institute-no-person")
