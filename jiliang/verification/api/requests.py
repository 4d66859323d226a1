"""The one window over HTTP: ``/api/v1/requests``. Thin: parse, call one selector or service, serialize.

404 for a request that is missing or outside the caller's scope; 403 when the caller sees the request but its role
may not take the action (a regulator accepting, an owner completing); 409 when the request's state does not allow
the action (or an instrument is already in an open request); 422 for invalid input.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import ERRORS, MAX_ID, ErrorOut

from ..schemas.requests import ActionCode, ActionIn, RequestIn, RequestListQuery, RequestOut, RequestPageOut
from ..selectors import requests as selectors
from ..services import requests as services

router = Router(tags=["requests"])

BODY_ERRORS = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, **ERRORS}


def _forbidden(exc: selectors.NotAllowed):
    return Status(403, {"detail": exc.message, "errors": [{"field": f, "message": m} for f, m in exc.errors]})


@router.get("/requests", response={200: RequestPageOut, **ERRORS}, summary="检定申请列表 / list service requests")
def request_list(request: HttpRequest, query: Query[RequestListQuery]):
    filters = selectors.RequestFilters(
        status=query.status or "", late=query.late, county=query.county, q=(query.q or "").strip()
    )
    qs = selectors.request_list(request.auth, filters)
    return page_out(query, qs, RequestOut.of)


@router.post("/requests", response={201: RequestOut, **BODY_ERRORS}, summary="申请检定/校准 / submit a request")
def request_create(request: HttpRequest, payload: RequestIn):
    try:
        created = services.request_submit(actor=request.auth, **payload.model_dump())
    except selectors.NotAllowed as exc:
        return _forbidden(exc)
    return Status(201, RequestOut.of(selectors.request_get(request.auth, created.pk), detail=True))


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS}, summary="检定申请详情")
def request_detail(request: HttpRequest, request_id: int = Path(..., ge=1, le=MAX_ID)):
    return RequestOut.of(selectors.request_get(request.auth, request_id), detail=True)


def _arguments(action: str, payload: ActionIn) -> dict:
    if action in {"reject", "return", "withdraw"}:
        return {"reason": payload.reason}
    if action == "schedule":
        return {"scheduled_on": payload.scheduled_on, "note": payload.note or ""}
    if action in {"accept", "complete"}:
        return {"note": payload.note or ""}
    if action == "resubmit":
        names = ("note", "contact", "phone", "preferred_from", "preferred_to", "instrument_ids")
        return {name: getattr(payload, name) for name in names if name in payload.model_fields_set}
    return {}


@router.post(
    "/requests/{request_id}/{action}",
    response={200: RequestOut, **BODY_ERRORS},
    summary="办理检定申请 / act on a request",
    description=(
        "action: accept 受理, reject 不予受理 (reason), return 退回补正 (reason), resubmit 重新提交, withdraw 撤回,"
        " schedule 排期 (scheduled_on), start 开始检定, complete 办结. The body may be {}."
    ),
)
def request_action(
    request: HttpRequest, action: ActionCode, payload: ActionIn, request_id: int = Path(..., ge=1, le=MAX_ID)
):
    try:
        services.ACTIONS[action](actor=request.auth, request_id=request_id, **_arguments(action, payload))
    except selectors.NotAllowed as exc:
        return _forbidden(exc)
    return RequestOut.of(selectors.request_get(request.auth, request_id), detail=True)
