"""建标覆盖率 over HTTP: ``GET /api/v1/coverage`` and ``GET /api/v1/coverage/gaps``.

Regulators (a county bureau gets its county only) and the admin; anyone else gets 404, as for a missing page.
``date`` (YYYY-MM-DD, default today) is the day on which the standards' validity is decided. The definition and
what "in the region" means are in :mod:`jiliang.standards.selectors.coverage`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from jiliang.core import clock
from jiliang.core.web.schemas import ERRORS

from ..schemas.coverage import CoverageOut, CoverageQuery, GapOut, GapRegionOut, GapsOut, RegionCoverageOut
from ..selectors.coverage import CoverageReport, coverage_for

router = Router(tags=["coverage"])


def _reports(request: HttpRequest, query: CoverageQuery) -> list[CoverageReport]:
    reports = coverage_for(request.auth, day=query.date or clock.today())
    if reports is None:
        raise Http404
    return reports


@router.get("/coverage", response={200: list[CoverageOut], **ERRORS}, summary="建标覆盖率 / standard coverage")
def coverage(request: HttpRequest, query: Query[CoverageQuery]):
    return [
        CoverageOut(
            date=r.day,
            region=RegionCoverageOut.of(r.root),
            counties=[RegionCoverageOut.of(c) for c in r.counties],
            valid_public_standards=r.valid_public_standards,
        )
        for r in _reports(request, query)
    ]


@router.get("/coverage/gaps", response={200: list[GapsOut], **ERRORS}, summary="建标缺项清单 / coverage gaps")
def coverage_gaps(request: HttpRequest, query: Query[CoverageQuery]):
    return [
        GapsOut(
            date=r.day,
            region_id=r.root.region.pk,
            region=r.root.region.name,
            gaps=[
                GapOut(
                    id=g.item.pk,
                    code=g.item.code,
                    item=g.item.item,
                    kind=g.item.kind,
                    instruments=g.instruments,
                    nowhere_in_city=g.nowhere_in_city,
                    regions=[
                        GapRegionOut(region_id=x.region.pk, region=x.region.name, instruments=x.instruments)
                        for x in g.regions
                    ],
                )
                for g in r.gaps
            ],
        )
        for r in _reports(request, query)
    ]
