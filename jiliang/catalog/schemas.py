"""The catalog as the API shows it: a reference to one row of the published national catalog."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class CatalogItemRefOut(Schema):
    id: int
    code: str = Field(description="目录编号，如 02")
    item: str = Field(description="目录项，如 非自动衡器")
    kind: str = Field(description="器具种类，如 电子计价秤(数字指示秤)")
