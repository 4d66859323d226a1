"""Playwright (Python, sync API) driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work on the city's machines, so the tests launch /usr/bin/chromium.
Without it they skip, except in CI (CI=true), where a missing browser is a failure.

Below the browser: ``log_in`` and ``screenshot``, and the data more than one browser test stages (``populate``,
``build_registry``, ``working_standard``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jiliang.indicators.selectors.plans import month_ends
from jiliang.indicators.services.plans import snapshot_days
from jiliang.standards.models import EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment
from tests.builders.standards import make_equipment, make_standard
from tests.factories import InstrumentFactory, OrganizationFactory, catalog_item

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's event loop lives in this thread, asgiref treats the thread as async and Django hands out
    # new connection objects; the database snapshot that serialized_rollback restores (the catalog the
    # migrations loaded) hangs on the old ones. Carry it over, or every browser test after the first finds an
    # empty catalog whenever the database was set up before the browser started.
    snapshot = {
        conn.alias: conn._test_serialized_contents
        for conn in connections.all()
        if hasattr(conn, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in snapshot.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", password)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert "/accounts/login/" not in page.url, page.locator(".form-errors").all_inner_texts()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ (gitignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ---- what the tests stage ----------------------------------------------------------------------------------------


def populate(city) -> None:
    """A few owners per county with instruments in every due state."""
    today = timezone.localdate()
    scale, dispenser = catalog_item("02"), catalog_item("08")
    ages = [30, 60, 120, 200, 300, 350, 355, 400, 500, None]
    for county, prefix, owners in ((city.county_a, "A", 3), (city.county_b, "B", 2)):
        for o in range(owners):
            owner = OrganizationFactory(name=f"{county.name}第{o + 1}农贸市场", region=county)
            for n, age in enumerate(ages):
                InstrumentFactory(
                    owner=owner,
                    serial_number=f"{prefix}{o}-{n:03d}",
                    catalog_item=scale if n % 2 else dispenser,
                    name="电子计价秤" if n % 2 else "燃油加油机",
                    last_verified_on=today - timedelta(days=age) if age is not None else None,
                )


def build_registry(city) -> None:
    """County A: 3 scales, 2 verified 100 days ago (covered), 1 verified 400 days ago (overdue on a 12-month
    interval). County B: 1 covered, 1 never verified. All registered two years ago, so the month-end snapshots
    of the last three months count them too."""
    today = timezone.localdate()
    registered = today - timedelta(days=730)
    for n, days in enumerate((100, 100, 400)):
        InstrumentFactory(
            owner=city.owner_a,
            serial_number=f"A-{n}",
            last_verified_on=today - timedelta(days=days),
            registered_on=registered,
        )
    InstrumentFactory(
        owner=city.owner_b, serial_number="B-0", last_verified_on=today - timedelta(days=100), registered_on=registered
    )
    InstrumentFactory(owner=city.owner_b, serial_number="B-1", last_verified_on=None, registered_on=registered)
    snapshot_days(month_ends(today, 3), city=city.city)


def working_standard(city, lab) -> Standard:
    """A city working standard: one weight set certified by the city's highest standard (itself traced to the
    provincial institute and NIM), one by the provincial institute, and a thermometer whose certificate has
    just expired (a broken link)."""
    today = lab.today
    standard = make_standard(
        city.institute, code="CS-010", level=Standard.Level.CITY, today=today, name="非自动衡器检定装置"
    )
    make_equipment(
        standard, name="M1等级砝码组", serial="M1-017", issuer=lab.city_standard, today=today, number="JL-2026-0317"
    )
    make_equipment(
        standard, name="F1等级砝码组", serial="F1-004", issuer=lab.province, today=today, number="ZL-2026-0451"
    )
    other = ExternalAuthority.objects.create(
        name="辽宁省计量测试技术研究院", level=ExternalAuthority.Level.PROVINCIAL, traces_to=lab.nim
    )
    thermometer = StandardEquipment.objects.create(
        standard=standard, name="温湿度计", model="TH-20", serial_number="TH-0093"
    )
    EquipmentCertificate.objects.create(
        equipment=thermometer,
        issuer_authority=other,
        number="RG-2025-1130",
        issued_on=today - timedelta(days=370),
        valid_until=today - timedelta(days=5),
        result="合格",
    )
    return standard
