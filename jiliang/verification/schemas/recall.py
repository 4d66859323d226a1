"""Schemas of the recall API (``jiliang.verification.api.recall``)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from jiliang.core.web.schemas import IsoDate, by_name

from ..selectors.recall import RecallRow

MAX_LIMIT = 500


class RecallQuery(Schema):
    date_from: IsoDate = Field(description="起始日期（标准自此日起失准）")
    date_to: IsoDate = Field(description="截止日期")
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class SuspectStandardOut(Schema):
    id: int
    suspect_from: dt.date = Field(description="自此日起使用该标准出具的证书均列入召回")
    via: int | None = Field(description="经哪一计量标准溯源而受影响；null 为所查标准本身")


class RecallItemOut(Schema):
    id: int
    number: str
    kind: str
    status: str = Field(description="valid / expired / superseded / revoked / failed")
    status_label: str
    issued_on: dt.date
    valid_until: dt.date | None
    instrument_id: int
    instrument: str
    serial_number: str
    owner_id: int
    owner: str
    owner_credit_code: str
    region: str
    standard_id: int = Field(description="记录中使用的受影响计量标准")
    standard_code: str
    path: list[str] = Field(description="自所查标准至所用标准的标准代码")
    institute: str

    @staticmethod
    def of(row: RecallRow) -> RecallItemOut:
        c = row.certificate
        return RecallItemOut(
            **by_name(
                RecallItemOut,
                c,
                status=row.status,
                status_label=row.status_label,
                instrument=c.instrument.name,
                serial_number=c.instrument.serial_number,
                owner=c.owner.name,
                owner_credit_code=c.owner.credit_code,
                region=c.region.name,
                standard_id=row.standard.pk,
                standard_code=row.standard.code,
                path=[s.code for s in row.path],
                institute=c.institute.name,
            )
        )


class OtherInstituteOut(Schema):
    institute_id: int
    institute: str
    instrument_count: int = Field(description="该机构出具的受影响器具证书数（不列明细）")
    equipment_count: int = Field(description="该机构出具的受影响标准设备证书数（不列明细）")


class RecallOut(Schema):
    standard_id: int
    standard_code: str
    date_from: dt.date
    date_to: dt.date
    generated_at: dt.datetime
    instrument_count: int = Field(description="受影响的器具证书数（全部）")
    equipment_count: int = Field(description="受影响的标准设备证书数（全部）")
    listed_instrument_count: int = Field(description="调用方可查看明细的器具证书数（items 分页的总数）")
    listed_equipment_count: int = Field(description="调用方可查看明细的标准设备证书数")
    others: list[OtherInstituteOut] = Field(description="其他机构出具、调用方无权查看明细的证书，按机构计数")
    suspect_standards: list[SuspectStandardOut]
    offset: int
    limit: int
    items: list[RecallItemOut]
