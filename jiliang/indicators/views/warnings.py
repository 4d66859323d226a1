"""Pages of the early-warning center (计量预警): the list with its tiles and filters, and its .xlsx export.

Thin: parse the filters, call :func:`jiliang.indicators.selectors.warnings.warnings_for` (which scopes every read),
render. A login is required (the default); a user without a role or organization gets an empty list.
"""

from __future__ import annotations

import tempfile

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core.selectors import counties_visible_to, scope_of
from jiliang.instruments.excel import neutralize

from ..forms.warnings import Filters, parse_filters
from ..selectors.warnings import WarningKind, WarningList, warnings_for

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _found(request: HttpRequest) -> tuple[Filters, WarningList]:
    filters = parse_filters(request.user, request.GET)
    return filters, warnings_for(request.user, county=filters.county, kind=filters.kind)


@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    filters, found = _found(request)
    scope = scope_of(request.user)
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    _filters, found = _found(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(neutralize(_("计量预警"))[:31])
    title = _("计量预警：截至 %(day)s，证书和资质按 %(days)s 天内到期计") % {
        "day": found.today.isoformat(),
        "days": found.days,
    }
    sheet.append([WriteOnlyCell(sheet, value=neutralize(title))])
    bold = Font(bold=True)
    header_cells = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=neutralize(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in found.rows:
        values = [
            row.kind_label,
            row.what,
            row.region,
            row.count,
            row.actor,
            row.actor_role,
            row.due,
            request.build_absolute_uri(row.url),
        ]
        sheet.append([neutralize(v) if isinstance(v, str) else v for v in values])
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    filename = _("计量预警-%(day)s.xlsx") % {"day": found.today.isoformat()}
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
