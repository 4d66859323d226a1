"""The record form in Chromium, on a desktop and a phone: the item's procedure chosen, the standards it may not use
behind a toggle with their reasons, the preview judging by the MPE rule and flagging a point outside the range.
Screenshots land in artifacts/screenshots/ (record-form-desktop.png, record-form-phone.png)."""

from __future__ import annotations

import pytest

from jiliang.catalog.models import Procedure
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 390)])
def test_the_record_form_knows_the_item(page, bench, name, width):
    instrument = bench.instruments[0]
    instrument.measuring_range = "(0.04～15) kg"
    instrument.save(update_fields=["measuring_range"])
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, bench.verifier.user.username, PASSWORD)
    page.goto(f"/records/new/?item={bench.items[0].pk}")

    own = Procedure.objects.get(code="JJG 539")
    assert page.locator("select[name=procedure]").input_value() == str(own.pk)
    assert page.locator("input[name=standards]").count() == 1
    toggle = page.locator("[data-testid=other-standards]")
    assert not toggle.locator("li").first.is_visible()
    toggle.locator("summary").click()
    assert "考核证书已过期" in toggle.inner_text()

    page.fill("input[name=temperature]", "20.5")
    page.fill("input[name=humidity]", "45")
    page.fill("input[name=unit]", "kg")
    page.fill("input[name=resolution]", "0.001")
    page.select_option("select[name=mpe_kind]", "percent")
    page.fill("input[name=mpe_a]", "0.1")
    for i, (reference, indicated) in enumerate([("1.000", "1.001"), ("10.000", "10.004"), ("20.000", "20.010")]):
        page.fill(f"input[name=p-{i}-label]", f"{reference.split('.')[0]} kg")
        page.fill(f"input[name=p-{i}-reference]", reference)
        page.fill(f"input[name=p-{i}-indicated]", indicated)
    page.get_by_role("button", name="试算结论").click()
    page.locator("[data-testid=preview-verdict]").wait_for()
    assert "±0.1%（相对于标准值）" in page.locator("[data-testid=preview-rule]").inner_text()
    assert "超出器具的测量范围" in page.locator("[data-testid=preview-range]").inner_text()
    screenshot(page, f"record-form-{name}")
    # Nothing wider than the screen but the readings table, which scrolls in its own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
