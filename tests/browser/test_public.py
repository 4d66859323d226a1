"""The public's side on a phone (390 px wide, issue 14): an instrument's label QR link (扫码查器具), a certificate's
QR link, and a certificate number typed in lower case without dashes; the home link and the language switch."""

from __future__ import annotations

import pytest

from tests.builders.verification import issue_certificate

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(page):
    """The browser page at a phone's width (the layout a shopper's phone gets)."""
    page.set_viewport_size(PHONE)
    return page


def fits_the_phone(page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_shopper_scans_the_label_and_the_certificate_and_types_the_number(phone, bench):
    certificate = issue_certificate(bench)
    instrument = certificate.instrument
    instrument.refresh_from_db()

    # The instrument's label: kind, model, factory number, masked user, valid until, the certificate's link.
    phone.goto(f"/check/i/{instrument.public_key}/")
    assert "检定有效" in phone.locator(".banner").inner_text()
    table = phone.locator(".card table").inner_text()
    assert instrument.serial_number in table and "甲县**市场" in table and certificate.number in table
    assert instrument.due_on.isoformat() in table
    fits_the_phone(phone)
    screenshot(phone, "public-instrument-phone")

    # Its latest certificate's check, from the link on the page (the certificate's own QR link).
    with phone.expect_navigation():
        phone.click(f"a >> text={certificate.number}")
    assert phone.url.endswith(f"/check/c/{certificate.token}/")
    assert "该证书真实有效" in phone.locator(".banner").inner_text()
    assert instrument.serial_number in phone.locator(".card table").inner_text()
    fits_the_phone(phone)
    screenshot(phone, "public-certificate-phone")

    # Home, then the number typed as a shopper would: lower case, no dashes.
    with phone.expect_navigation():
        phone.click("header a.home")
    typed = certificate.number.lower().replace("-", "")
    phone.fill("#number", typed)
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert "该证书真实有效" in phone.locator(".banner").inner_text()
    assert "伪造" not in phone.locator("main").inner_text()
    assert phone.locator("#number").input_value() == certificate.number
    fits_the_phone(phone)
    screenshot(phone, "public-typed-number-phone")

    # The language switch: the same answer in English, and back.
    with phone.expect_navigation():
        phone.click("header .langswitch button[value=en]")
    assert "Serial number" in phone.locator(".card table").inner_text()
    assert phone.locator("html").get_attribute("lang") == "en"
    fits_the_phone(phone)
    screenshot(phone, "public-typed-number-phone-en")
    with phone.expect_navigation():
        phone.click("header .langswitch button[value=zh-hans]")
    assert "出厂编号" in phone.locator(".card table").inner_text()
    assert phone.js_errors == []


def test_a_failed_instrument_says_on_the_phone_that_it_must_not_be_used(phone, bench):
    notice = issue_certificate(bench, passed=False)
    instrument = notice.instrument
    instrument.refresh_from_db()
    phone.goto(f"/check/i/{instrument.public_key}/")
    banner = phone.locator(".banner").inner_text()
    assert "检定不合格，已停用" in banner and "不得使用" in banner
    fits_the_phone(phone)
    screenshot(phone, "public-instrument-failed-phone")


def test_an_owner_ticks_instruments_and_prints_their_labels(page, bench):
    from pypdf import PdfReader

    from tests.conftest import PASSWORD

    from .conftest import log_in

    scale = bench.instruments[0]
    log_in(page, "owner_a", PASSWORD)
    page.goto(f"/instruments/{scale.pk}/")
    block = page.locator("#public-link")
    assert block.locator("svg").count() == 1
    assert block.locator("a").get_attribute("href").endswith(f"/check/i/{scale.public_key}/")
    screenshot(page, "owner-instrument-public-link")

    page.goto("/instruments/")
    for instrument in bench.instruments[:2]:
        page.check(f"input[name=ids][value='{instrument.pk}']")
    screenshot(page, "owner-list-labels")
    with page.expect_download() as download:
        page.click("#label-form button[type=submit]")
    reader = PdfReader(download.value.path())
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert all(i.serial_number in text for i in bench.instruments[:2])
    assert page.js_errors == []
