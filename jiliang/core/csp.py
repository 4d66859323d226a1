"""The Content-Security-Policy, with the one allowance ECharts needs on the pages that draw charts.

``settings.CONTENT_SECURITY_POLICY`` is the policy of every page. ECharts writes its tooltips as HTML with style
attributes whose values it computes (the series colour, the position), so no hash can list them: a page that loads
ECharts must allow inline style *attributes* (``style-src-attr 'unsafe-inline'``; never ``<style>`` elements and
never scripts). The allowance follows the script: any HTML page that loads ``vendor/echarts.min.js`` gets it, so a
new chart page cannot be forgotten, and a page without charts never has it.
"""

from __future__ import annotations

from functools import cache

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase
from django.templatetags.static import static

CHART_SCRIPT = "vendor/echarts.min.js"
CHART_ALLOWANCE = {"style-src-attr": [UNSAFE_INLINE]}


@cache
def _chart_script_url() -> bytes:
    return static(CHART_SCRIPT).encode()


def draws_charts(response: HttpResponseBase) -> bool:
    """Whether ``response`` is an HTML page that loads ECharts."""
    if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith("text/html"):
        return False
    return _chart_script_url() in response.content  # type: ignore[attr-defined]


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware, plus the chart allowance on chart pages (replacing the directive: a hash listed
    beside 'unsafe-inline' would make browsers ignore 'unsafe-inline')."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and draws_charts(response):
            parts.replace = {**(parts.replace or {}), **CHART_ALLOWANCE}
        return parts
