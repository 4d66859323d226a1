"""Pydantic in/out schemas of the instrument API (``/api/v1/instruments``).

Input schemas bound every value the database would refuse (lengths, id range, NUL characters), so that a bad
input is a 422 with a field name, never a database error and a 500.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from jiliang.catalog.models import Usage
from jiliang.catalog.schemas import CatalogItemRefOut
from jiliang.core.web.schemas import ErrorOut, Id, IsoDate, PageOut, PageQuery, RefOut, text

from .models import Instrument

UsageCode = Literal[tuple(Usage.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Instrument.Status.values)]  # type: ignore[valid-type]
DueStateCode = Literal[tuple(Instrument.DueState.values)]  # type: ignore[valid-type]


def _text(field: str, *, required: bool = False) -> Any:
    """A text field as long as the model's column allows."""
    max_length = Instrument._meta.get_field(field).max_length
    return text(max_length, min_length=1 if required else 0)


# ---- instruments -----------------------------------------------------------------------------------------------


class InstrumentOut(Schema):
    id: int
    owner: RefOut
    region: RefOut
    catalog_item: CatalogItemRefOut | None
    usage: str
    usage_label: str
    name: str
    manufacturer: str
    model: str
    serial_number: str
    asset_number: str
    accuracy_class: str
    measuring_range: str
    location: str
    status: str
    status_label: str
    registered_on: date
    mandatory: bool = Field(description="强制检定（由目录条目和用途推导）/ derived from the catalog row and the usage")
    last_verified_on: date | None = Field(
        description="最近有效检定日期（由检定记录确定，只读）/ date of the last valid verification (read-only)"
    )
    due_on: date | None = Field(description="下次检定日期（推导）/ derived next due date")
    due_state: str = Field(description="valid | due_soon | overdue | never | na")
    due_state_label: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def from_instrument(instrument: Instrument) -> dict[str, Any]:
        """The output of one instrument; expects owner, region and catalog_item to be loaded with it, and the
        last verification's date (``with_last_verified_on`` or ``select_related("last_verification")``)."""
        item = instrument.catalog_item
        state = instrument.due_state()
        return {
            "id": instrument.pk,
            "owner": {"id": instrument.owner_id, "name": instrument.owner.name},
            "region": {"id": instrument.region_id, "name": instrument.region.name},
            "catalog_item": (
                None if item is None else {"id": item.pk, "code": item.code, "item": item.item, "kind": item.kind}
            ),
            "usage": instrument.usage,
            "usage_label": str(instrument.get_usage_display()),
            "name": instrument.name,
            "manufacturer": instrument.manufacturer,
            "model": instrument.model,
            "serial_number": instrument.serial_number,
            "asset_number": instrument.asset_number,
            "accuracy_class": instrument.accuracy_class,
            "measuring_range": instrument.measuring_range,
            "location": instrument.location,
            "status": instrument.status,
            "status_label": instrument.status_label,
            "registered_on": instrument.registered_on,
            "mandatory": instrument.mandatory,
            "last_verified_on": instrument.last_verified_on,
            "due_on": instrument.due_on,
            "due_state": state,
            "due_state_label": str(Instrument.DueState(state).label),
            "created_at": instrument.created_at,
            "updated_at": instrument.updated_at,
        }


class InstrumentPageOut(PageOut):
    """One page of the list: ``count`` is the number of matching instruments on every page together."""

    items: list[InstrumentOut]


class InstrumentListQuery(PageQuery):
    """The list page's filters (parsed again by ``jiliang.instruments.filters.parse_filters``) and the page."""

    county: Id | None = Field(None, description="县（区）id")
    owner: Id | None = Field(None, description="使用单位 id")
    catalog_item: Id | None = Field(None, description="目录条目 id")
    usage: UsageCode | None = None
    status: StatusCode | None = None
    due_state: DueStateCode | None = None
    mandatory: bool | None = None
    q: text(100) | None = Field(  # type: ignore[valid-type]
        None, description="出厂编号前缀或使用单位名称 / serial-number prefix or owner name"
    )


class InstrumentIn(Schema):
    """A new instrument. ``mandatory`` and ``due_on`` are derived, never sent; the region follows the owner."""

    owner: Id | None = Field(
        None, description="使用单位 id：监管部门必填；使用单位只能为自己登记，可省略 / required for regulators"
    )
    catalog_item: Id | None = Field(None, description="目录条目 id；目录外器具为空 / null outside the catalog")
    usage: UsageCode
    name: _text("name", required=True)  # type: ignore[valid-type]
    serial_number: _text("serial_number", required=True)  # type: ignore[valid-type]
    manufacturer: _text("manufacturer") = ""  # type: ignore[valid-type]
    model: _text("model") = ""  # type: ignore[valid-type]
    asset_number: _text("asset_number") = ""  # type: ignore[valid-type]
    accuracy_class: _text("accuracy_class") = ""  # type: ignore[valid-type]
    measuring_range: _text("measuring_range") = ""  # type: ignore[valid-type]
    location: _text("location") = ""  # type: ignore[valid-type]
    registered_on: IsoDate | None = Field(None, description="备案日期，默认今天 / defaults to today")
    last_verified_on: IsoDate | None = Field(
        None,
        description=(
            "登记前最近一次检定的日期，仅在登记时填写（登记为既往检定记录）"
            " / a verification before the platform, declared at registration only"
        ),
    )


# ---- import ----------------------------------------------------------------------------------------------------


class ImportForm(Schema):
    """The form fields sent with the .xlsx file (multipart/form-data)."""

    partial: bool = Field(
        False, description="false：有错行则全部不保存（默认）；true：保存正确的行 / save the good rows, report the bad"
    )
    owner: Id | None = Field(None, description="使用单位 id：监管部门必填；使用单位为自己导入，可省略")


class RowErrorOut(Schema):
    row: int = Field(description="Excel 行号（第 1 行为列名）")
    column: str = Field(description="列名")
    reason: str


class ImportReportOut(Schema):
    total_rows: int
    imported: int
    bad_rows: int
    committed: bool = Field(description="是否保存了数据 / whether any row was saved")
    partial: bool
    file_error: str | None = Field(description="整个文件无法导入的原因 / why the file as a whole was refused")
    ignored_example_row: int | None
    sha256: str
    errors: list[RowErrorOut]


class ImportErrorOut(ErrorOut):
    """Nothing was saved: the error shape, with the whole report (every bad row) alongside."""

    report: ImportReportOut
