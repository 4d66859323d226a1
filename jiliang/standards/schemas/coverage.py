"""Schemas of the coverage API (``jiliang.standards.api.coverage``)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from jiliang.core.web.schemas import IsoDate

from ..selectors.coverage import ItemCount, RegionCoverage


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
