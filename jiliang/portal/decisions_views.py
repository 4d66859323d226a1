"""Public pages of penalty decisions (市场监督管理行政处罚信息公示规定, 总局令第45号), no login: /open/decisions/ lists
the decisions published and still shown (not withdrawn, and today on or before their last day), a decision's page
shows what the rule publishes, and /open/decisions/export.xlsx is the export for the national enterprise credit
publicity system (docs/supervision/decisions-export.md). A withdrawn or expired decision answers 404 exactly like a
missing one; staff still see it on the case's page.

Parties are organizations (the registry holds no individuals): their name and unified social credit code are
public by rule and shown whole. Were an individual ever a party, the page would have to mask the identity number
and address (总局令第45号); nothing here publishes either.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from jiliang.core import clock
from jiliang.core.web.http import page_of
from jiliang.core.web.xlsx import attachment, write_sheet
from jiliang.supervision.selectors import cases as supervision

from . import pages

FORMAT = "jiliang-decisions-export"
VERSION = 1
# The columns of the export, version 1 (docs/supervision/decisions-export.md): (header, key of the publication's body).
COLUMNS = [
    ("行政处罚决定书文号", "decision_number"),
    ("当事人名称", "party"),
    ("统一社会信用代码", "credit_code"),
    ("主要违法事实", "violation"),
    ("处罚依据", "bases"),
    ("处罚类别", "penalty"),
    ("处罚内容", "penalty_text"),
    ("罚款金额（元）", "fine"),
    ("没收金额（元）", "confiscated"),
    ("处罚机关", "bureau"),
    ("处罚决定日期", "decided_on"),
    ("公示截止日期", "visible_until"),
    ("案件编号", "case_number"),
]
EXPORT_MAX_ROWS = 100_000


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return pages.respond(request, render_to_string(template, {**context, **pages.SLOTS}))


@login_not_required
@require_safe
def decisions_index(request: HttpRequest) -> HttpResponse:
    page = page_of(request, supervision.public_decisions())
    return _page(request, "portal/decisions.html", {"page": page, "decisions": page.object_list})


@login_not_required
@require_safe
def decisions_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = supervision.public_decision_get(pk)
    return _page(request, "portal/decisions_detail.html", {"publication": publication, "body": publication.body})


def export_row(publication: Any) -> list[Any]:
    body = dict(publication.body)
    body["bases"] = "；".join(body.get("bases", []))
    body["penalty"] = supervision.penalty_label(body.get("penalty", ""))
    body["visible_until"] = publication.visible_until.isoformat() if publication.visible_until else ""
    return [body.get(key, "") for _header, key in COLUMNS]


@login_not_required
@require_safe
def decisions_export(request: HttpRequest) -> HttpResponse:
    """The published decisions as .xlsx: a title row naming the format and version, the header row, one row per
    decision (every cell neutralised by ``write_sheet``)."""
    rows = (export_row(p) for p in supervision.public_decisions()[:EXPORT_MAX_ROWS].iterator())
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "行政处罚信息",
        headers=[header for header, _key in COLUMNS],
        rows=rows,
        title=f"{FORMAT} 版本 {VERSION} · {clock.today().isoformat()}",
    )
    return attachment(f"行政处罚信息公示-{clock.today().isoformat()}.xlsx", workbook.save)
