"""Staff and qualifications over HTTP: ``/api/v1/people``, ``/api/v1/people/{id}``, ``/api/v1/qualifications``.

Scoped like the pages: admin everyone, a regulator its region's organizations, an institute its own staff, an owner
nobody (an empty list, 404 for an id). Personal data only to callers allowed to see it (``personal`` is null
otherwise).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Path, Query, Router

from jiliang.core import clock
from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import ERRORS, MAX_ID

from . import selectors
from .models import Qualification
from .schemas import (
    PersonListQuery,
    PersonOut,
    PersonPageOut,
    QualificationListQuery,
    QualificationOut,
    QualificationPageOut,
)

router = Router(tags=["people"])

_QUALIFICATIONS = Prefetch(
    "qualifications", queryset=Qualification.objects.prefetch_related("catalog_items", "procedures")
)


@router.get("/people", response={200: PersonPageOut, **ERRORS}, summary="人员列表 / list staff")
def person_list(request: HttpRequest, query: Query[PersonListQuery]):
    filters = selectors.PersonFilters(
        organization=query.organization,
        title=query.title or "",
        kind=query.kind or "",
        expiring_within=query.expiring_within,
        q=query.q or "",
    )
    qs = selectors.person_list(request.auth, filters).select_related("organization", "organization__region")
    return page_out(
        query,
        qs.prefetch_related(_QUALIFICATIONS),
        lambda p: PersonOut.from_person(p, personal=selectors.may_see_personal(request.auth, p)),
    )


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, summary="人员详情 / one member of staff")
def person_detail(request: HttpRequest, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = selectors.person_get(request.auth, person_id)
    person = type(person).objects.prefetch_related(_QUALIFICATIONS).select_related("organization").get(pk=person.pk)
    return PersonOut.from_person(person, personal=selectors.may_see_personal(request.auth, person))


@router.get(
    "/qualifications",
    response={200: QualificationPageOut, **ERRORS},
    summary="即将到期的资质 / qualifications expiring within N days",
)
def qualification_list(request: HttpRequest, query: Query[QualificationListQuery]):
    qs = selectors.qualification_list(
        request.auth, expiring_within=query.expiring_within, kind=query.kind or "", organization=query.organization
    )
    today = clock.today()

    def row(q: Qualification) -> dict:
        item = QualificationOut.from_qualification(q)
        item["person"] = {"id": q.person_id, "name": q.person.name}
        item["organization"] = {"id": q.person.organization_id, "name": q.person.organization.name}
        item["days_left"] = (q.valid_until - today).days
        return item

    return page_out(query, qs.prefetch_related("catalog_items", "procedures"), row)
