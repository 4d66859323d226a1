"""Reverse traceability and the recall list (召回清单) of a standard: the page (the equipment certificates issued
with the standard in a date range, down the chain, and the instrument certificates issued with any suspect
standard, a page at a time) and its two Excel exports.

Thin views: parse the request, call :func:`jiliang.verification.selectors.recall.recall_for` (scoped: an
out-of-scope standard is a 404 like a missing one), render. Downstream certificates the reader may not see elsewhere
are shown as counts per issuing institute, never row by row (the rule: :mod:`jiliang.verification.selectors.recall`,
docs/recall.md). The addresses stay under /traceability/<id>/, beside the standard's chain.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.instruments.excel import neutralize
from jiliang.standards.models import Standard
from jiliang.standards.selectors.traceability import trace_standard_get

from ..formats.recall_xlsx import equipment_headers, equipment_values, recall_filename, write_recall_xlsx
from ..forms.recall import RangeForm
from ..selectors.recall import recall_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The page lists this many certificates; the Excel export has them all.
PAGE_ROWS = 500
# Instrument certificates of the recall list per page (the export has them all).
INSTRUMENT_PAGE_ROWS = 50


def _standard(request: HttpRequest, pk: int) -> Standard:
    try:
        return trace_standard_get(request.user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


def _range(request: HttpRequest) -> tuple[RangeForm, date, date, bool]:
    today = timezone.localdate()
    default_from = today - timedelta(days=365)
    form = RangeForm(request.GET or None, initial={"date_from": default_from, "date_to": today})
    if request.GET and form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"], True
    return form, default_from, today, not request.GET


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
def reverse_trace_page(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _standard(request, pk)
    form, date_from, date_to, ok = _range(request)
    query = f"date_from={date_from.isoformat()}&date_to={date_to.isoformat()}"
    context: dict[str, Any] = {
        "standard": standard,
        "form": form,
        "date_from": date_from,
        "date_to": date_to,
        "ok": ok,
        "certificates": [],
        "count": 0,
        "truncated": False,
        "page_rows": PAGE_ROWS,
        "instrument_rows": [],
        "instrument_count": 0,
        "listed_instrument_count": 0,
        "listed_count": 0,
        "others": [],
        "suspect_standards": 0,
        "export_url": reverse("recall:reverse_export", args=[standard.pk]) + "?" + query,
        "recall_export_url": reverse("recall:export", args=[standard.pk]) + "?" + query,
    }
    if ok:
        found = recall_for(request.user, standard.pk, date_from, date_to)
        pages = max(1, -(-found.listed_instrument_count // INSTRUMENT_PAGE_ROWS))
        page = min(_page_number(request), pages)
        base = reverse("recall:reverse", args=[standard.pk]) + "?" + query + "&page="
        context.update(
            certificates=found.equipment_certificates(limit=PAGE_ROWS),
            count=found.equipment_count,
            listed_count=found.listed_equipment_count,
            truncated=found.listed_equipment_count > PAGE_ROWS,
            instrument_rows=found.instrument_rows((page - 1) * INSTRUMENT_PAGE_ROWS, INSTRUMENT_PAGE_ROWS),
            instrument_count=found.instrument_count,
            listed_instrument_count=found.listed_instrument_count,
            others=found.others,
            suspect_standards=found.suspect_standard_count,
            page=page,
            pages=pages,
            previous_url=base + str(page - 1) if page > 1 else "",
            next_url=base + str(page + 1) if page < pages else "",
        )
    return render(request, "verification/recall/reverse.html", context)


@require_GET
def recall_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The recall list as .xlsx: instrument certificates and equipment certificates, one sheet each."""
    standard = _standard(request, pk)
    _form, date_from, date_to, ok = _range(request)
    if not ok:
        return HttpResponseBadRequest(_("日期范围无效"))
    found = recall_for(request.user, standard.pk, date_from, date_to)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    write_recall_xlsx(found, out, generated_at=timezone.localtime())
    out.seek(0)
    # FileResponse writes the non-ASCII name as filename*=utf-8''… (RFC 5987) beside an ASCII fallback.
    return FileResponse(out, as_attachment=True, filename=recall_filename(found), content_type=XLSX)


@require_GET
def reverse_trace_export(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _standard(request, pk)
    _form, date_from, date_to, ok = _range(request)
    if not ok:
        return HttpResponseBadRequest(_("日期范围无效"))
    found = recall_for(request.user, standard.pk, date_from, date_to, instruments=False)
    certificates = found.equipment_certificates()
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = neutralize(_("反向溯源"))[:31]
    title = _("%(standard)s 在 %(start)s 至 %(end)s 期间出具及向下传递的溯源证书（共 %(n)s 份）") % {
        "standard": str(standard),
        "start": date_from.isoformat(),
        "end": date_to.isoformat(),
        "n": found.equipment_count,
    }
    sheet.append([neutralize(title)])
    sheet["A1"].font = Font(bold=True, size=12)
    headers = equipment_headers()
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
    for c in certificates:
        sheet.append(equipment_values(c))
    for index, width in enumerate((18, 12, 12, 30, 20, 14, 26, 14, 24, 10), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"
    others = [o for o in found.others if o.equipment_count]
    if others:
        # Below the rows: the other institutes' certificates, counted (the reader may not see them row by row).
        sheet.append([])
        sheet.append([neutralize(_("其他机构出具的证书（仅计数）"))])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append([neutralize(_("检定机构")), neutralize(_("标准设备证书数"))])
        for o in others:
            sheet.append([neutralize(o.name), o.equipment_count])
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    name = _("反向溯源-%(code)s-%(date)s.xlsx") % {
        "code": standard.code,
        "date": timezone.localdate().strftime("%Y%m%d"),
    }
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
