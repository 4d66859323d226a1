"""双随机 in the browser (issue 15): a county regulator freezes a task's rosters, enters the seed and sees the drawn
targets with their inspectors; the public page shows the round with its seed and the JSON anyone recomputes.
Screenshots at desktop and phone widths."""

from __future__ import annotations

import json
from datetime import date

import pytest

from jiliang.core import clock
from tests.builders.supervision import build_supervision
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
SEED = "03 11 17 22 28 31 + 09"


def test_a_county_regulator_draws_a_task_in_public(page, city, live_server):
    with clock.travel(date(2026, 11, 20)):
        world = build_supervision(city)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "county_reg_a", PASSWORD)
    page.goto(f"/supervision/tasks/{world.task.pk}/")
    page.fill("#id_seed_source", "中国福利彩票双色球第 2026142 期开奖号码")
    with page.expect_navigation():
        page.click("#draw-actions button[type=submit]")
    assert "名录已冻结" in page.locator("main").inner_text()
    digest = page.locator("[data-testid=commitment-digest]").first.inner_text()
    assert digest
    page.fill("#id_seed", SEED)
    with page.expect_navigation():
        page.click("#draw-actions button[type=submit]")
    assert "已抽取" in page.locator("[data-testid=task-status]").inner_text()
    drawn = page.locator("#target-table tbody tr").count()
    assert drawn == 6  # A: ⌈0.5 × 8⌉ = 4, B: 2 (its quota), unrated: 0
    screenshot(page, "supervision-task-drawn")

    # The public's page of the task: the round, its seed and the JSON.
    page.goto(f"/open/draws/{world.task.pk}/")
    assert SEED in page.locator("[data-testid=seed]").inner_text()
    assert page.locator("[data-testid=drawn] tbody tr").count() == drawn
    screenshot(page, "supervision-public-draw")
    href = page.locator("[data-testid=draw-json]").get_attribute("href")
    body = json.loads(page.request.get(live_server.url + href).text())
    assert body["seed"] == SEED and body["format"] == "jiliang-draw"
    page.set_viewport_size(PHONE)
    page.goto(f"/open/draws/{world.task.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot(page, "supervision-public-draw-phone")
    assert not page.js_errors
