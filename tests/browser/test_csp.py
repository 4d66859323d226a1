"""The Content-Security-Policy in a real browser: every key page, HTMX and the ECharts charts (tooltips included)
work under it, with no policy violation and no console message.

Each page is visited as its users see it, and saved at desktop and phone width (artifacts/screenshots/csp-*.png).
Violations are caught by a ``securitypolicyviolation`` listener installed before any script of the page runs; the
console is watched as well, because Chromium also reports a blocked inline style or script there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from jiliang.core.models import Organization
from tests.builders.standards import build_small_city
from tests.builders.verification import issue_certificate
from tests.conftest import PASSWORD

from .conftest import build_registry, log_in, populate, screenshot, working_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1440, "height": 900}
Category = Organization.Category
PHONE = {"width": 390, "height": 844}
REPORT_VIOLATION = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCspViolation({
  page: location.pathname + location.search,
  directive: e.effectiveDirective,
  blocked: e.blockedURI,
  source: e.sourceFile + ":" + e.lineNumber,
  sample: e.sample,
}));
"""


@dataclass
class Watch:
    violations: list[dict] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    without_policy: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        # One line per distinct problem, so that a failure says what to fix and where.
        problems = sorted(
            {
                f"{v['page']}: {v['directive']} blocked {v['blocked']} at {v['source']} {v['sample']!r}"
                for v in self.violations
            }
        )
        problems += self.console + [f"no policy header: {url}" for url in self.without_policy]
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def watch(page) -> Watch:
    watch = Watch()
    page.context.expose_function("reportCspViolation", lambda violation: watch.violations.append(violation))
    page.context.add_init_script(REPORT_VIOLATION)
    page.on("console", lambda message: watch.console.append(f"{message.type}: {message.text} ({page.url})"))

    def on_response(response) -> None:
        if response.request.resource_type == "document" and "content-security-policy" not in response.headers:
            watch.without_policy.append(response.url)

    page.on("response", on_response)
    return watch


def shoot(page, name: str) -> None:
    """Desktop and phone width; the charts redraw on resize, under the policy too."""
    screenshot(page, f"csp-{name}")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot(page, f"csp-{name}-phone")
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(300)


def hover_chart(page, selector: str) -> None:
    """Show the chart's tooltip (ECharts writes it as HTML): move over the middle of its canvas and wait."""
    canvas = page.locator(f"{selector} canvas").first
    canvas.scroll_into_view_if_needed()  # the tiles above it may push it below the window
    box = canvas.bounding_box()
    assert box is not None
    for fraction in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(250)


def test_every_role_home_and_the_charts_there_run_under_the_policy(page, watch, city):
    populate(city)
    for username, name in (
        ("city_reg", "home-city-regulator"),
        ("county_reg_a", "home-county-regulator"),
        ("institute", "home-institute"),
        ("owner_a", "home-owner"),
        ("admin", "home-admin"),
    ):
        page.context.clear_cookies()
        log_in(page, username, PASSWORD)
        if username in {"city_reg", "county_reg_a"}:
            page.wait_for_selector("#due-by-county-chart[data-ready=true] canvas")
            hover_chart(page, "#due-by-county-chart")
            # The tooltip (HTML with computed style attributes) names the bar under the pointer: a county for the
            # city bureau, an owner category within its county for a county bureau.
            bars = "[甲乙]县" if username == "city_reg" else "|".join(re.escape(str(c)) for c in Category.labels)
            tooltip = page.locator("#due-by-county-chart > div").filter(has_text=re.compile(bars))
            assert tooltip.count() == 1 and tooltip.is_visible()
        shoot(page, name)
    assert page.js_errors == []
    watch.assert_clean()


def test_the_instrument_list_filters_through_htmx_under_the_policy(page, watch, city):
    populate(city)
    log_in(page, "city_reg", PASSWORD)
    page.goto("/instruments/")
    page.select_option("#f-county", str(city.county_a.pk))
    page.wait_for_url(f"**/instruments/?*county={city.county_a.pk}*")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#instrument-table tbody tr')].every(r => r.innerText.includes('甲县'))"
    )
    # htmx was told not to add its indicator <style> (the policy would refuse it): the head has none.
    assert page.evaluate("document.head.querySelectorAll('style').length") == 0
    shoot(page, "instrument-list-filtered")
    assert page.js_errors == []
    watch.assert_clean()


def test_the_plan_dashboard_coverage_and_traceability_charts_run_under_the_policy(page, watch, city, lab):
    build_registry(city)
    build_small_city(city)
    standard = working_standard(city, lab)
    log_in(page, "city_reg", PASSWORD)

    page.goto("/plans/yanan-2021/")
    selector = "[data-chart='indicator-trend'][data-code='coverage'][data-ready=true]"
    page.wait_for_selector(f"{selector} canvas")
    hover_chart(page, selector)
    shoot(page, "plan-dashboard")

    page.goto("/plans/yanan-2021/coverage/")
    page.wait_for_selector("[data-chart='indicator-counties'][data-ready=true] canvas")
    hover_chart(page, "[data-chart='indicator-counties']")
    shoot(page, "plan-indicator")

    page.goto("/coverage/")
    page.wait_for_selector("[data-chart='coverage-by-county'][data-ready=true] canvas")
    hover_chart(page, "[data-chart='coverage-by-county']")
    shoot(page, "coverage")

    page.goto(f"/traceability/{standard.pk}/")
    page.wait_for_selector("#trace-chain-chart[data-ready=true] canvas")
    hover_chart(page, "#trace-chain-chart")
    # The legend keeps the chart's colours (SVG attributes now, no style attribute).
    assert page.locator(".trace-legend svg.swatch line").first.get_attribute("stroke").startswith("#")
    shoot(page, "traceability")
    assert page.js_errors == []
    watch.assert_clean()


def test_the_public_check_and_disclosure_pages_run_under_the_policy(page, watch, bench):
    certificate = issue_certificate(bench)
    page.goto(f"/check/c/{certificate.token}/")
    assert "数字签名有效" in page.content()
    shoot(page, "public-check-qr")
    page.goto(f"/check/?number={certificate.number}")
    assert certificate.number in page.content()
    shoot(page, "public-check-number")
    page.goto("/open/")
    shoot(page, "public-disclosure")
    assert page.goto("/no-such-page/").status == 404
    # Chromium reports the 404 of the document itself; that one is expected, nothing else.
    assert watch.console == [
        f"error: Failed to load resource: the server responded with a status of 404 (Not Found) ({page.url})"
    ]
    watch.console.clear()
    shoot(page, "not-found")
    assert page.js_errors == []
    watch.assert_clean()


def test_the_admin_runs_under_the_policy(page, watch, city):
    log_in(page, "admin", PASSWORD)
    page.goto("/admin/")
    shoot(page, "admin-index")
    page.goto("/admin/core/user/")
    page.goto(f"/admin/core/user/{city.owner_a_user.pk}/change/")
    shoot(page, "admin-user-change")
    page.goto("/admin/catalog/catalogitem/")
    page.locator("#result_list tbody tr a").first.click()
    page.wait_for_url("**/change/")
    page.goto(page.url.replace("/change/", "/history/"))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    shoot(page, "api-docs")
    assert page.js_errors == []
    watch.assert_clean()
