"""The home page, one per role: the regulator's due-state dashboard by county with the early-warning tiles, the
owner's own instruments (overdue and due soon), the institute's work queue and its warning tiles.

The figures are read through the selectors of the app that owns the records (``instruments.selectors``, scoped by
role and region; the warnings through ``selectors.warnings``), so a home page shows exactly what the pages behind
its links show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core import clock
from jiliang.core.selectors import counties_visible_to, regions_visible_to, scope_of
from jiliang.instruments.models import FAILED, Instrument
from jiliang.instruments.selectors import (
    InstrumentFilters,
    due_state_counts_by_region,
    instrument_list,
    instruments_visible_to,
    owner_due_counts,
)
from jiliang.metrology import coverage
from jiliang.verification.models import ServiceRequest
from jiliang.verification.selectors.queue import work_queue

from ..selectors.home import due_state_counts_by_owner_category
from ..selectors.warnings import tiles, warning_counts

DueState = Instrument.DueState
Status = ServiceRequest.Status

# The four states a regulator counts, in the order of the chart's stack, with the chart colours (they match
# the badge colours in app.css).
COUNTED_STATES = (
    (DueState.VALID, "#2e9d5b"),
    (DueState.DUE_SOON, "#f0a020"),
    (DueState.OVERDUE, "#d64541"),
    (DueState.NEVER, "#9aa5b1"),
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.is_owner:
        return _owner_home(request)
    if scope.is_regulator or scope.is_admin:
        return _regulator_home(request)
    return _institute_home(request)


def _warning_tiles(request: HttpRequest) -> dict[str, Any]:
    """The early-warning counts as tiles (cheap: the due tally and a few aggregates, see selectors.warnings)."""
    counts = warning_counts(request.user)
    return {"warning_tiles": tiles(counts), "warning_total": counts["total"]}


def _institute_home(request: HttpRequest) -> HttpResponse:
    """The work queue (``verification.selectors.queue``): the institute's part, the person's part when the login is
    linked to a person of the institute; the lists' "more" links go to the requests inbox with its filters."""
    inbox = reverse("requests:list")
    context = {
        "queue": work_queue(request.user),
        "now_date": clock.today(),
        "more": {
            "to_accept": f"{inbox}?status={Status.SUBMITTED}",
            "to_schedule": f"{inbox}?status={Status.ACCEPTED}",
            "scheduled": f"{inbox}?status={Status.SCHEDULED}",
            "in_work": f"{inbox}?status={Status.IN_WORK}",
            "late": f"{inbox}?late=1",
        },
        **_warning_tiles(request),
    }
    return render(request, "indicators/home/institute.html", context)


@dataclass
class CountyRow:
    id: int
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[tuple[str, str, int]]:
        return [(state.value, str(state.label), self.counts[state.value]) for state, _color in COUNTED_STATES]

    @property
    def coverage(self) -> Decimal | None:
        """Share of in-use mandatory instruments with a valid verification today (the one coverage rule)."""
        return coverage.coverage(self.counts)


def _regulator_home(request: HttpRequest) -> HttpResponse:
    grouped = due_state_counts_by_region(request.user)
    by_region = {row["region"]: row for row in grouped}
    names = dict(regions_visible_to(request.user).values_list("id", "name"))
    county_ids = list(counties_visible_to(request.user).order_by("code").values_list("id", flat=True))
    # Every county in scope gets a row, even an empty one; instruments registered at a higher level (an owner
    # seated at the city itself) get rows of their own after the counties.
    order = county_ids + sorted(set(by_region) - set(county_ids), key=lambda rid: names.get(rid, ""))
    rows = [
        CountyRow(
            id=rid,
            name=names.get(rid, str(rid)),
            counts={state.value: by_region.get(rid, {}).get(state.value, 0) for state, _color in COUNTED_STATES},
        )
        for rid in order
    ]
    totals = CountyRow(
        id=0,
        name=_("合计"),
        counts={state.value: sum(r.counts[state.value] for r in rows) for state, _color in COUNTED_STATES},
    )
    list_url = reverse("instruments:list")
    chart_rows = [{"id": r.id, "name": r.name, "counts": r.counts} for r in rows]
    # A county bureau's scope is one county, one bar: its chart splits the county by owner category instead (no
    # region level lies below the county). A bar still opens the county's list in the state clicked.
    by_category = scope_of(request.user).is_regulator and len(county_ids) <= 1
    if by_category:
        chart_rows = [
            {"id": county_ids[0] if county_ids else 0, "name": group["label"], "counts": group["counts"]}
            for group in due_state_counts_by_owner_category(request.user)
        ]
    chart = {
        "list_url": list_url,
        "y_label": _("台（件）"),
        "states": [{"key": s.value, "label": str(s.label), "color": c} for s, c in COUNTED_STATES],
        "rows": chart_rows,
    }
    context = {
        "by_category": by_category,
        "rows": rows,
        "totals": totals,
        "states": [s for s, _color in COUNTED_STATES],
        "chart": chart,
        "list_url": list_url,
        "now_date": clock.today(),
        "due_soon_days": settings.JILIANG_DUE_SOON_DAYS,
        **_warning_tiles(request),
    }
    return render(request, "indicators/home/regulator.html", context)


def _owner_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    counts = owner_due_counts(user)
    overdue = (
        instrument_list(user, InstrumentFilters(due_state=DueState.OVERDUE))
        .select_related("catalog_item")
        .order_by("due_on", "id")[:10]
    )
    due_soon = (
        instrument_list(user, InstrumentFilters(due_state=DueState.DUE_SOON))
        .select_related("catalog_item")
        .order_by("due_on", "id")[:10]
    )
    # Stopped as failed: out of the due-state counts (not in use), listed apart until a pass or scrapping.
    failed_qs = instrument_list(user, InstrumentFilters(status=FAILED)).select_related("failure_notice")
    failed = list(failed_qs.order_by("stopped_on", "id")[:10])
    mine = CountyRow(id=0, name="", counts={s.value: counts.get(s.value) or 0 for s, _color in COUNTED_STATES})
    context = {
        "cells": mine.cells,
        "mandatory_total": mine.total,
        "registered_total": instruments_visible_to(user).count(),
        "overdue": list(overdue),
        "due_soon": list(due_soon),
        "failed": failed,
        "failed_total": len(failed) if len(failed) < 10 else failed_qs.count(),
        "failed_url": reverse("instruments:list") + "?status=" + FAILED,
        "overdue_title": _("已超期"),
        "overdue_empty": _("没有超期未检的器具"),
        "due_soon_title": _("%(days)s 天内到期") % {"days": settings.JILIANG_DUE_SOON_DAYS},
        "due_soon_empty": _("近期没有到期的器具"),
        "list_url": reverse("instruments:list"),
        "now_date": clock.today(),
    }
    return render(request, "indicators/home/owner.html", context)
