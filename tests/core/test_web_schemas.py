"""core.web.schemas: the API's shared input types, the error shape and the page of a list."""

from __future__ import annotations

from datetime import date

import pytest
from ninja import Schema
from pydantic import ValidationError

from jiliang.core.web.schemas import (
    ERRORS,
    MAX_ID,
    ErrorOut,
    Id,
    IsoDate,
    PageOut,
    PageQuery,
    iso_date,
    storable_text,
    text,
)


class _In(Schema):
    pk: Id
    day: IsoDate


def test_storable_text_refuses_nul_and_lone_surrogates():
    assert storable_text("电子计价秤 A-1") == "电子计价秤 A-1"
    with pytest.raises(ValueError, match="空字符"):
        storable_text("a\x00b")
    with pytest.raises(ValueError, match="无效字符"):
        storable_text("a\ud800b")


@pytest.mark.parametrize("value", ["2026-02-30", "20260301", "0", 0, "2026-03-01T00:00:00", "1.3.2026"])
def test_iso_date_takes_a_day_written_yyyy_mm_dd_only(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        iso_date(value)


def test_iso_date_takes_a_day_and_a_date():
    assert iso_date("2026-03-01") == date(2026, 3, 1)
    assert iso_date(date(2026, 3, 1)) == date(2026, 3, 1)


def test_ids_are_positive_64_bit_integers():
    assert _In(pk=MAX_ID, day="2026-03-01").pk == MAX_ID
    for bad in (0, -1, MAX_ID + 1):
        with pytest.raises(ValidationError):
            _In(pk=bad, day="2026-03-01")


def test_the_error_shape_has_a_detail_and_field_errors():
    error = ErrorOut(detail="输入无效", errors=[{"field": "name", "message": "不能为空"}])
    assert error.model_dump() == {"detail": "输入无效", "errors": [{"field": "name", "message": "不能为空"}]}
    assert ErrorOut(detail="未找到").model_dump()["errors"] == []
    assert ERRORS == {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def test_a_page_query_bounds_the_page_and_its_size():
    assert PageQuery().model_dump() == {"page": 1, "page_size": 50}
    assert PageQuery(page=3, page_size=500).page_size == 500
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 501}, {"page": 1_000_001}):
        with pytest.raises(ValidationError):
            PageQuery(**bad)


def test_a_page_out_lists_count_page_and_size_before_the_items():
    class NumberPageOut(PageOut):
        items: list[int]

    assert list(NumberPageOut.model_fields) == ["count", "page", "page_size", "items"]


def test_text_bounds_the_length_and_refuses_what_the_database_cannot_store():
    class _Note(Schema):
        note: text(5) = ""  # type: ignore[valid-type]
        name: text(5, min_length=1)  # type: ignore[valid-type]

    assert _Note(name="甲").note == ""
    for bad in ({"name": ""}, {"name": "123456"}, {"name": "a", "note": "123456"}, {"name": "a\x00"}):
        with pytest.raises(ValidationError):
            _Note(**bad)
    assert "minLength" not in _Note.model_json_schema()["properties"]["note"]
    assert _Note.model_json_schema()["properties"]["name"]["minLength"] == 1
