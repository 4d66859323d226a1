"""What every API schema is built from: the one error shape, ids, days, text the database can store, a reference
to another record, and the page of a list.

Input schemas bound every value the database would refuse (lengths, id range, NUL characters), so that a bad input
is a 422 with a field name, never a database error and a 500. The classes' names are the OpenAPI document's
component names: renaming one changes the published API (tests/api/test_openapi_stable.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field

# Database ids are signed 64-bit integers; a larger number could not name any row and overflows SQLite.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def storable_text(value: str) -> str:
    """PostgreSQL text cannot hold NUL, and a lone surrogate (valid in JSON) cannot be encoded as UTF-8.

    >>> storable_text("电子秤")
    '电子秤'
    """
    if "\x00" in value:
        raise ValueError(_("不能包含空字符"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(_("包含无效字符")) from exc
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(value: Any) -> Any:
    """A day as YYYY-MM-DD and nothing else (the same message for every other form).

    Pydantic alone also reads a number, or a string of digits, as a Unix timestamp (``valid_on=0`` was 1970-01-01)
    and takes a datetime at midnight: none of them is a day a person meant.

    >>> iso_date("2026-03-01")
    datetime.date(2026, 3, 1)
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(_("请输入日期（YYYY-MM-DD）"))


def text(max_length: int, *, min_length: int | None = None) -> Any:
    """The type of a text input: at most ``max_length`` characters (at least ``min_length`` when given), and only
    text the database can store (``storable_text``)."""
    if min_length is None:
        return Annotated[str, Field(max_length=max_length), AfterValidator(storable_text)]
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(storable_text)]


# Every date the API takes (query and body) is one of these; dates it answers with stay plain ``date``.
IsoDate = Annotated[date, BeforeValidator(iso_date)]


# ---- errors ----------------------------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="出错的字段；空串表示整个请求 / the field, empty for the request as a whole")
    message: str


class ErrorOut(Schema):
    """The one error shape of the API (docs/architecture.md). Out-of-scope and missing records answer alike."""

    detail: str
    errors: list[FieldErrorOut] = []


# ---- answers built from records ------------------------------------------------------------------------------


def by_name(schema: type[Schema], record: Any, **given: Any) -> dict[str, Any]:
    """The values of ``schema``'s fields for ``record``: those in ``given`` as given, every other one the record's
    attribute of the same name (``id`` its primary key)."""
    values = {name: getattr(record, name) for name in schema.model_fields if name not in given}
    return {**values, **given}


# ---- references ------------------------------------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str


# ---- lists -----------------------------------------------------------------------------------------------------


class PageQuery(Schema):
    """The page of a list an endpoint answers: its fields come first in every list query built on it."""

    page: int = Field(1, ge=1, le=1_000_000, description="从 1 开始的页码 / page number, from 1")
    page_size: int = Field(50, ge=1, le=500, description="每页条数，最多 500 / items per page, at most 500")


class PageOut(Schema):
    """One page of a list: ``count`` is the number of matching records on every page together; a subclass adds
    ``items``, the page's records (empty past the end). ``jiliang.core.web.http.page_out`` fills it."""

    count: int
    page: int
    page_size: int


# What any endpoint may answer besides its own success: no or a bad token, a record missing or out of scope, an
# invalid input. An endpoint that takes a body adds its own (400, 409, 413, ...) to these.
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# An endpoint that takes a body (an act): an unreadable body (400), a refusal by role (403), a clash with the record's
# state (409) and a body over the size limit (413), besides the above.
BODY_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, **ERRORS}
