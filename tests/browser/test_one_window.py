"""The core loop in a real browser: registered → due → requested → verified → certificate → public check → due date
moved.

An owner (a market fair) requests verification of two overdue price scales; the city institute accepts, records one
pass and one fail with a qualified verifier and a valid standard; the owner sees a certificate and a failure notice;
the public page opened from the certificate's QR URL says the certificate is valid; the scale that passed is due a
year on.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from jiliang.instruments.models import Instrument
from jiliang.verification.models import Certificate, ServiceRequest
from tests.builders.verification import FAILING_POINTS, PASSING_POINTS, overdue_scales, staff_institute
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _record(page, item_link, staffed, standard, points):
    with page.expect_navigation():
        item_link.click()
    assert "/records/new/" in page.url
    page.check(f"input[name=standards][value='{standard.pk}']")
    page.select_option("select[name=verifier]", str(staffed.verifier.pk))
    page.select_option("select[name=checker]", str(staffed.checker.pk))
    page.select_option("select[name=approver]", str(staffed.approver.pk))
    page.fill("input[name=unit]", "kg")
    page.fill("input[name=resolution]", "0.001")
    page.fill("input[name=temperature]", "20.5 ℃")
    page.fill("input[name=humidity]", "45 %RH")
    for i, point in enumerate(points):
        for key in ("label", "reference", "indicated", "mpe"):
            page.fill(f"input[name=p-{i}-{key}]", point[key])
    page.get_by_role("button", name="试算结论").click()
    page.locator("[data-testid=preview-verdict]").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="保存并出具证书").click()
    assert re.search(r"/certificates/\d+/$", page.url), page.locator(".form-errors, .errorlist").all_inner_texts()


def test_request_verify_certify_check_and_the_due_date_moves(page, city, lab, settings, live_server):
    # The QR code and the certificate's public link point at this server.
    settings.JILIANG_PUBLIC_BASE_URL = live_server.url
    staffed = staff_institute(city, lab)
    passing, failing = overdue_scales(city, lab.today)
    due_before = passing.due_on
    assert passing.due_state() == Instrument.DueState.OVERDUE

    # 1. The owner requests verification of its two overdue scales.
    log_in(page, "owner_a", PASSWORD)
    page.goto("/requests/new/")
    page.check(f"#i-{passing.pk}")
    page.check(f"#i-{failing.pk}")
    page.select_option("select[name=place]", "send_in")
    page.get_by_role("button", name="预览机构和费用").click()
    quote = page.locator("#quote")
    quote.get_by_text("市计量测试所").first.wait_for()
    screenshot(page, "one_window_1_owner_request")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    request = ServiceRequest.objects.get()
    assert request.status == ServiceRequest.Status.SUBMITTED and request.institute_id == city.institute.pk
    # A market fair pays nothing for mandatory verification (the Fuxin plan's waiver).
    assert request.fee_total == request.fee_waived
    page.get_by_text(request.number).first.wait_for()

    # 2. The institute accepts and records one pass and one fail.
    page.context.clear_cookies()
    log_in(page, "institute", PASSWORD)
    page.goto(f"/requests/{request.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="受理", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="开始检定").click()
    links = page.get_by_role("link", name="录入检定记录")
    rows = page.locator("tr", has=page.get_by_role("link", name="录入检定记录"))
    passing_link = rows.filter(has_text=passing.serial_number).get_by_role("link", name="录入检定记录")
    assert links.count() == 2
    _record(page, passing_link, staffed, lab.city_standard, PASSING_POINTS)
    screenshot(page, "one_window_2_certificate")
    page.goto(f"/requests/{request.pk}/")
    failing_link = page.locator("tr", has_text=failing.serial_number).get_by_role("link", name="录入检定记录").first
    _record(page, failing_link, staffed, lab.city_standard, FAILING_POINTS)
    certificate = Certificate.objects.get(instrument=passing)
    notice = Certificate.objects.get(instrument=failing)
    assert certificate.kind == Certificate.Kind.VERIFICATION
    assert notice.kind == Certificate.Kind.FAILURE_NOTICE

    # 3. The owner sees a certificate and a failure notice.
    page.context.clear_cookies()
    log_in(page, "owner_a", PASSWORD)
    page.goto("/certificates/")
    page.get_by_text(certificate.number).first.wait_for()
    page.get_by_text(notice.number).first.wait_for()
    listing = page.locator("main").inner_text()
    assert "检定证书" in listing and "检定结果通知书" in listing
    screenshot(page, "one_window_3_owner_certificates")
    page.goto(f"/certificates/{certificate.pk}/")
    public_url = page.locator("#qr a").get_attribute("href")
    assert public_url == certificate.document["public_check"]
    assert certificate.token in public_url

    # 4. The public page opened from the QR URL, without logging in, says valid.
    page.context.clear_cookies()
    page.goto(urlparse(public_url).path)
    banner = page.locator(".banner")
    assert "有效" in banner.inner_text()
    body = page.locator("body").inner_text()
    assert certificate.number in body and passing.serial_number not in body
    screenshot(page, "one_window_4_public_check")

    # 5. The due date moved: a year from the verification for the scale that passed; the failed one is stopped as
    # failed (停用（检定不合格）), out of the due states until a pass or scrapping.
    passing.refresh_from_db()
    failing.refresh_from_db()
    assert passing.due_on == certificate.valid_until and passing.due_on > due_before
    assert passing.due_state() == Instrument.DueState.VALID
    assert failing.stopped_as_failed and failing.failure_notice_id == notice.pk
    log_in(page, "owner_a", PASSWORD)
    page.goto(f"/instruments/{passing.pk}/")
    assert passing.due_on.isoformat() in page.locator("main").inner_text()
    assert not page.js_errors
