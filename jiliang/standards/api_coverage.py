"""建标覆盖率 over HTTP: ``GET /api/v1/coverage`` and ``GET /api/v1/coverage/gaps``.

Regulators (a county bureau gets its county only) and the admin; anyone else gets 404, as for a missing page.
``date`` (YYYY-MM-DD, default today) is the day on which the standards' validity is decided. The definition and
what "in the region" means are in :mod:`jiliang.standards.coverage`.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jiliang.instruments.schemas import ErrorOut, IsoDate

from .coverage import CoverageReport, ItemCount, RegionCoverage, coverage_for

router = Router(tags=["coverage"])

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CoverageQuery(Schema):
    date: IsoDate | None = Field(None, description="统计日期，默认今天 / the day, today by default")


class ItemCountOut(Schema):
    id: int
    code: str = Field(description="目录编号")
    item: str
    kind: str
    instruments: int = Field(description="在用强检器具数 / in-use mandatory instruments")

    @staticmethod
    def of(c: ItemCount) -> ItemCountOut:
        return ItemCountOut(
            id=c.item.pk, code=c.item.code, item=c.item.item, kind=c.item.kind, instruments=c.instruments
        )


class RegionCoverageOut(Schema):
    region_id: int
    region: str
    level: str
    numerator: int = Field(description="有有效社会公用计量标准覆盖的目录条目数")
    denominator: int = Field(description="有在用强检器具的目录条目数")
    ratio: float | None = Field(description="0–1；无在用强检器具时为 null")
    covered: list[ItemCountOut]
    uncovered: list[ItemCountOut]

    @staticmethod
    def of(c: RegionCoverage) -> RegionCoverageOut:
        return RegionCoverageOut(
            region_id=c.region.pk,
            region=c.region.name,
            level=c.region.level,
            numerator=c.numerator,
            denominator=c.denominator,
            ratio=c.ratio,
            covered=[ItemCountOut.of(i) for i in c.covered],
            uncovered=[ItemCountOut.of(i) for i in c.uncovered],
        )


class CoverageOut(Schema):
    date: dt.date
    region: RegionCoverageOut
    counties: list[RegionCoverageOut]
    valid_public_standards: int


class GapRegionOut(Schema):
    region_id: int
    region: str
    instruments: int


class GapOut(Schema):
    id: int
    code: str
    item: str
    kind: str
    instruments: int = Field(description="受影响的在用强检器具数 / instruments affected")
    nowhere_in_city: bool = Field(description="全市均无有效社会公用计量标准 / no valid public standard in the city")
    regions: list[GapRegionOut]


class GapsOut(Schema):
    date: dt.date
    region_id: int
    region: str
    gaps: list[GapOut]


def _reports(request: HttpRequest, query: CoverageQuery) -> list[CoverageReport]:
    reports = coverage_for(request.auth, day=query.date or timezone.localdate())
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
