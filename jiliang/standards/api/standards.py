"""Measurement standards and authorizations over HTTP: ``/api/v1/standards``, ``/api/v1/standards/{id}``,
``/api/v1/authorizations``. Read-only; scoped like the pages (admin all, a regulator its region and below, an
institute its own, an owner nothing: an empty list, 404 for an id). Validity comes from the one validity function.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Path, Query, Router

from jiliang.catalog.schemas import CatalogItemRefOut
from jiliang.core import clock
from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import ERRORS, MAX_ID, IsoDate, RefOut, by_name

from ..models import Standard
from ..schemas.standards import (
    AuthorizationListQuery,
    AuthorizationOut,
    AuthorizationPageOut,
    EquipmentOut,
    StandardDetailOut,
    StandardListQuery,
    StandardOut,
    StandardPageOut,
    ValidityOut,
)
from ..selectors import standards as selectors
from ..selectors.standards import explain, standard_validity, with_validity_data

router = Router(tags=["standards"])


def _fields(standard: Standard, day: date) -> dict:
    verdict = standard_validity(standard, day)
    return by_name(
        StandardOut,
        standard,
        holder=RefOut(id=standard.holder_id, name=standard.holder.name),
        region=RefOut(id=standard.holder.region_id, name=standard.holder.region.name),
        validity=ValidityOut(
            on=day, valid=verdict.valid, reasons=[r.code for r in verdict.reasons], messages=explain(verdict)
        ),
    )


@router.get("/standards", response={200: StandardPageOut, **ERRORS}, summary="计量标准列表 / list standards")
def standard_list(request: HttpRequest, query: Query[StandardListQuery]):
    day = query.valid_on or clock.today()
    filters = selectors.StandardFilters(
        holder=query.holder,
        level=query.level or "",
        is_public=query.is_public,
        is_highest=query.is_highest,
        status=query.status or "",
        valid=query.valid,
        valid_on=day,
        reassessment_due=query.reassessment_due,
        q=(query.q or "").strip(),
    )
    qs = selectors.standard_list(request.auth, filters)
    return page_out(query, with_validity_data(qs.select_related("holder", "holder__region")), lambda s: _fields(s, day))


@router.get(
    "/standards/{standard_id}", response={200: StandardDetailOut, **ERRORS}, summary="计量标准详情 / one standard"
)
def standard_detail(
    request: HttpRequest, standard_id: int = Path(..., ge=1, le=MAX_ID), valid_on: IsoDate | None = None
):
    day = valid_on or clock.today()
    standard = selectors.standard_get(request.auth, standard_id)
    return StandardDetailOut(
        **_fields(standard, day),
        catalog_items=[CatalogItemRefOut.model_validate(i) for i in standard.catalog_items.all()],
        procedures=[p.code for p in standard.procedures.all()],
        equipment=[EquipmentOut.from_equipment(e, day) for e in selectors.equipment_of(standard)],
    )


@router.get(
    "/authorizations", response={200: AuthorizationPageOut, **ERRORS}, summary="计量授权列表 / list authorizations"
)
def authorization_list(request: HttpRequest, query: Query[AuthorizationListQuery]):
    today = clock.today()
    qs = selectors.authorizations_visible_to(request.auth)
    if query.institute:
        qs = qs.filter(institute_id=query.institute)
    if query.in_force_on:
        qs = qs.filter(selectors.authorization_in_force_q(query.in_force_on))
    qs = qs.order_by("institute__name", "-valid_until", "id")
    return page_out(
        query,
        qs.select_related("institute", "issued_by").prefetch_related("catalog_items"),
        lambda a: AuthorizationOut.from_authorization(a, today, selectors.authorization_in_force(a, today)),
    )
