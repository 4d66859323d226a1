"""Reverse traceability and the recall list (召回清单) of a standard: the page (the equipment certificates issued
with the standard in a date range, down the chain, and the instrument certificates issued with any suspect
standard, a page at a time) and its two Excel exports.

Thin views: parse the request, call :func:`jiliang.verification.selectors.recall.recall_for` (scoped: an
out-of-scope standard is a 404 like a missing one), render. Downstream certificates the reader may not see elsewhere
are shown as counts per issuing institute, never row by row (the rule: :mod:`jiliang.verification.selectors.recall`,
docs/recall.md). The addresses stay under /traceability/<id>/, beside the standard's chain.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core import clock
from jiliang.core.web.xlsx import attachment
from jiliang.standards.models import Standard
from jiliang.standards.selectors.traceability import trace_standard_get

from ..formats.recall_xlsx import recall_filename, write_recall_xlsx, write_reverse_trace_xlsx
from ..forms.recall import RangeForm
from ..selectors.recall import Recall, recall_for

# The page lists this many certificates; the Excel export has them all.
PAGE_ROWS = 500
# Instrument certificates of the recall list per page (the export has them all).
INSTRUMENT_PAGE_ROWS = 50


def _standard(request: HttpRequest, pk: int) -> Standard:
    return trace_standard_get(request.user, pk)


def _range(request: HttpRequest) -> tuple[RangeForm, date, date, bool]:
    today = clock.today()
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


def _export_recall(request: HttpRequest, pk: int, *, instruments: bool = True) -> Recall | None:
    """What an export lists: the standard's recall over the range asked for; None when the range is invalid."""
    standard = _standard(request, pk)
    _form, date_from, date_to, ok = _range(request)
    if not ok:
        return None
    return recall_for(request.user, standard.pk, date_from, date_to, instruments=instruments)


@require_GET
def recall_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The recall list as .xlsx: instrument certificates and equipment certificates, one sheet each."""
    found = _export_recall(request, pk)
    if found is None:
        return HttpResponseBadRequest(_("日期范围无效"))
    generated_at = timezone.localtime(clock.now())
    return attachment(recall_filename(found), lambda out: write_recall_xlsx(found, out, generated_at=generated_at))


@require_GET
def reverse_trace_export(request: HttpRequest, pk: int) -> HttpResponse:
    found = _export_recall(request, pk, instruments=False)
    if found is None:
        return HttpResponseBadRequest(_("日期范围无效"))
    certificates = found.equipment_certificates()
    others = [o for o in found.others if o.equipment_count]
    name = _("反向溯源-%(code)s-%(date)s.xlsx") % {
        "code": found.standard.code,
        "date": clock.today().strftime("%Y%m%d"),
    }
    return attachment(name, lambda out: write_reverse_trace_xlsx(found, out, certificates=certificates, others=others))
