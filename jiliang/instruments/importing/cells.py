"""Reading the cells of a row and the header of a file: text, dates typed in the ways people type them, the
catalog and the usages by what a person writes, and the columns found by their (Chinese) header."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem, Usage

from ..excel import IMPORT_COLUMNS, SheetError

# The columns whose header must be present (the others may be left out of a file altogether).
REQUIRED_HEADERS = ("目录条目", "用途", "器具名称", "出厂编号")

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _date(value: Any) -> tuple[date | None, str | None]:
    """The date in a cell, or the reason it is not one."""
    kind = type(value)
    if kind is date:
        return value, None
    if kind is datetime:
        return value.date(), None
    text = _text(value)
    if not text:
        return None, None
    match = _DATE_TEXT.match(text) or (_COMPACT_DATE.match(text) if kind is not str or text.isdigit() else None)
    if match is None:
        return None, _("“%(value)s”不是日期，请按 YYYY-MM-DD 填写") % {"value": _shown(text)}
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), None
    except ValueError:
        return None, _("日期“%(value)s”不存在") % {"value": _shown(text)}


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def _catalog_lookup() -> dict[str, CatalogItem]:
    """Every way a catalog row may be written: "02 电子计价秤(数字指示秤)", "02", or the kind when unique."""
    items = list(CatalogItem.objects.all())
    lookup: dict[str, CatalogItem] = {}
    kinds: dict[str, list[CatalogItem]] = {}
    for item in items:
        kinds.setdefault(_key(item.kind), []).append(item)
    for kind, same in kinds.items():
        if len(same) == 1:
            lookup[kind] = same[0]
    for item in items:
        label = f"{item.code} {item.kind}"
        lookup[label] = lookup[_key(label)] = lookup[_key(item.code)] = item
    return lookup


def _usage_lookup() -> dict[str, str]:
    # Accept the labels of every UI language, so a template filled in under English imports in a Chinese
    # session and the other way round.
    lookup = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in Usage.choices:
                lookup[str(label)] = lookup[_key(str(label))] = value
                lookup[_key(value)] = value
                lookup[_key(re.sub(r"[（(].*[)）]", "", str(label)))] = value
    return lookup


def _header_key(value: Any) -> str:
    text = _key(_text(value))
    return re.sub(r"(\*|＊|[(]必填[)])+$", "", text).lstrip("*＊")


def _map_columns(header: Sequence[Any]) -> dict[str, int]:
    by_header = {_key(c.header): c.header for c in IMPORT_COLUMNS}
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        name = by_header.get(_header_key(value))
        if name is None:
            continue
        if name in found:
            raise SheetError(_("第 1 行的列“%(column)s”出现了两次") % {"column": name})
        found[name] = index
    missing = [h for h in REQUIRED_HEADERS if h not in found]
    if missing:
        raise SheetError(
            _("第 1 行缺少必需的列：%(columns)s（请使用导入模板，列名在第 1 行）") % {"columns": "、".join(missing)}
        )
    return found
