"""Checking the rows of one file, one at a time: cells, required columns, catalog item, usage, dates, lengths,
formulas, and serial numbers already seen in the file or in the registry. Nothing here touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core import clock

from ..excel import EXAMPLE_NAME, EXAMPLE_SERIAL, IMPORT_COLUMNS
from ..models import Instrument
from ..services import derive
from .cells import _catalog_lookup, _date, _key, _shown, _text, _usage_lookup
from .report import RowError


class _Derived:
    """What :func:`services.derive` reads and sets, so it runs without building a model instance per row.

    ``last_verified_on`` is the date typed in the file: it becomes a declared verification record."""

    __slots__ = ("due_on", "last_verified_on", "mandatory", "usage")

    def __init__(self, usage: str, last_verified_on: date | None) -> None:
        self.usage = usage
        self.last_verified_on = last_verified_on
        self.mandatory = False
        self.due_on: date | None = None


class _RowChecker:
    """Checks the rows of one file, one at a time, against the catalog, the usages, the model's limits and the
    serial numbers already seen (in the file and in the registry). Nothing here touches the database."""

    def __init__(
        self, columns: dict[str, int], formulas: set[tuple[int, int]], existing: set[tuple[int | None, str]]
    ) -> None:
        self.catalog = _catalog_lookup()
        self.usages = _usage_lookup()
        self.today = clock.today()
        # (header, field, kind, max length, position in a row) of the columns present in the file.
        self.specs = [
            (
                c.header,
                c.field,
                c.kind,
                # Dates have no length (and 最近检定日期 is no field: it becomes a declared record).
                None if c.kind == "date" else Instrument._meta.get_field(c.field).max_length,
                columns[c.header],
            )
            for c in IMPORT_COLUMNS
            if c.header in columns
        ]
        self.absent = {c.field: (None if c.kind == "date" else "") for c in IMPORT_COLUMNS if c.header not in columns}
        self.required = [(c.header, c.field) for c in IMPORT_COLUMNS if c.required]
        self.order = {c.header: i for i, c in enumerate(IMPORT_COLUMNS)}
        self.formulas = formulas
        self.formula_rows = {r for r, _c in formulas}
        self.existing = existing
        self.seen: dict[tuple[int | None, str], int] = {}
        self.derived: dict[tuple[int | None, str, date | None], tuple[bool, date | None]] = {}
        self.ignored_example_row: int | None = None
        self.reasons = {
            "formula": _("单元格含公式，不允许导入（请复制后“粘贴为数值”）"),
            "equals": _("内容以“=”开头，会被当作公式，不允许导入"),
            "required": _("必填项为空"),
            "duplicate": _("与第 %(row)s 行的器具重复（同一目录条目、同一出厂编号）"),
            "registered": _("该单位已登记同一目录条目、同一出厂编号的器具"),
            "future": _("最近检定日期不能晚于今天"),
            "long": _("内容长度 %(length)s 超过上限 %(max)s 个字符"),
            "catalog": _("目录条目“%(value)s”不存在，请从下拉列表选择"),
            "usage": _("用途“%(value)s”无效，可选：%(choices)s"),
        }
        self.usage_choices = "、".join(str(label) for label in Usage.labels)

    def check(self, index: int, raw: Sequence[Any]) -> tuple[dict[str, Any], list[RowError]] | None:
        """The row's values ready to write and its errors, or None for an empty row or the template's example.

        ``index`` is 0-based (the header is 0); errors carry the Excel row number, ``index + 1``.
        """
        values, problems = self._read_cells(index, raw)
        if values is None:
            return None
        excel_row = index + 1
        if values["serial_number"] == EXAMPLE_SERIAL and values["name"] == EXAMPLE_NAME:
            self.ignored_example_row = excel_row
            return None
        reasons = self.reasons
        failed = {header for header, _reason in problems}
        for header, name in self.required:
            if not values[name] and header not in failed:
                problems.append((header, reasons["required"]))
                failed.add(header)
        item: CatalogItem | None = None
        text = values["catalog_item"]
        if text and "目录条目" not in failed:
            item = self.catalog.get(text) or self.catalog.get(_key(text.zfill(2) if text.isdigit() else text))
            if item is None:
                problems.append(("目录条目", reasons["catalog"] % {"value": _shown(text)}))
                failed.add("目录条目")
        text = values["usage"]
        usage = None
        if text and "用途" not in failed:
            usage = self.usages.get(text) or self.usages.get(_key(text))
            if usage is None:
                problems.append(("用途", reasons["usage"] % {"value": _shown(text), "choices": self.usage_choices}))
        last_verified_on = values["last_verified_on"]
        if last_verified_on is not None and last_verified_on > self.today:
            problems.append(("最近检定日期", reasons["future"]))
        serial = values["serial_number"]
        item_id = item.pk if item is not None else None
        if serial and "出厂编号" not in failed and "目录条目" not in failed:
            key = (item_id, serial)
            if key in self.seen:
                problems.append(("出厂编号", reasons["duplicate"] % {"row": self.seen[key]}))
            elif key in self.existing:
                problems.append(("出厂编号", reasons["registered"]))
            else:
                self.seen[key] = excel_row
        if problems:
            problems.sort(key=lambda p: self.order[p[0]])
            return values, [RowError(excel_row, header, reason) for header, reason in problems]
        derived_key = (item_id, usage, last_verified_on)
        if derived_key not in self.derived:
            row = _Derived(usage, last_verified_on)
            derive(row, item)  # type: ignore[arg-type]  # the same rule as instrument_create
            self.derived[derived_key] = (row.mandatory, row.due_on)
        values["catalog_item_id"] = item_id
        values["usage"] = usage
        values["mandatory"], values["due_on"] = self.derived[derived_key]
        values["registered_on"] = values["registered_on"] or self.today
        return values, []

    def _read_cells(self, index: int, raw: Sequence[Any]) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
        """Each cell as text or a date, with the problems a single cell shows; (None, []) when the row is empty."""
        values: dict[str, Any] = dict(self.absent)
        problems: list[tuple[str, str]] = []
        formula_row = index in self.formula_rows
        empty = True
        for header, name, kind, max_length, position in self.specs:
            cell = raw[position]  # calamine's rows are all as wide as the sheet
            if formula_row and (index, position) in self.formulas:
                problems.append((header, self.reasons["formula"]))
                values[name] = None if kind == "date" else ""
                empty = False
            elif kind == "date":
                if type(cell) is date:
                    values[name], empty = cell, False
                elif cell == "":
                    values[name] = None
                else:
                    day, reason = _date(cell)
                    values[name] = day
                    empty = False
                    if reason is not None:
                        problems.append((header, reason))
            else:
                text = cell.strip() if type(cell) is str else _text(cell)
                values[name] = text
                if text:
                    empty = False
                    if text[0] == "=":
                        problems.append((header, self.reasons["equals"]))
                    elif max_length is not None and len(text) > max_length:
                        problems.append((header, self.reasons["long"] % {"length": len(text), "max": max_length}))
        return (None, []) if empty else (values, problems)
