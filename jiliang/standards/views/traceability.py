"""Traceability pages: the chain of a standard up to the SI (a graph and a table of its links), and reverse
traceability (the certificates issued with a standard in a date range, down the chain), exportable to Excel.

Thin views: parse the request, call one selector in ``selectors.traceability`` or ``recall`` (scoped; an out-of-scope
standard is a 404 like a missing one), render. Downstream certificates the reader may not see elsewhere are shown
as counts per issuing institute, never row by row (the rule: :mod:`jiliang.standards.recall`, docs/recall.md).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.instruments.excel import neutralize

from .. import recall
from ..forms.traceability import DayForm
from ..models import Standard
from ..selectors import traceability as trace_selectors
from ..selectors.traceability import Graph, LinkState, link_state_labels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The page lists this many certificates; the Excel export has them all.
PAGE_ROWS = 500
# Instrument certificates of the recall list per page (the export has them all).
INSTRUMENT_PAGE_ROWS = 50

# Link colours (they match the badge colours in app.css).
STATE_COLORS = {
    LinkState.VALID: "#2e9d5b",
    LinkState.EXPIRING: "#f0a020",
    LinkState.EXPIRED: "#d64541",
    LinkState.NOT_YET_VALID: "#d64541",
    LinkState.MISSING: "#d64541",
    LinkState.STRUCTURAL: "#9aa5b1",
}
STATE_BADGES = {
    LinkState.VALID: "due-valid",
    LinkState.EXPIRING: "due-due_soon",
    LinkState.EXPIRED: "due-overdue",
    LinkState.NOT_YET_VALID: "due-overdue",
    LinkState.MISSING: "due-overdue",
    LinkState.STRUCTURAL: "due-na",
}


class RangeForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError(_("截止日期不能早于起始日期"))
        return data


def _standard(request: HttpRequest, pk: int) -> Standard:
    try:
        return trace_selectors.trace_standard_get(request.user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


# ---- The chain -------------------------------------------------------------------------------------------------


def _layout(graph: Graph) -> dict[str, tuple[float, int]]:
    """x (0..1) and level of every node: levels bottom (the standard) to top (SI); within a level, nodes sit
    under the average position of the nodes they connect to below, so lines cross as little as possible."""
    by_level: dict[int, list[str]] = {}
    for key, node in graph.nodes.items():
        by_level.setdefault(node.level, []).append(key)
    below: dict[str, list[str]] = {}
    for e in graph.edges:
        if not e.target:
            continue
        lower, upper = (e.target, e.source) if e.kind == "part" else (e.source, e.target)
        below.setdefault(upper, []).append(lower)
    x: dict[str, float] = {}
    for level in sorted(by_level):
        keys = by_level[level]

        def anchor(key: str) -> float:
            xs = [x[k] for k in below.get(key, []) if k in x]
            return sum(xs) / len(xs) if xs else 0.5

        keys.sort(key=lambda k: (anchor(k), k))
        for index, key in enumerate(keys):
            x[key] = (index + 1) / (len(keys) + 1)
    return {key: (x[key], graph.nodes[key].level) for key in graph.nodes}


def _chart(graph: Graph, visible: set[int]) -> dict[str, Any]:
    labels = link_state_labels()
    kind_labels = {
        "standard": _("计量标准"),
        "equipment": _("标准设备"),
        "authority": _("外部溯源机构"),
        "si": _("国际单位制（SI）"),
    }
    positions = _layout(graph)
    nodes = []
    for key, node in graph.nodes.items():
        x, level = positions[key]
        url = ""
        if node.kind == "standard" and node.obj_id in visible and key != graph.root:
            url = reverse("trace:chain", args=[node.obj_id])
        nodes.append(
            {
                "id": key,
                "kind": node.kind,
                "kind_label": kind_labels[node.kind],
                "name": node.label,
                "detail": node.detail if node.kind != "authority" else "",
                "x": x,
                "level": level,
                "root": key == graph.root,
                "valid": node.valid,
                "reasons": node.reasons,
                "url": url,
            }
        )
    links = []
    for e in graph.edges:
        if not e.target:
            continue
        links.append(
            {
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "state": e.state,
                "state_label": labels[e.state],
                "color": STATE_COLORS[e.state],
                "broken": e.broken,
                "number": e.number,
                "issued_on": e.issued_on.isoformat() if e.issued_on else "",
                "valid_until": e.valid_until.isoformat() if e.valid_until else "",
            }
        )
    legend = [
        {"state": s, "label": labels[s], "color": STATE_COLORS[s]}
        for s in (LinkState.VALID, LinkState.EXPIRING, LinkState.EXPIRED, LinkState.STRUCTURAL)
    ]
    return {
        "nodes": nodes,
        "links": links,
        "levels": graph.top_level + 1,
        "legend": legend,
        "text": {
            "certificate": _("证书编号"),
            "issued_on": _("发证日期"),
            "valid_until": _("有效期至"),
            "valid": _("有效"),
            "invalid": _("无效"),
            "broken": _("断链"),
        },
    }


def _rows(graph: Graph) -> list[dict[str, Any]]:
    """The certificate links as table rows, from the standard asked about upward."""
    labels = link_state_labels()
    owner = {e.source: e.target for e in graph.edges if e.kind == "part"}
    rows = []
    for e in sorted(graph.certificate_edges, key=lambda e: (graph.nodes[e.source].level, e.source)):
        equipment = graph.nodes[e.source]
        standard = graph.nodes[owner[e.source]]
        issuer = graph.nodes.get(e.target)
        rows.append(
            {
                "level": equipment.level // 2 + 1,
                "standard": standard,
                "equipment": equipment,
                "issuer": issuer,
                "edge": e,
                "state_label": labels[e.state],
                "badge": STATE_BADGES[e.state],
                "loop": (e.source, e.target) in graph.cycles,
            }
        )
    return rows


@require_GET
def chain(request: HttpRequest, pk: int) -> HttpResponse:
    form = DayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    try:
        standard, graph = trace_selectors.standard_chain(request.user, pk, day)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    ids = {n.obj_id for n in graph.nodes.values() if n.kind == "standard" and n.obj_id is not None}
    visible = trace_selectors.visible_standard_ids(request.user, ids)
    root = graph.nodes[graph.root]
    context = {
        "standard": standard,
        "graph": graph,
        "root": root,
        "day": day,
        "form": form,
        "chart": _chart(graph, visible),
        "rows": _rows(graph),
        "standards": sorted(
            (n for n in graph.nodes.values() if n.kind == "standard"), key=lambda n: (n.level, n.label)
        ),
        "broken_count": len(graph.broken_edges),
        "legend": _chart_legend(),
    }
    return render(request, "standards/trace_chain.html", context)


def _chart_legend() -> list[dict[str, str]]:
    labels = link_state_labels()
    return [
        {"label": labels[s], "color": STATE_COLORS[s], "state": s}
        for s in (LinkState.VALID, LinkState.EXPIRING, LinkState.EXPIRED, LinkState.STRUCTURAL)
    ]


# ---- Reverse traceability --------------------------------------------------------------------------------------


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
        "export_url": reverse("trace:reverse_export", args=[standard.pk]) + "?" + query,
        "recall_export_url": reverse("trace:recall_export", args=[standard.pk]) + "?" + query,
    }
    if ok:
        found = recall.recall_for(request.user, standard.pk, date_from, date_to)
        pages = max(1, -(-found.listed_instrument_count // INSTRUMENT_PAGE_ROWS))
        page = min(_page_number(request), pages)
        base = reverse("trace:reverse", args=[standard.pk]) + "?" + query + "&page="
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
    return render(request, "standards/trace_reverse.html", context)


@require_GET
def recall_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The recall list as .xlsx: instrument certificates and equipment certificates, one sheet each."""
    standard = _standard(request, pk)
    _form, date_from, date_to, ok = _range(request)
    if not ok:
        return HttpResponseBadRequest(_("日期范围无效"))
    found = recall.recall_for(request.user, standard.pk, date_from, date_to)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    recall.write_recall_xlsx(found, out, generated_at=timezone.localtime())
    out.seek(0)
    # FileResponse writes the non-ASCII name as filename*=utf-8''… (RFC 5987) beside an ASCII fallback.
    return FileResponse(out, as_attachment=True, filename=recall.recall_filename(found), content_type=XLSX)


@require_GET
def reverse_trace_export(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _standard(request, pk)
    _form, date_from, date_to, ok = _range(request)
    if not ok:
        return HttpResponseBadRequest(_("日期范围无效"))
    found = recall.recall_for(request.user, standard.pk, date_from, date_to, instruments=False)
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
    headers = recall.equipment_headers()
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
    for c in certificates:
        sheet.append(recall.equipment_values(c))
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
