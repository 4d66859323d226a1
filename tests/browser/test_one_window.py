"""The core loop in a real browser, by five logins: owner → clerk → verifier → checker → approver → owner → public.

An owner (a market fair) requests verification of an overdue price scale; the institute's clerk (a login that is
nobody's person) accepts and schedules it; the verifier records the readings and submits them; the checker returns
them with a reason; the verifier corrects and resubmits; the checker signs; the approver approves, which issues the
certificate; the owner finds the notice in its inbox and downloads the certificate, whose PDF names the three people
with the times they signed; the public page opened from the certificate's QR URL says valid; the due date moved.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlparse

import pytest
from pypdf import PdfReader

from jiliang.core import clock
from jiliang.instruments.models import Instrument
from jiliang.verification.models import Certificate, RecordDraft, ServiceRequest
from tests.builders.verification import PASSING_POINTS, overdue_scales, staff_institute
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)


def _press(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_five_logins_request_record_return_check_approve_and_the_owner_gets_the_certificate(
    page, city, lab, settings, live_server
):
    settings.JILIANG_PUBLIC_BASE_URL = live_server.url
    staffed = staff_institute(city, lab)
    (scale,) = overdue_scales(city, lab.today, count=1)
    due_before = scale.due_on
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The owner requests verification of its overdue scale.
    _as(page, "owner_a")
    page.goto("/requests/new/")
    page.check(f"#i-{scale.pk}")
    page.select_option("select[name=place]", "send_in")
    page.get_by_role("button", name="预览机构和费用").click()
    page.locator("#quote").get_by_text("市计量测试所").first.wait_for()
    _press(page, "提交申请")
    request = ServiceRequest.objects.get()
    assert request.status == ServiceRequest.Status.SUBMITTED

    # 2. The clerk accepts and schedules it for today.
    _as(page, "institute")
    page.goto(f"/requests/{request.pk}/")
    _press(page, "受理")
    page.fill("input[name=scheduled_on]", clock.today().isoformat())
    _press(page, "排期")
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.SCHEDULED
    # The clerk is nobody's person: the record form says who must record instead of offering itself.
    page.goto(f"/records/new/?item={request.items.get().pk}")
    assert "本人登录" in page.locator("main").inner_text()

    # 3. The verifier records the readings, naming the checker and the approver, and submits them.
    _as(page, staffed.verifier.user.username)
    page.goto(f"/requests/{request.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="录入检定记录").click()
    assert page.locator("select[name=verifier]").is_disabled()
    page.check(f"input[name=standards][value='{lab.city_standard.pk}']")
    page.select_option("select[name=checker]", str(staffed.checker.pk))
    page.select_option("select[name=approver]", str(staffed.approver.pk))
    page.fill("input[name=unit]", "kg")
    page.fill("input[name=resolution]", "0.001")
    page.fill("input[name=temperature]", "20.5")
    page.fill("input[name=humidity]", "45")
    for i, point in enumerate(PASSING_POINTS):
        for key in ("label", "reference", "indicated", "mpe"):
            page.fill(f"input[name=p-{i}-{key}]", point[key])
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "three_signatures_1_record_form")
    _press(page, "保存并提交核验")
    assert re.search(r"/records/\d+/$", page.url), page.locator(".form-errors, .errorlist").all_inner_texts()
    draft = RecordDraft.objects.get()
    assert draft.status == "submitted" and draft.verifier == staffed.verifier
    # Nobody checks their own record.
    assert page.get_by_role("button", name="核验通过并签字").count() == 0

    # 4. The checker returns it with a reason.
    _as(page, staffed.checker.user.username)
    page.goto(f"/records/{draft.pk}/")
    screenshot(page, "three_signatures_2_checker")
    page.fill("textarea[name=reason]", "环境温度应为实测值，请复核")
    _press(page, "退回检定员修改")
    assert RecordDraft.objects.get().status == "returned"

    # 5. The verifier sees the reason, corrects the temperature and resubmits.
    _as(page, staffed.verifier.user.username)
    page.goto(f"/records/{draft.pk}/")
    assert "环境温度应为实测值" in page.locator("[data-testid=return-reason]").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="修改", exact=True).click()
    page.fill("input[name=temperature]", "20.8")
    _press(page, "保存并提交核验")
    assert RecordDraft.objects.get().status == "submitted"

    # 6. The checker signs.
    _as(page, staffed.checker.user.username)
    page.goto(f"/records/{draft.pk}/")
    _press(page, "核验通过并签字")
    assert RecordDraft.objects.get().status == "checked"
    assert not Certificate.objects.exists()

    # 7. The approver approves: only now is the certificate numbered, signed and issued.
    _as(page, staffed.approver.user.username)
    page.goto(f"/records/{draft.pk}/")
    _press(page, "批准并出具证书")
    certificate = Certificate.objects.get()
    assert re.search(rf"/certificates/{certificate.pk}/$", page.url)
    assert certificate.kind == Certificate.Kind.VERIFICATION

    # 8. The owner finds the notice and downloads the certificate; its PDF names the three with their times.
    _as(page, "owner_a")
    page.goto("/notices/")
    inbox = page.locator("main").inner_text()
    assert certificate.number in inbox
    screenshot(page, "three_signatures_3_owner_notice")
    page.goto(f"/certificates/{certificate.pk}/")
    pdf_href = page.locator(f"a[href='/certificates/{certificate.pk}/pdf/']").first.get_attribute("href")
    response = page.request.get(pdf_href)
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    signed = certificate.document["signed_at"]
    for name, role in (("王检定", "verifier"), ("李核验", "checker"), ("张批准", "approver")):
        moment = signed[role][:16].replace("T", " ")
        assert name in text and moment in text, (name, moment)
    assert "20.8 °C" in text or "20.8 °C" in certificate.document["conditions"]["temperature"]

    # 9. The public page opened from the QR URL, without logging in, says valid; the due date moved.
    public_url = certificate.document["public_check"]
    page.context.clear_cookies()
    page.goto(urlparse(public_url).path)
    assert "有效" in page.locator(".banner").inner_text()
    screenshot(page, "three_signatures_4_public_check")
    scale.refresh_from_db()
    assert scale.due_on == certificate.valid_until and scale.due_on > due_before
    assert scale.due_state() == Instrument.DueState.VALID
    assert not page.js_errors
