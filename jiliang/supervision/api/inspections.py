"""Inspections and rectification over HTTP: ``/api/v1/supervision/inspections`` and
``/api/v1/supervision/rectifications``, scoped like the pages (regulators their region and below; the inspected
organization its own submitted inspections and its orders; anyone else an empty list and 404 for an id), and the
ordered organization's reply (text; evidence files are uploaded on the reply page)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router

from jiliang.core import clock
from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import BODY_ERRORS, ERRORS, MAX_ID

from ..schemas.inspections import (
    InspectionDetailOut,
    InspectionListQuery,
    InspectionOut,
    InspectionPageOut,
    RectificationDetailOut,
    RectificationListQuery,
    RectificationOut,
    RectificationPageOut,
    ReplyIn,
)
from ..selectors import inspections as selectors
from ..services import inspections as services

router = Router(tags=["supervision"])


@router.get(
    "/supervision/inspections", response={200: InspectionPageOut, **ERRORS}, summary="现场检查列表 / list inspections"
)
def supervision_inspection_list(request: HttpRequest, query: Query[InspectionListQuery]):
    filters = selectors.InspectionFilters(
        status=query.status or "",
        result=query.result or "",
        campaign=query.campaign,
        task=query.task,
        county=query.county,
    )
    results = selectors.result_names()
    keys = selectors.inspection_keys(request.auth, filters)
    start = (query.page - 1) * query.page_size
    rows = selectors.inspection_rows(keys[start : start + query.page_size])
    return {
        "count": keys.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": [InspectionOut.from_row(row, results) for row in rows],
    }


@router.get(
    "/supervision/inspections/{inspection_id}",
    response={200: InspectionDetailOut, **ERRORS},
    summary="现场检查 / one inspection",
)
def supervision_inspection_detail(request: HttpRequest, inspection_id: int = Path(..., ge=1, le=MAX_ID)):
    inspection = selectors.inspection_get(request.auth, inspection_id)
    return InspectionDetailOut.from_inspection(inspection, selectors.result_names())


@router.get(
    "/supervision/rectifications",
    response={200: RectificationPageOut, **ERRORS},
    summary="责令改正列表 / list rectification orders",
)
def supervision_rectification_list(request: HttpRequest, query: Query[RectificationListQuery]):
    today = clock.today()
    filters = selectors.RectificationFilters(status=query.status or "", overdue=query.overdue, county=query.county)
    rows = selectors.rectification_list(request.auth, filters, today=today)
    return page_out(query, rows, lambda row: RectificationOut.from_row(row, selectors.is_overdue(row, today)))


@router.get(
    "/supervision/rectifications/{rectification_id}",
    response={200: RectificationDetailOut, **ERRORS},
    summary="责令改正 / one rectification order",
)
def supervision_rectification_detail(request: HttpRequest, rectification_id: int = Path(..., ge=1, le=MAX_ID)):
    rectification = selectors.rectification_get(request.auth, rectification_id)
    return RectificationDetailOut.from_rectification(rectification, selectors.is_overdue(rectification, clock.today()))


@router.post(
    "/supervision/rectifications/{rectification_id}/reply",
    response={200: RectificationDetailOut, **BODY_ERRORS},
    summary="回复整改情况 / the ordered organization's reply",
)
def supervision_rectification_reply(
    request: HttpRequest, payload: ReplyIn, rectification_id: int = Path(..., ge=1, le=MAX_ID)
):
    services.rectification_reply(actor=request.auth, rectification_id=rectification_id, reply=payload.reply)
    rectification = selectors.rectification_get(request.auth, rectification_id)
    return RectificationDetailOut.from_rectification(rectification, selectors.is_overdue(rectification, clock.today()))
