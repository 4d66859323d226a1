"""双随机 in the browser (issue 15): a county regulator freezes a task's rosters, enters the seed and sees the drawn
targets with their inspectors; the public page shows the round with its seed and the JSON anyone recomputes.
Screenshots at desktop and phone widths."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from jiliang.core import clock
from jiliang.core.models import Role
from jiliang.supervision.models import Case, Rectification
from tests.builders.supervision import build_supervision
from tests.conftest import PASSWORD
from tests.factories import UserFactory

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
SEED = "03 11 17 22 28 31 + 09"


def draw_in_public(page, world) -> int:
    """The county regulator freezes the task's rosters and enters the seed; returns how many were drawn."""
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
    return drawn


def test_a_county_regulator_draws_a_task_in_public(page, city, live_server):
    with clock.travel(date(2026, 11, 20)):
        world = build_supervision(city)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "county_reg_a", PASSWORD)
    drawn = draw_in_public(page, world)

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


def inspect_with_a_failing_test_draw(page, world) -> str:
    """From the task's page: start the first target's inspection with its drawn team, answer the checklist (the
    test-draw line not met), a failing 20 L test draw, the result, and a rectification order. Returns the order's
    number."""
    page.goto(f"/supervision/tasks/{world.task.pk}/")
    with page.expect_navigation():
        page.locator("#target-table a.btn", has_text="开始检查").first.click()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "检查中" in page.locator("[data-testid=inspection-status]").inner_text()
    inspection_url = page.url
    screenshot(page, "supervision-inspection-started")

    with page.expect_navigation():
        page.click("a >> text=填写检查项目")
    selects = page.locator("#finding-form select[name^=compliant_]")
    for n in range(selects.count()):
        selects.nth(n).select_option("yes")
    row = page.locator("#finding-form tbody tr", has_text="P03")
    row.locator("select[name^=compliant_]").select_option("no")
    row.locator("input[name^=note_]").fill("1号枪付油试验误差 +0.50%，超过最大允许误差")
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    page.goto(inspection_url)
    with page.expect_navigation():
        page.click("a >> text=现场付油试验")
    page.fill("#id_label", "1号枪 92#")
    page.fill("#id_indicated", "20.000")
    page.fill("#id_actual", "19.900")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "不合格" in page.locator("#draw-table").inner_text()

    with page.expect_navigation():
        page.click("a >> text=录入检查结果")
    page.select_option("#id_result", "ordered_to_correct")
    page.fill("#id_summary", "1号枪付油误差超差，其余项目符合要求。")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "结果已录入" in page.locator("[data-testid=inspection-status]").inner_text()

    with page.expect_navigation():
        page.click(".actions a >> text=责令改正")
    page.fill("#id_requirement", "立即停止使用1号枪，维修并经检定合格后方可使用。")
    page.fill("#id_deadline", date.today().replace(year=date.today().year + 1).isoformat())
    page.check("input[name=bases][value=JLF-9]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    screenshot(page, "supervision-rectification-ordered")
    return page.locator("h1").inner_text()


def test_a_county_regulator_inspects_a_drawn_station_and_orders_rectification(page, city, live_server):
    with clock.travel(date(2026, 11, 20)):
        world = build_supervision(city)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "county_reg_a", PASSWORD)
    draw_in_public(page, world)
    heading = inspect_with_a_failing_test_draw(page, world)
    order = Rectification.objects.get()
    assert order.number in heading or order.number in page.locator("main").inner_text()
    assert order.inspection.test_draws.get().passed is False
    assert not page.js_errors


def test_from_draw_to_a_published_decision_and_what_the_station_sees(page, city, live_server):
    """The issue's path: draw, inspection with a failing test draw, rectification, escalation to a case, filing,
    the notice, the decision and its service; the decision on the public page; the station's own login sees its
    order and its decision. The order's deadline is moved into the past as a month passing would (the live server
    runs on today's clock)."""
    with clock.travel(date(2026, 11, 20)):
        world = build_supervision(city)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "county_reg_a", PASSWORD)
    draw_in_public(page, world)
    inspect_with_a_failing_test_draw(page, world)
    order = Rectification.objects.get()
    today = date.today()
    Rectification.objects.filter(pk=order.pk).update(
        ordered_on=today - timedelta(days=30), deadline=today - timedelta(days=16)
    )

    page.goto(f"/supervision/rectifications/{order.pk}/")
    with page.expect_navigation():
        page.click("#escalate")
    page.fill("#id_clue_received_on", (today - timedelta(days=15)).isoformat())
    page.fill("#id_summary", "逾期未整改：1号枪付油误差超差仍在使用。")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "线索核查" in page.locator("[data-testid=case-status]").inner_text()

    section = page.locator("#action-file")
    section.locator("input[name=filed_on]").fill((today - timedelta(days=14)).isoformat())
    boxes = section.locator("input[name=officers]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    section.locator("label", has_text="第二十六条").locator("input[name=bases]").check()
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert "已立案" in page.locator("[data-testid=case-status]").inner_text()

    section = page.locator("#action-notify")
    section.locator("select[name=penalty]").select_option("fine")
    section.locator("input[name=fine]").fill("5000")
    section.locator("textarea[name=facts], input[name=facts]").first.fill("使用检定不合格的燃油加油机。")
    section.locator("input[name=notified_on]").fill((today - timedelta(days=10)).isoformat())
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert "已告知" in page.locator("[data-testid=case-status]").inner_text()

    section = page.locator("#action-decide")
    section.locator("input[name=decided_on]").fill(today.isoformat())
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert "已作出决定" in page.locator("[data-testid=case-status]").inner_text()

    section = page.locator("#action-serve")
    section.locator("input[name=served_on]").fill(today.isoformat())
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert "已送达" in page.locator("[data-testid=case-status]").inner_text()
    screenshot(page, "supervision-case-served")
    case = Case.objects.get()
    decision = case.documents.get(kind="decision")

    # The public's page of decisions, without a login.
    public = page.context.browser.new_page()
    public.goto(live_server.url + "/open/decisions/")
    assert decision.number in public.locator("main").inner_text()
    screenshot(public, "supervision-public-decisions")
    public.close()

    # The station's own login: its order and its decision.
    station = order.organization
    UserFactory(username="station_a", role=Role.OWNER, organization=station)
    page.context.clear_cookies()
    log_in(page, "station_a", PASSWORD)
    page.goto("/supervision/mine/")
    assert order.number in page.locator("main").inner_text()
    page.goto(f"/supervision/cases/{case.pk}/")
    text = page.locator("main").inner_text()
    assert decision.number in text
    screenshot(page, "supervision-station-case")
    assert not page.js_errors
