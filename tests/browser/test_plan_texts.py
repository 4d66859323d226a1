"""A regulator named 谢芳 opens the Yan'an plan in a real browser: the top bar names her 谢芳, and the plan's
indicator table shows the quotes in simplified characters with each definition by its name, never its code."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.indicators.test_plan_texts import CODES, TRADITIONAL

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_yanan_plan_reads_in_simplified_characters_under_a_name_in_chinese_order(page, city):
    regulator = city.city_regulator
    regulator.last_name, regulator.first_name = "谢", "芳"
    regulator.save(update_fields=["last_name", "first_name"])
    log_in(page, "city_reg", PASSWORD)
    page.goto("/plans/yanan-2021/")
    page.wait_for_selector("#indicator-table")
    assert page.locator(".user-name").inner_text().startswith("谢芳")
    assert page.locator(".user-avatar").inner_text() == "谢"
    table = page.locator("#indicator-table").inner_text()
    assert "全市强检计量器具检定覆盖率达到90%" in table and "检定覆盖率" in table
    assert not [code for code in CODES if code in table]
    body = page.locator("body").inner_text()
    assert not sorted({ch for ch in body if ch in TRADITIONAL})
    screenshot(page, "plan_yanan_simplified")
    assert page.js_errors == []
