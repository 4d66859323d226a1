"""The owner's path in a real browser: 申请检定 from the home's overdue list (and from an instrument's page) opens the
request form with that instrument ticked; the owner submits; withdrawing asks first: dismissing the dialog changes
nothing, accepting it withdraws. At 1280 px and at 390 px, with screenshots."""

from __future__ import annotations

import pytest

from jiliang.verification.models import ServiceRequest
from tests.builders.verification import overdue_scales, staff_institute
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Status = ServiceRequest.Status


def _withdraw_with_confirmation(page, request: ServiceRequest, width: int) -> None:
    """Dismiss the confirmation once (nothing happens), then accept it (withdrawn)."""
    seen: list[str] = []

    def dismiss(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    detail_url = page.url
    page.once("dialog", dismiss)
    page.get_by_role("button", name="撤回申请", exact=True).click()
    page.wait_for_timeout(500)
    assert seen and "撤回" in seen[0] and "不能恢复" in seen[0]
    assert page.url == detail_url
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert page.get_by_role("button", name="撤回申请", exact=True).is_visible()

    accepted: list[str] = []

    def accept(dialog):
        accepted.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.get_by_role("button", name="撤回申请", exact=True).click()
    assert accepted == seen
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    assert page.get_by_role("button", name="撤回申请", exact=True).count() == 0
    screenshot(page, f"owner_path_withdrawn_{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_owner_applies_from_the_overdue_list_submits_and_withdraws_with_a_confirmation(page, city, lab, width):
    staff_institute(city, lab)  # the city institute, authorized for price scales: the request has somewhere to go
    scale, other = overdue_scales(city, lab.today, count=2)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "owner_a", PASSWORD)

    # The home's overdue list offers 申请检定 on each row.
    overdue = page.locator("[data-testid=list-overdue]")
    assert scale.serial_number in overdue.inner_text()
    screenshot(page, f"owner_path_home_{width}")
    with page.expect_navigation():
        overdue.locator(f"[data-testid=apply-{scale.pk}]").click()

    # The form opens with that instrument ticked, and only that one.
    assert f"instrument_ids={scale.pk}" in page.url
    assert page.locator(f"#i-{scale.pk}").is_checked()
    assert not page.locator(f"#i-{other.pk}").is_checked()
    screenshot(page, f"owner_path_new_{width}")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请", exact=True).click()
    request = ServiceRequest.objects.get()
    assert request.status == Status.SUBMITTED
    assert [item.instrument_id for item in request.items.all()] == [scale.pk]
    screenshot(page, f"owner_path_submitted_{width}")

    _withdraw_with_confirmation(page, request, width)
    assert not page.js_errors


def test_owner_applies_from_the_instrument_page_and_for_the_chosen_ones_of_the_list(page, city, lab):
    first, second = overdue_scales(city, lab.today, count=2)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "owner_a", PASSWORD)

    page.goto(f"/instruments/{second.pk}/")
    screenshot(page, "owner_path_instrument_1280")
    with page.expect_navigation():
        page.locator("[data-testid=apply-verification]").click()
    assert page.locator(f"#i-{second.pk}").is_checked() and not page.locator(f"#i-{first.pk}").is_checked()

    # From the home: both overdue scales are ticked by default; untick one and apply for the chosen.
    page.goto("/")
    overdue = page.locator("[data-testid=list-overdue]")
    overdue.locator(f"input[name=instrument_ids][value='{second.pk}']").uncheck()
    with page.expect_navigation():
        overdue.locator("[data-testid=apply-overdue]").click()
    assert page.locator(f"#i-{first.pk}").is_checked() and not page.locator(f"#i-{second.pk}").is_checked()
    assert not page.js_errors
