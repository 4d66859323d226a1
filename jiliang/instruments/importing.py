"""Bulk import of the instrument registry from an .xlsx file (the format is described in ``excel.py``).

"Nothing is lost" (ARCHITECTURE.md): every row is validated and every bad one is reported with its Excel row
number, its column (the Chinese header) and a reason in Chinese. By default the import is all-or-nothing: one bad
row and nothing is saved. With ``partial=True`` the good rows are saved and the bad ones reported.

How it stays fast (the goal is 20 000 rows/s for 10^5 rows):

- python-calamine reads the cells (Rust), in a child process with memory, CPU and time limits after the file's
  sizes, dimension and rows are checked; the sheet's XML is scanned for formulas with a byte search on the way
  (``excel.read_sheet``, ``sheet_worker``). The rows come back through a pipe in ``marshal`` form.
- Catalog rows and the owner's existing serial numbers are loaded once; each row is checked in memory.
- Good rows are written with one parametrized INSERT per batch (``executemany``), not ``bulk_create``, whose
  per-field preparation in Python costs more than everything else together (see ``_Writer``). The derived
  fields come from ``services.derive``, the same function the single-create service uses, and the one audit
  event of the import is written in the same transaction.

Rows are validated and written batch by batch in one pass; in all-or-nothing mode writing stops at the first bad
row and the transaction is rolled back at the end, so a bad file never costs more than a good one.
"""

from __future__ import annotations

import hashlib
import logging
import operator
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connections, router, transaction
from django.db import connection as db_connection
from django.db.models import FileField, Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core import audit
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of
from jiliang.verification.models import Service, VerificationRecord

from . import tally
from .excel import (
    EXAMPLE_NAME,
    EXAMPLE_SERIAL,
    IMPORT_COLUMNS,
    Sheet,
    SheetError,
    SheetReaderFailed,
    on_disk,
    read_sheet,
    sheet_row_estimate,
)
from .models import ImportJob, Instrument
from .services import _owner_for, derive

logger = logging.getLogger(__name__)

# Rows validated and written per batch; progress is reported after each batch.
BATCH_ROWS = 2000
# The columns whose header must be present (the others may be left out of a file altogether).
REQUIRED_HEADERS = ("目录条目", "用途", "器具名称", "出厂编号")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number (the header is row 1)
    column: str  # the Chinese header of the column
    reason: str  # in Chinese

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportReport:
    total_rows: int = 0  # data rows read (empty rows and the template's example row are not counted)
    imported: int = 0  # rows saved
    errors: list[RowError] = field(default_factory=list)
    file_error: str | None = None  # the file could not be read at all; nothing was saved
    committed: bool = False  # rows were saved
    partial: bool = False
    ignored_example_row: int | None = None  # the template's example row, left in and skipped
    sha256: str = ""
    # The file itself was refused (unreadable, or over a limit): nothing in it is worth keeping. Not stored.
    file_refused: bool = False

    @property
    def ok(self) -> bool:
        """Every row was imported."""
        return self.file_error is None and not self.errors and self.imported == self.total_rows

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_rows": self.total_rows,
            "imported": self.imported,
            "bad_rows": self.bad_rows,
            "committed": self.committed,
            "partial": self.partial,
            "file_error": self.file_error,
            "ignored_example_row": self.ignored_example_row,
            "sha256": self.sha256,
            "errors": [e.as_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            total_rows=data.get("total_rows", 0),
            imported=data.get("imported", 0),
            errors=[RowError(e["row"], e["column"], e["reason"]) for e in data.get("errors", [])],
            file_error=data.get("file_error"),
            committed=data.get("committed", False),
            partial=data.get("partial", False),
            ignored_example_row=data.get("ignored_example_row"),
            sha256=data.get("sha256", ""),
        )


@contextmanager
def _upload_on_disk(file: bytes | str | os.PathLike | IO[bytes]) -> Iterator[tuple[Path, str, str]]:
    """The upload as a file on disk (the reader runs in another process), its name and its SHA-256.

    A path is used where it is, and so is an upload Django already spooled to disk; bytes and other file objects
    are copied to a temporary file, within the size limit.
    """
    limit = settings.JILIANG_IMPORT_MAX_BYTES
    too_big = _("文件过大（超过 %(mb)s MB），请拆分后分批导入") % {"mb": limit // (1024 * 1024)}
    spooled = getattr(file, "temporary_file_path", None)
    if isinstance(file, str | os.PathLike) or spooled is not None:
        path = Path(spooled() if spooled is not None else file)  # type: ignore[arg-type]
        name = os.path.basename(str(getattr(file, "name", "") or "")) if spooled is not None else path.name
        if path.stat().st_size > limit:
            raise SheetError(too_big)
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        yield path, name, digest.hexdigest()
        return
    if isinstance(file, bytes | bytearray | memoryview):
        data, name = bytes(file), ""
        if len(data) > limit:
            raise SheetError(too_big)
        with on_disk(data) as path:
            yield path, name, hashlib.sha256(data).hexdigest()
        return
    name = os.path.basename(str(getattr(file, "name", "") or ""))
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(prefix="jiliang-import-", suffix=".xlsx") as copy:
        while chunk := file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise SheetError(too_big)
            digest.update(chunk)
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name), name, digest.hexdigest()


# ---- Cell values ---------------------------------------------------------------------------------------------

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


# ---- The import ----------------------------------------------------------------------------------------------


def _resolve_owner(actor: User | None, owner: Organization | int | None) -> Organization:
    if actor is None:
        # The system (a management command run by an operator) may import for any owner.
        owner_id = owner.pk if isinstance(owner, Organization) else owner
        found = Organization.objects.filter(pk=owner_id, kind=Organization.Kind.OWNER).first()
        if found is None:
            raise NotFoundOrForbidden(_("使用单位不存在"), field="owner")
        return found
    return _owner_for(actor, owner)


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


def _id_ranges(ids: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


class _Derived:
    """What :func:`services.derive` reads and sets, so it runs without building a model instance per row.

    ``last_verified_on`` is the date typed in the file: it becomes a declared verification record."""

    __slots__ = ("due_on", "last_verified_on", "mandatory", "usage")

    def __init__(self, usage: str, last_verified_on: date | None) -> None:
        self.usage = usage
        self.last_verified_on = last_verified_on
        self.mandatory = False
        self.due_on: date | None = None


# The fields a row of the file sets (with the derived ones); every other column gets one value for the import.
_ROW_FIELDS = (
    "catalog_item_id",
    "usage",
    "name",
    "manufacturer",
    "model",
    "serial_number",
    "asset_number",
    "accuracy_class",
    "measuring_range",
    "location",
    "registered_on",
    "mandatory",
    "due_on",
)
# A declared record's own fields (the verification date typed in the file); the rest is one value per import.
_RECORD_ROW_FIELDS = ("instrument_id", "performed_on", "next_due_on")


class _Writer:
    """Writes rows with COPY on PostgreSQL, with one parametrized INSERT per batch (``executemany``) on SQLite.

    ``bulk_create`` builds a model instance per row and then prepares every field of every instance in Python;
    for this table that is about 15 µs a row and most of an import's time. Here a row is a list of values already
    in database form. The columns come from the model, so a field added later is written with its default, and
    a row field of a type this class does not know is prepared by Django itself.
    """

    def __init__(
        self, constants: dict[str, Any], *, model: type[Model] = Instrument, row_fields: tuple[str, ...] = ()
    ) -> None:
        row_fields = row_fields or _ROW_FIELDS
        self.connection = connections[router.db_for_write(model)]
        by_name = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        missing = set(row_fields) - set(by_name)
        if missing:
            raise RuntimeError(f"{model.__name__} lost the fields {sorted(missing)}: update importing's row fields")
        # The row's own fields first, then those with one value for the whole import.
        others = [f for name, f in by_name.items() if name not in row_fields]
        fields = [by_name[name] for name in row_fields] + others
        quote = self.connection.ops.quote_name
        # Only quoted names from the model's own metadata go into the statements; every value is a parameter.
        table = quote(model._meta.db_table)
        names = ", ".join(quote(f.column) for f in fields)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        self._get = operator.itemgetter(*row_fields)
        self._tail = tuple(
            f.get_db_prep_save(constants[f.attname] if f.attname in constants else f.get_default(), self.connection)
            for f in others
        )
        self._adapt = [
            (position, adapt)
            for position, name in enumerate(row_fields)
            if (adapt := self._adapter(by_name[name])) is not None
        ]
        self.written = 0
        self._copy: Any = None
        self._cursor: Any = None
        self._batch: list[Any] = []

    def _adapter(self, model_field: Any) -> Callable[[Any], Any] | None:
        """How to put a value of ``model_field`` in database form; None when the driver takes it as it is."""
        kind = model_field.get_internal_type()
        if kind in ("CharField", "TextField", "BooleanField", "ForeignKey"):
            return None  # already a str, bool or int (or None)
        if kind == "DateField":
            adapt = self.connection.ops.adapt_datefield_value
            sample = date(2000, 1, 2)
            return None if adapt(sample) is sample else adapt
        return lambda value: model_field.get_db_prep_save(value, connection=self.connection)

    def params(self, values: dict[str, Any]) -> Any:
        """The values of one row, in the statements' column order (``values`` has every name in _ROW_FIELDS)."""
        row = self._get(values) + self._tail
        if not self._adapt:
            return row
        adapted = list(row)
        for position, adapt in self._adapt:
            if adapted[position] is not None:
                adapted[position] = adapt(adapted[position])
        return adapted

    @contextmanager
    def stream(self) -> Iterator[None]:
        """Rows given to :meth:`add` inside this block are written by its end (earlier, as they come)."""
        self.written = 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # One COPY for the whole file: the server inserts while the next rows are validated. psycopg's
                # COPY goes around Django's cursor wrapper, so its errors (IntegrityError) are translated here.
                with self.connection.wrap_database_errors, cursor.cursor.copy(self.copy_sql) as copy:
                    self._copy = copy
                    yield
            else:
                self._cursor, self._batch = cursor, []
                yield
                self._flush()

    def add(self, row: list[Any]) -> None:
        self.written += 1
        if self._copy is not None:
            self._copy.write_row(row)
            return
        self._batch.append(row)
        if len(self._batch) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._cursor.executemany(self.insert_sql, self._batch)
            self._batch = []


def instruments_import(
    *,
    actor: User | None,
    owner: Organization | int | None,
    file: bytes | str | os.PathLike | IO[bytes],
    partial: bool = False,
    progress: Progress | None = None,
    file_name: str = "",
) -> ImportReport:
    """Import the instruments in ``file`` (.xlsx bytes, a path or a binary file object) for ``owner``.

    ``actor`` None is the system (a management command). An owner user imports for itself (``owner`` may be
    None); a regulator for an owner in its region. Raises :class:`NotFoundOrForbidden` / :class:`DomainError`
    when the actor may not import for ``owner``; every problem with the file or its rows is in the report.
    ``progress(done, total)`` is called after every batch of rows.
    """
    owning = _resolve_owner(actor, owner)
    report = ImportReport(partial=partial)
    try:
        with _upload_on_disk(file) as (path, name, sha256):
            report.sha256 = sha256
            sheet = read_sheet(path)
        if not sheet.rows or not any(_text(v) for v in sheet.rows[0]):
            raise SheetError(_("文件中没有数据：第 1 行应为列名"))
        columns = _map_columns(sheet.rows[0])
        limit = getattr(settings, "JILIANG_IMPORT_MAX_ROWS", 200_000)
        if len(sheet.rows) - 1 > limit:
            raise SheetError(
                _("文件有 %(rows)s 行，超过一次导入的上限 %(limit)s 行，请拆分后分批导入")
                % {"rows": len(sheet.rows) - 1, "limit": limit}
            )
        _import_rows(report, sheet, columns, owning=owning, actor=actor, progress=progress, file_name=file_name or name)
    except SheetError as exc:
        report.file_error = str(exc)
        report.file_refused = not isinstance(exc, SheetReaderFailed)
        report.imported, report.committed = 0, False
    return report


class _RowChecker:
    """Checks the rows of one file, one at a time, against the catalog, the usages, the model's limits and the
    serial numbers already seen (in the file and in the registry). Nothing here touches the database."""

    def __init__(
        self, columns: dict[str, int], formulas: set[tuple[int, int]], existing: set[tuple[int | None, str]]
    ) -> None:
        self.catalog = _catalog_lookup()
        self.usages = _usage_lookup()
        self.today = timezone.localdate()
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


def _import_rows(
    report: ImportReport,
    sheet: Sheet,
    columns: dict[str, int],
    *,
    owning: Organization,
    actor: User | None,
    progress: Progress | None,
    file_name: str,
) -> None:
    rows = sheet.rows
    total_estimate = len(rows) - 1
    errors = report.errors
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = set(Instrument.objects.filter(owner=owning).values_list("catalog_item_id", "serial_number"))
            checker = _RowChecker(columns, sheet.formulas, existing)
            writer = _Writer(
                {
                    "owner_id": owning.pk,
                    "region_id": owning.region_id,
                    "created_by_id": actor.pk if actor is not None else None,
                    "status": Instrument.Status.IN_USE.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            total = 0
            # (catalog item id, serial number) → (verification date, due date) of the written rows that have one.
            declared: dict[tuple[int | None, str], tuple[date, date | None]] = {}
            with writer.stream():
                for index in range(1, len(rows)):
                    if index % BATCH_ROWS == 0 and progress is not None:
                        progress(index, total_estimate)
                    checked = checker.check(index, rows[index])
                    if checked is None:
                        continue
                    total += 1
                    values, row_errors = checked
                    if row_errors:
                        errors.extend(row_errors)
                    elif report.partial or not errors:
                        writer.add(writer.params(values))
                        if values["last_verified_on"] is not None:
                            key = (values["catalog_item_id"], values["serial_number"])
                            declared[key] = (values["last_verified_on"], values["due_on"])
                    # else: nothing will be saved; the rest is validated, not written
            report.total_rows = total
            report.ignored_example_row = checker.ignored_example_row
            if total == 0:
                raise SheetError(_("文件中没有可导入的数据行"))
            if errors and not report.partial:
                transaction.set_rollback(True)
                return
            if writer.written:
                written = Instrument.objects.filter(owner=owning, created_at=now)
                ids = []
                record_rows = []
                for pk, item_id, serial in written.values_list("id", "catalog_item_id", "serial_number"):
                    ids.append(pk)
                    dates = declared.get((item_id, serial))
                    if dates is not None:
                        record_rows.append({"instrument_id": pk, "performed_on": dates[0], "next_due_on": dates[1]})
                if record_rows:
                    _write_declared(record_rows, owning=owning, actor=actor, now=now)
                tally.add_rows(written)
                audit.record(
                    actor=actor,
                    action="instrument.import",
                    obj=owning,
                    changes={
                        "count": writer.written,
                        "declared_verifications": len(record_rows),
                        "id_ranges": _id_ranges(ids),
                        "file_name": file_name,
                        "sha256": report.sha256,
                        "partial": report.partial,
                        "total_rows": total,
                        "bad_rows": report.bad_rows,
                    },
                )
    except IntegrityError as exc:
        # Someone registered one of these serial numbers while the file was being read.
        logger.warning("instrument import for owner %s hit a unique constraint: %s", owning.pk, exc)
        raise SheetError(_("导入期间有人登记了相同出厂编号的器具，未保存任何数据，请重新导入")) from exc
    report.imported = writer.written
    report.committed = writer.written > 0
    if progress is not None:
        progress(total_estimate, total_estimate)


def _write_declared(rows: list[dict[str, Any]], *, owning: Organization, actor: User | None, now: datetime) -> None:
    """Write one declared verification record per row (the date typed in the file), then point each new
    instrument at its record in one set-based UPDATE."""
    writer = _Writer(
        {
            "kind": Service.VERIFICATION.value,
            "source": VerificationRecord.Source.DECLARED.value,
            "conclusion": VerificationRecord.Conclusion.PASS.value,
            "created_at": now,
            "created_by_id": actor.pk if actor is not None else None,
        },
        model=VerificationRecord,
        row_fields=_RECORD_ROW_FIELDS,
    )
    with writer.stream():
        for row in rows:
            writer.add(writer.params(row))
    connection = writer.connection
    quote = connection.ops.quote_name
    instruments = quote(Instrument._meta.db_table)
    records = quote(VerificationRecord._meta.db_table)
    # Only this import's instruments (owner and creation time) that got a record: each has exactly one.
    sql = (
        f"UPDATE {instruments} SET last_verification_id = ("  # noqa: S608 - quoted model names, values as parameters
        f"SELECT MAX(r.id) FROM {records} r WHERE r.instrument_id = {instruments}.id) "
        f"WHERE owner_id = %s AND created_at = %s "
        f"AND EXISTS (SELECT 1 FROM {records} r WHERE r.instrument_id = {instruments}.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [owning.pk, connection.ops.adapt_datetimefield_value(now)])


# ---- Jobs (the web page's import with progress) ----------------------------------------------------------------


def progress_cache_key(job_id: Any) -> str:
    return f"jiliang:import-job:{job_id}"


def import_job_progress(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: live from the cache while it runs, else from the job row.

    Live progress cannot go through the job row: the import holds one transaction open to the end, and on SQLite
    the write lock as well, so a row updated from inside it would be invisible (or blocked) until the end. The
    cache is per process unless settings.CACHES names a shared one; another process shows 0 until the end.
    """
    if job.status == ImportJob.Status.RUNNING:
        live = cache.get(progress_cache_key(job.pk))
        if live is not None:
            return live
    return job.done, job.total


def import_job_create(
    *, actor: User, owner: Organization | int | None, upload: IO[bytes], file_name: str, partial: bool
) -> ImportJob:
    """Keep the uploaded file under MEDIA_ROOT/imports/ and create its job (it runs with :func:`import_job_run`).

    The file stays until the job refuses it, or until ``JILIANG_UPLOAD_RETENTION_DAYS`` after the job finished
    (:func:`uploads_cleanup`)."""
    from django.core.files import File

    owning = _owner_for(actor, owner)
    job = ImportJob(owner=owning, actor=actor, file_name=os.path.basename(file_name)[:255], partial=partial)
    job.file.save(f"{job.pk}.xlsx", File(upload), save=False)
    job.save(force_insert=True)
    return job


def import_job_run(*, job_id: Any) -> ImportJob:
    """Run one import job to the end and store its report. Never raises for a bad file or a crash: the job says."""
    job = ImportJob.objects.select_related("owner", "actor").get(pk=job_id)
    job.status = ImportJob.Status.RUNNING
    job.total = sheet_row_estimate(job.file.path) or 0
    job.save(update_fields=["status", "total"])
    key = progress_cache_key(job.pk)

    def progress(done: int, total: int) -> None:
        cache.set(key, (done, total), 3600)

    try:
        report = instruments_import(
            actor=job.actor,
            owner=job.owner_id,
            file=job.file.path,
            partial=job.partial,
            progress=progress,
            file_name=job.file_name,
        )
    except DomainError as exc:
        report = ImportReport(partial=job.partial, file_error=exc.message)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        report = ImportReport(partial=job.partial, file_error=_("导入时发生内部错误，未保存任何数据，请联系管理员"))
    job.status = ImportJob.Status.DONE if report.committed else ImportJob.Status.FAILED
    job.total = report.total_rows
    job.done = report.total_rows if report.file_error is None else 0
    job.report = report.as_dict()
    job.finished_at = timezone.now()
    fields = ["status", "total", "done", "report", "finished_at"]
    if report.file_refused:
        # The report says why; the file (perhaps hostile, perhaps 200 MB) serves nothing any more.
        _delete_upload(job)
        fields.append("file")
    job.save(update_fields=fields)
    cache.delete(key)
    return job


def _delete_upload(job: ImportJob) -> int:
    """Remove the job's file from storage and from the row (not saved); returns its size (0 if already gone)."""
    name = job.file.name
    if not name:
        return 0
    storage = job.file.storage
    try:
        size = storage.size(name)
    except OSError:
        size = 0
    storage.delete(name)
    # The column is NOT NULL: an empty name is "no file" (FieldFile.delete would write NULL).
    job.file.name = ""
    return size


def import_job_start(*, job_id: Any) -> threading.Thread:
    """Run the job in a background thread of this process (a large file would outlast the request).

    The thread closes its own database connection at the end. A job whose process stops half-way stays
    "running" with nothing saved (its transaction is rolled back) until :func:`uploads_cleanup` closes it.
    """

    def run() -> None:
        try:
            import_job_run(job_id=job_id)
        finally:
            db_connection.close()

    thread = threading.Thread(target=run, name=f"jiliang-import-{job_id}", daemon=True)
    thread.start()
    return thread


def import_job_get(user: User | None, job_id: Any) -> ImportJob:
    """A job, for the user who started it or an admin; anyone else is told it does not exist."""
    scope = scope_of(user)
    job = ImportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or not scope.role or not (scope.is_admin or job.actor_id == user.pk):
        raise NotFoundOrForbidden(_("导入任务不存在"))
    return job


# ---- Retention of uploaded files ---------------------------------------------------------------------------------

# A job still pending or running this long after it was created has lost its process (an import of the largest
# file takes minutes): it is closed as failed, and its file goes. Files under imports/ that no job names (a job
# row deleted, a crash between saving the file and its row) go after the same time.
ABANDONED_AFTER = timedelta(days=1)
UPLOADS_DIR = "imports"


@dataclass
class DeletedUpload:
    name: str  # the storage name, imports/<job id>.xlsx
    size: int
    job_id: str | None  # None: a file no job names
    reason: str  # "finished", "abandoned" or "orphan"


@dataclass
class UploadsCleanup:
    deleted: list[DeletedUpload] = field(default_factory=list)
    abandoned_jobs: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def bytes(self) -> int:
        return sum(d.size for d in self.deleted)


def uploads_cleanup(
    *, now: datetime, retention_days: int, dry_run: bool = False, actor: User | None = None
) -> UploadsCleanup:
    """Delete the uploaded files kept past their retention, in one audited run (idempotent).

    - a finished job's file (done, or failed for its rows), ``retention_days`` after the job finished; a refused
      file went when its job finished (:func:`import_job_run`);
    - a job pending or running for ABANDONED_AFTER (its process is gone, its transaction rolled back) is closed
      as failed, and its file deleted;
    - a file under imports/ that no job names, ABANDONED_AFTER after it was last written.

    Each job's report stays in its row. The rows change and one ``upload.cleanup`` audit event is written in one
    transaction; the files are deleted after it commits (a file whose deletion fails is an orphan next time).
    ``dry_run`` lists what would go and changes nothing.
    """
    result = UploadsCleanup(dry_run=dry_run)
    finished_before = now - timedelta(days=retention_days)
    abandoned_before = now - max(timedelta(days=retention_days), ABANDONED_AFTER)
    storage = cast(FileField, ImportJob._meta.get_field("file")).storage
    with transaction.atomic():
        finished = (
            ImportJob.objects.select_for_update()
            .filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED], finished_at__lt=finished_before)
            .exclude(file="")
            .order_by("finished_at")
        )
        abandoned = (
            ImportJob.objects.select_for_update()
            .filter(status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING], created_at__lt=abandoned_before)
            .order_by("created_at")
        )
        for reason, jobs in (("finished", finished), ("abandoned", abandoned)):
            for job in jobs:
                name = job.file.name
                if name:
                    result.deleted.append(DeletedUpload(name, _stored_size(storage, name), str(job.pk), reason))
                if reason == "abandoned":
                    result.abandoned_jobs.append(str(job.pk))
                if dry_run:
                    continue
                job.file.name = ""
                if reason == "finished":
                    job.save(update_fields=["file"])
                    continue
                job.status = ImportJob.Status.FAILED
                job.finished_at = now
                job.report = ImportReport(
                    partial=job.partial, file_error=_("导入未完成（处理进程已中断），未保存任何数据，请重新导入")
                ).as_dict()
                job.save(update_fields=["file", "status", "finished_at", "report"])
        named = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
        named.difference_update(d.name for d in result.deleted)
        for name, size, modified in _stored_uploads(storage):
            if name not in named and modified < abandoned_before:
                result.deleted.append(DeletedUpload(name, size, None, "orphan"))
        if result.deleted and not dry_run:
            audit.record(
                actor=actor,
                action="upload.cleanup",
                object_type="instruments.importjob",
                changes={
                    "retention_days": retention_days,
                    "files": [
                        {"name": d.name, "size": d.size, "job": d.job_id, "reason": d.reason} for d in result.deleted
                    ],
                    "bytes": result.bytes,
                    "abandoned_jobs": result.abandoned_jobs,
                },
            )
    if not dry_run:
        for deleted in result.deleted:
            try:
                storage.delete(deleted.name)
            except OSError:
                logger.exception("could not delete the upload %s", deleted.name)
    return result


def _stored_size(storage: Any, name: str) -> int:
    try:
        return storage.size(name)
    except OSError:
        return 0  # already gone: the row is cleared all the same


def _stored_uploads(storage: Any) -> Iterator[tuple[str, int, datetime]]:
    """(name, size, last modified) of every file under imports/."""
    try:
        _dirs, files = storage.listdir(UPLOADS_DIR)
    except FileNotFoundError:
        return
    for file_name in sorted(files):
        name = f"{UPLOADS_DIR}/{file_name}"
        try:
            yield name, storage.size(name), storage.get_modified_time(name)
        except OSError:
            continue
