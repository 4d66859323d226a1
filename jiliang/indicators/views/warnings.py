"""Pages of the early-warning center (计量预警): the list with its tiles and filters, and its .xlsx export.

Thin: parse the filters, call :func:`jiliang.indicators.selectors.warnings.warnings_for` (which scopes every read),
render. A login is required (the default); a user without a role or organization gets an empty list.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core.selectors import counties_visible_to, scope_of
from jiliang.core.web.http import page_of
from jiliang.core.web.xlsx import attachment, write_sheet

from ..forms.warnings import Filters, parse_filters
from ..selectors.warnings import WarningKind, WarningList, warnings_for


def _found(request: HttpRequest) -> tuple[Filters, WarningList]:
    filters = parse_filters(request.user, request.GET)
    return filters, warnings_for(request.user, county=filters.county, kind=filters.kind)


@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    filters, found = _found(request)
    scope = scope_of(request.user)
    page = page_of(request, found.rows)
    query = filters.query()
    context = {
        "found": found,
        "page": page,
        "rows": page.object_list,
        "filters": filters,
        "query": query,
        "kinds": [(k, WarningKind(k).label) for k in found.kinds],
        "counties": list(counties_visible_to(request.user).order_by("code"))
        if scope.is_regulator or scope.is_admin
        else [],
        "export_url": reverse("warnings:export") + (f"?{query}" if query else ""),
    }
    return render(request, "indicators/warnings.html", context)


def headers() -> list[str]:
    return [_("预警类别"), _("事项"), _("县（区）"), _("数量"), _("责任单位"), _("责任类型"), _("日期"), _("链接")]


@require_GET
def warning_export(request: HttpRequest) -> HttpResponse:
    """The same rows as the page (every page of them) as an .xlsx; every text cell neutralised."""
    from openpyxl import Workbook

    _filters, found = _found(request)
    title = _("计量预警：截至 %(day)s，证书和资质按 %(days)s 天内到期计") % {
        "day": found.today.isoformat(),
        "days": found.days,
    }
    rows = (
        [
            row.kind_label,
            row.what,
            row.region,
            row.count,
            row.actor,
            row.actor_role,
            row.due,
            request.build_absolute_uri(row.url),
        ]
        for row in found.rows
    )
    workbook = Workbook(write_only=True)
    write_sheet(workbook, _("计量预警"), title=title, title_font=None, headers=headers(), rows=rows, freeze=False)
    return attachment(_("计量预警-%(day)s.xlsx") % {"day": found.today.isoformat()}, workbook.save)
