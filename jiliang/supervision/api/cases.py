"""Penalty cases over HTTP: ``/api/v1/supervision/cases`` (list and one case with its clocks and documents) and the
acts open, file, notify, decide, serve and revoke. Scoped like the pages: the admin everything, a regulator its
region and below, the party its own case from the notice on (without the clocks or internal documents), anyone
else nothing (an empty list, 404 for an id); only the bureau handling a case acts on it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import BODY_ERRORS, ERRORS, MAX_ID

from ..models import Case
from ..schemas.cases import (
    CaseDecideIn,
    CaseFileIn,
    CaseListOut,
    CaseListQuery,
    CaseNotifyIn,
    CaseOpenIn,
    CaseOut,
    CasePageOut,
    CaseRevokeIn,
    CaseServeIn,
    DocumentOut,
)
from ..selectors import cases as selectors
from ..services import cases as services

router = Router(tags=["supervision"])


def _case_out(request: HttpRequest, case: Case) -> dict[str, Any]:
    party = selectors.is_party(request.auth, case)
    clocks = [] if party else selectors.case_clocks(case)
    return {
        **CaseListOut.from_case(case),
        "bureau": {"id": case.bureau_id, "name": case.bureau.name},
        "penalty": case.penalty,
        "fine": case.fine,
        "confiscated": case.confiscated,
        "notified_on": case.notified_on,
        "served_on": case.served_on,
        "paid_on": case.paid_on,
        "closed_on": case.closed_on,
        "clocks": [
            {
                **clock.__dict__,
                "pause_reasons": list(clock.pause_reasons),
                "provisional_years": list(clock.provisional_years),
            }
            for clock in clocks
        ],
        "documents": [DocumentOut.from_document(d) for d in selectors.documents_of(request.auth, case)],
    }


def _fresh(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _case_out(request, selectors.case_get(request.auth, case_id))


@router.get("/supervision/cases", response={200: CasePageOut, **ERRORS}, summary="行政处罚案件列表 / list cases")
def supervision_case_list(request: HttpRequest, query: Query[CaseListQuery]):
    rows = selectors.list_rows(request.auth, status=query.status or "", county=query.county, source=query.source or "")
    return page_out(query, rows, CaseListOut.from_case)


@router.get("/supervision/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="行政处罚案件 / one case")
def supervision_case_detail(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)):
    return _fresh(request, case_id)


@router.post("/supervision/cases", response={201: CaseOut, **BODY_ERRORS}, summary="登记案件线索 / register a clue")
def supervision_case_open(request: HttpRequest, payload: CaseOpenIn):
    case = services.case_open(actor=request.auth, **payload.dict())
    return 201, _fresh(request, case.pk)


@router.post(
    "/supervision/cases/{case_id}/file", response={200: CaseOut, **BODY_ERRORS}, summary="立案 / file the case"
)
def supervision_case_file(request: HttpRequest, payload: CaseFileIn, case_id: int = Path(..., ge=1, le=MAX_ID)):
    services.case_file(actor=request.auth, case_id=case_id, **payload.dict())
    return _fresh(request, case_id)


@router.post(
    "/supervision/cases/{case_id}/notify",
    response={200: CaseOut, **BODY_ERRORS},
    summary="告知拟作出的行政处罚 / notify the intended penalty",
)
def supervision_case_notify(request: HttpRequest, payload: CaseNotifyIn, case_id: int = Path(..., ge=1, le=MAX_ID)):
    services.case_notify(actor=request.auth, case_id=case_id, **payload.dict())
    return _fresh(request, case_id)


@router.post(
    "/supervision/cases/{case_id}/decide",
    response={200: CaseOut, **BODY_ERRORS},
    summary="作出行政处罚决定 / decide",
)
def supervision_case_decide(request: HttpRequest, payload: CaseDecideIn, case_id: int = Path(..., ge=1, le=MAX_ID)):
    services.case_decide(actor=request.auth, case_id=case_id, **payload.dict())
    return _fresh(request, case_id)


@router.post(
    "/supervision/cases/{case_id}/serve",
    response={200: CaseOut, **BODY_ERRORS},
    summary="送达处罚决定书 / serve the decision",
)
def supervision_case_serve(request: HttpRequest, payload: CaseServeIn, case_id: int = Path(..., ge=1, le=MAX_ID)):
    services.case_serve(actor=request.auth, case_id=case_id, **payload.dict())
    return _fresh(request, case_id)


@router.post(
    "/supervision/cases/{case_id}/revoke",
    response={200: CaseOut, **BODY_ERRORS},
    summary="撤销处罚决定 / revoke the decision",
)
def supervision_case_revoke(request: HttpRequest, payload: CaseRevokeIn, case_id: int = Path(..., ge=1, le=MAX_ID)):
    services.decision_revoke(actor=request.auth, case_id=case_id, reason=payload.reason)
    return _fresh(request, case_id)
