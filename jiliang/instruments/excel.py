"""The registry's spreadsheet formats: the import template and the export of a filtered list.

File format, version 1 (``FORMAT_VERSION``):

- The data sheet is the first sheet; row 1 holds the headers, data starts at row 2. Columns are found by their
  header, so their order does not matter and extra columns (such as the owner and derived columns of an export)
  are ignored on import. The headers are identifiers of the format: they are the same Chinese text in every UI
  language and are not translated.
- The template's row 2 is an example (grey italics, with a note on its first cell). Left as it is, the importer
  recognises it by its serial number and name (``EXAMPLE_SERIAL`` and ``EXAMPLE_NAME``) and ignores it; once
  edited it is an ordinary row.
- On import, a cell holding a formula, or text starting with "=", is refused (never evaluated, never stored);
  python-calamine reads the cells, and the sheet's XML is scanned for ``<f>`` elements to find formulas.
- A file is read within limits (``JILIANG_IMPORT_*`` in settings): the zip's sizes and compression ratio, the
  sheet's declared dimension, its rows, its shared strings; the parse runs in a child process with memory, CPU
  and time limits (``sheet_worker``). A file over a limit is refused with a message that names the limit.
- An export neutralises every text cell that a spreadsheet would run as a formula (``jiliang.core.web.xlsx``).
"""

from __future__ import annotations

import io
import logging
import math
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core import clock
from jiliang.core.web.xlsx import write_sheet
from jiliang.metrology import due

from . import sheet_worker
from .models import Instrument, failed_due_label, status_label

logger = logging.getLogger(__name__)

FORMAT_VERSION = "1"
DATA_SHEET = "计量器具"
HELP_SHEET = "说明"
# The hidden sheet that holds the drop-down lists; an ASCII name keeps every spreadsheet program's formula
# parser happy (WPS and LibreOffice included).
LISTS_SHEET = "lists"
# Excel's last row: the drop-downs cover every row a user may fill.
LAST_ROW = 1_048_576

EXAMPLE_SERIAL = "示例-0001"
EXAMPLE_NAME = "电子计价秤（示例）"
EXAMPLE_CATALOG_CODE = "02"


@dataclass(frozen=True)
class Column:
    header: str  # fixed, see the module docstring
    field: str  # the Instrument field it fills
    kind: str  # "catalog", "usage", "text" or "date"
    required: bool
    width: int
    help: Promise
    example: Any


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column(
        "目录条目",
        "catalog_item",
        "catalog",
        False,
        34,
        gettext_lazy("从下拉列表选择强制管理目录中的条目（也可只填编号，如 02）；不在目录中的器具留空"),
        None,  # the label of catalog row 02, read from the database
    ),
    Column(
        "用途",
        "usage",
        "usage",
        True,
        18,
        gettext_lazy("从下拉列表选择；贸易结算、安全防护、医疗卫生、环境监测等用途决定是否强制检定"),
        "贸易结算",
    ),
    Column("器具名称", "name", "text", True, 20, gettext_lazy("器具的名称"), EXAMPLE_NAME),
    Column("制造单位", "manufacturer", "text", False, 24, gettext_lazy("制造厂名称"), "示例衡器有限公司"),
    Column("型号规格", "model", "text", False, 14, gettext_lazy("铭牌上的型号规格"), "ACS-15"),
    Column(
        "出厂编号",
        "serial_number",
        "text",
        True,
        16,
        gettext_lazy("铭牌上的出厂编号；同一单位、同一目录条目下不得重复"),
        EXAMPLE_SERIAL,
    ),
    Column("设备（资产）编号", "asset_number", "text", False, 16, gettext_lazy("本单位的设备或资产编号"), "ZC-0001"),
    Column("准确度等级", "accuracy_class", "text", False, 12, gettext_lazy("如 Ⅲ、0.5 级"), "Ⅲ"),
    Column("测量范围", "measuring_range", "text", False, 16, gettext_lazy("如 (0～15) kg"), "(0～15) kg"),
    Column("安装使用地点", "location", "text", False, 20, gettext_lazy("器具安装或使用的地点"), "一号摊位"),
    Column(
        "备案日期",
        "registered_on",
        "date",
        False,
        12,
        gettext_lazy("日期，格式 YYYY-MM-DD；留空则为导入当天"),
        date(2025, 1, 10),
    ),
    Column(
        "最近检定日期",
        "last_verified_on",
        "date",
        False,
        14,
        gettext_lazy("登记前最近一次检定的日期，格式 YYYY-MM-DD，不能晚于今天（登记为既往检定记录）；从未检定的留空"),
        date(2025, 3, 1),
    ),
)

EXPORT_HEADERS: tuple[str, ...] = (
    "使用单位",
    "县（区）",
    *(c.header for c in IMPORT_COLUMNS),
    "状态",
    "强制检定",
    "下次检定日期",
    "检定状态",
)
_EXPORT_WIDTHS = (28, 10, *(c.width for c in IMPORT_COLUMNS), 8, 10, 14, 10)

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def catalog_label(item: CatalogItem) -> str:
    """The text of a catalog row in the drop-down, the export and the import: "02 电子计价秤(数字指示秤)"."""
    return f"{item.code} {item.kind}"


def usage_label(value: str) -> str:
    return str(Usage(value).label)


# ---- Template ------------------------------------------------------------------------------------------------


def build_template() -> bytes:
    """The import template (.xlsx): headers, one example row, drop-downs, and a sheet of instructions."""
    items = list(CatalogItem.objects.filter(active=True).order_by("code"))
    usages = [usage_label(value) for value in Usage.values]
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    wb.properties.title = _("计量器具导入模板")
    wb.properties.keywords = f"jiliang-instrument-import-v{FORMAT_VERSION}"

    lists = wb.create_sheet(LISTS_SHEET)
    for row, item in enumerate(items, start=1):
        lists.cell(row=row, column=1, value=catalog_label(item))
    for row, label in enumerate(usages, start=1):
        lists.cell(row=row, column=2, value=label)
    lists.sheet_state = "hidden"

    example_item = next((i for i in items if i.code == EXAMPLE_CATALOG_CODE), items[0] if items else None)
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = get_column_letter(index)
        head = ws.cell(row=1, column=index, value=column.header)
        head.font = Font(bold=True)
        head.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        head.alignment = Alignment(horizontal="center")
        head.comment = Comment(str(column.help), "jiliang")
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width
        example = column.example
        if column.kind == "catalog":
            example = catalog_label(example_item) if example_item else ""
        cell = ws.cell(row=2, column=index, value=example)
        cell.font = _EXAMPLE_FONT
        if column.kind == "date":
            cell.number_format = "yyyy-mm-dd"
            dimension.number_format = "yyyy-mm-dd"
        elif column.kind == "text":
            # Typed as text, a serial number keeps its leading zeros and is never read as a date or number.
            dimension.number_format = "@"
            cell.number_format = "@"
    ws["A2"].comment = Comment(
        _("第 2 行是示例：原样保留时导入会忽略它；请从第 3 行起填写，或直接改写本行。"), "jiliang"
    )
    ws.freeze_panes = "A2"

    def validate(index: int, title: str, error: str, **rule: Any) -> None:
        """Column ``index`` (from row 2) keeps to ``rule``; a value that breaks it shows ``error`` under ``title``."""
        letter = get_column_letter(index)
        dv = DataValidation(showErrorMessage=True, errorTitle=title, error=error, **rule)
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)

    def choose(kind: str, lists_column: str, count: int, title: str, error: str, *, allow_blank: bool) -> None:
        """The column of ``kind`` takes one of the ``count`` values in ``lists_column`` of the lists sheet."""
        index = next(i for i, c in enumerate(IMPORT_COLUMNS, start=1) if c.kind == kind)
        values = f"{LISTS_SHEET}!${lists_column}$1:${lists_column}${count}"
        validate(index, title, error, type="list", formula1=values, allow_blank=allow_blank)

    choose("catalog", "A", max(len(items), 1), _("目录条目"), _("请从下拉列表中选择目录条目"), allow_blank=True)
    choose("usage", "B", len(usages), _("用途"), _("请从下拉列表中选择用途"), allow_blank=False)
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        if column.kind == "date":
            error = _("请填写日期，格式 YYYY-MM-DD")
            validate(index, column.header, error, type="date", operator="greaterThan", formula1="1", allow_blank=True)

    _help_sheet(wb.create_sheet(HELP_SHEET, 1))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _help_sheet(ws) -> None:
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 90
    ws.append([_("计量器具批量导入说明")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("格式版本"), FORMAT_VERSION])
    ws.append([])
    notes = [
        _("1. 在“%(sheet)s”工作表中填写，每行一台器具；第 1 行为列名，请勿修改。") % {"sheet": DATA_SHEET},
        _("2. 第 2 行是示例（灰色斜体）：原样保留时导入会忽略它；修改后将作为数据导入。"),
        _("3. 目录条目、用途请从下拉列表选择；日期按 YYYY-MM-DD 填写。"),
        _("4. 不允许使用公式：含公式的单元格或以“=”开头的内容会被拒绝，请粘贴为数值。"),
        _("5. 同一单位、同一目录条目下出厂编号不得重复（文件内和已登记的器具都不能重复）。"),
        _("6. 默认全部校验通过才导入；勾选“只导入正确的行”时，导入正确的行并列出错误的行。"),
        _("7. 是否强制检定、下次检定日期由系统根据目录和用途自动计算，无需填写。"),
    ]
    for note in notes:
        ws.append([note])
    ws.append([])
    ws.append([_("列名"), _("必填"), _("说明")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in IMPORT_COLUMNS:
        max_length = Instrument._meta.get_field(column.field).max_length if column.kind == "text" else None
        text = str(column.help)
        if column.kind == "text" and max_length:
            text += _("（最多 %(n)s 个字符）") % {"n": max_length}
        ws.append([column.header, _("是") if column.required else "", text])


# ---- Export --------------------------------------------------------------------------------------------------

_EXPORT_VALUES = (
    "owner__name",
    "region__name",
    "catalog_item__code",
    "catalog_item__kind",
    "usage",
    # The template's 最近检定日期 column: the date of the last valid verification (a LEFT JOIN on its key).
    *(
        "last_verification__performed_on" if c.field == "last_verified_on" else c.field
        for c in IMPORT_COLUMNS
        if c.kind in ("text", "date")
    ),
    "status",
    "stop_reason",
    "mandatory",
    "due_on",
)


def export_xlsx(queryset: QuerySet[Instrument], *, stream: IO[bytes] | None = None) -> bytes | None:
    """Write ``queryset`` (already scoped and filtered by the caller) as .xlsx.

    Returns the bytes, or writes to ``stream`` and returns ``None``. Streams rows from the database in chunks
    and uses openpyxl's write-only mode, so memory stays flat however long the list is.
    """
    today = clock.today()
    soon_days = settings.JILIANG_DUE_SOON_DAYS
    usage_labels = {value: str(label) for value, label in Usage.choices}
    status_labels = {value: str(label) for value, label in Instrument.Status.choices}
    due_labels = {value: str(label) for value, label in Instrument.DueState.choices}
    # Stopped as failed: said as on the pages (a stop reason is set only while the instrument is stopped).
    failed = Instrument.StopReason.FAILED_VERIFICATION
    failed_status = status_label(Instrument.Status.STOPPED, failed)
    failed_due = failed_due_label()
    yes, no = _("是"), _("否")
    text_fields = [c.field for c in IMPORT_COLUMNS if c.kind in ("text", "date")]
    verified_index = text_fields.index("last_verified_on")

    def rows() -> Iterator[list[Any]]:
        for owner_name, county, code, kind, usage, *rest in queryset.values_list(*_EXPORT_VALUES).iterator(
            chunk_size=5000
        ):
            fields, (status, stop_reason, mandatory, due_on) = rest[: len(text_fields)], rest[len(text_fields) :]
            last_verified_on = fields[verified_index]
            state = due.due_state(
                due_on,
                today=today,
                mandatory=mandatory and status == Instrument.Status.IN_USE,
                verified=last_verified_on is not None,
                soon_days=soon_days,
            )
            yield [
                owner_name,
                county,
                f"{code} {kind}" if code else "",
                usage_labels.get(usage, usage),
                *fields,
                failed_status if stop_reason == failed else status_labels.get(status, status),
                yes if mandatory else no,
                due_on,
                failed_due if stop_reason == failed else due_labels.get(str(state), str(state)),
            ]

    wb = Workbook(write_only=True)
    wb.properties.title = _("计量器具台账")
    wb.properties.keywords = f"jiliang-instrument-export-v{FORMAT_VERSION}"
    write_sheet(wb, DATA_SHEET, headers=EXPORT_HEADERS, rows=rows(), header_font=None, widths=_EXPORT_WIDTHS)
    if stream is not None:
        wb.save(stream)
        return None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- Reading -------------------------------------------------------------------------------------------------

MB = 1024 * 1024


class SheetError(Exception):
    """The file cannot be read as an .xlsx workbook, or exceeds a limit; the message is for the user."""


class SheetReaderFailed(SheetError):
    """The reader failed in a way no file should cause (logged); the file is kept for the administrator."""


@dataclass
class Sheet:
    rows: list[tuple[Any, ...]]  # as wide as the sheet, the header first
    formulas: set[tuple[int, int]]


def read_limits() -> sheet_worker.Limits:
    """The upload limits in settings (``JILIANG_IMPORT_*``), read at each import so that a test may change them."""
    return sheet_worker.Limits(
        max_members=settings.JILIANG_IMPORT_MAX_MEMBERS,
        max_part_bytes=settings.JILIANG_IMPORT_MAX_PART_BYTES,
        max_total_bytes=settings.JILIANG_IMPORT_MAX_UNPACKED_BYTES,
        max_ratio=settings.JILIANG_IMPORT_MAX_RATIO,
        max_rows=settings.JILIANG_IMPORT_MAX_ROWS,
        max_columns=settings.JILIANG_IMPORT_MAX_COLUMNS,
        max_shared_strings=settings.JILIANG_IMPORT_MAX_SHARED_STRINGS,
        memory_bytes=settings.JILIANG_IMPORT_READER_MEMORY_BYTES,
        cpu_seconds=settings.JILIANG_IMPORT_READER_CPU_SECONDS,
        timeout_seconds=settings.JILIANG_IMPORT_READER_TIMEOUT_SECONDS,
    )


def _megabytes(size: int) -> str:
    """``size`` in MB with at most one decimal, rounded up (a size just over a limit never shows as equal to it)."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")


def refusal_message(refusal: sheet_worker.Refused) -> str:
    """The user's message for a file refused by a limit, naming the limit."""
    p = refusal.params
    code = refusal.code
    if code == "members":
        return _("文件（.xlsx 压缩包）内有 %(count)s 个文件，超过 %(limit)s 个的上限") % p
    if code == "part_size":
        return _("文件中的“%(part)s”解压后有 %(size)s MB，超过 %(limit)s MB 的上限") % {
            "part": p["part"],
            "size": _megabytes(p["size"]),
            "limit": _megabytes(p["limit"]),
        }
    if code == "total_size":
        return _("文件解压后有 %(size)s MB，超过 %(limit)s MB 的上限") % {
            "size": _megabytes(p["size"]),
            "limit": _megabytes(p["limit"]),
        }
    if code == "ratio" and p["part"] == "*":
        return _("文件的压缩比为 %(ratio)s:1，超过 %(limit)s:1 的上限（疑似压缩炸弹）") % p
    if code == "ratio":
        return _("文件中的“%(part)s”压缩比为 %(ratio)s:1，超过 %(limit)s:1 的上限（疑似压缩炸弹）") % p
    if code == "size_mismatch":
        return _("文件中的“%(part)s”解压后与压缩包声明的 %(declared)s 字节不符，文件已损坏或被篡改") % p
    if code == "dimension_columns":
        return _("第一个工作表声明的范围 %(ref)s 有 %(columns)s 列，超过 %(limit)s 列的上限") % p
    if code == "dimension_rows":
        return _("第一个工作表声明的范围 %(ref)s 有 %(rows)s 个数据行，超过一次导入的上限 %(limit)s 行") % p
    if code == "rows" and "rows" in p:
        return _("文件有 %(rows)s 行，超过一次导入的上限 %(limit)s 行，请拆分后分批导入") % p
    if code == "rows":
        return _("文件的数据行超过一次导入的上限 %(limit)s 行，请拆分后分批导入") % p
    if code == "columns":
        return _("第一个工作表有 %(columns)s 列，超过 %(limit)s 列的上限") % p
    if code == "shared_strings":
        return _("文件中的共享字符串超过 %(limit)s 个的上限") % p
    if code == "memory":
        return _("读取文件时超过 %(limit)s MB 的内存上限，未保存任何数据（表格范围或内容过大），请拆分后分批导入") % {
            "limit": _megabytes(p["size"])
        }
    if code == "cpu":
        return _("读取文件时超过 %(seconds)s 秒的 CPU 时间上限，未保存任何数据，请拆分后分批导入") % p
    if code == "timeout":
        return _("读取文件超过 %(seconds)s 秒的时间上限，未保存任何数据，请稍后重试或拆分后分批导入") % p
    raise ValueError(f"unknown refusal {code!r}")


@contextmanager
def on_disk(source: bytes | str | os.PathLike) -> Iterator[Path]:
    """``source`` as a file: the reader runs in another process, which opens it by name."""
    if isinstance(source, str | os.PathLike):
        yield Path(source)
        return
    with tempfile.NamedTemporaryFile(prefix="jiliang-import-", suffix=".xlsx") as fh:
        fh.write(source)
        fh.flush()
        yield Path(fh.name)


def read_sheet(source: bytes | str | os.PathLike) -> Sheet:
    """The cells of the workbook's first sheet and where its formulas are (``sheet_worker``: the checks in this
    process, the parse in a child with memory, CPU and time limits).

    Raises :class:`SheetError` with a message for the user when the file is not a readable .xlsx or exceeds a
    limit (the message names the limit).
    """
    corrupt = _("文件已损坏或不是有效的 Excel .xlsx 文件，无法读取")
    with on_disk(source) as path:
        with path.open("rb") as fh:
            magic = fh.read(4)
        if magic != b"PK\x03\x04":
            if magic == b"\xd0\xcf\x11\xe0":
                raise SheetError(
                    _("文件不是 .xlsx 格式（可能是旧版 .xls 或加了密码的文件）：请在 Excel 中另存为 .xlsx 后再导入")
                )
            raise SheetError(_("文件不是 Excel .xlsx 格式，请使用导入模板"))
        limits = read_limits()
        try:
            sheet_worker.inspect(path, limits)
            result = sheet_worker.run(path, limits)
        except sheet_worker.Refused as exc:
            logger.info("upload refused: %s %s", exc.code, exc.params)
            raise SheetError(refusal_message(exc)) from exc
        except sheet_worker.Corrupt as exc:
            logger.info("upload unreadable: %s", exc)
            raise SheetError(corrupt) from exc
        except sheet_worker.ReaderFailed as exc:
            logger.error("the spreadsheet reader failed: %s", exc)
            raise SheetReaderFailed(_("导入时发生内部错误，未保存任何数据，请联系管理员")) from exc
    return Sheet(rows=result.rows, formulas=result.formulas)


def sheet_row_estimate(file: bytes | str | os.PathLike) -> int | None:
    """Rows of the data sheet from its ``<dimension>`` (cheap), to decide whether to import in the background.

    ``None`` when the file is not a readable .xlsx or is refused by what the zip's directory and the sheet's head
    show (the import itself will say why, at once).
    """
    try:
        limits = read_limits()
        with on_disk(file) as path, path.open("rb") as fh, sheet_worker.open_archive(fh, limits) as archive:
            package = sheet_worker.package_parts(archive)
            head = sheet_worker.sheet_head(archive, package.sheet_part)
            size = archive.getinfo(package.sheet_part).file_size
        sheet_worker.check_dimension(head, limits)
    except (
        sheet_worker.Refused,
        sheet_worker.Corrupt,
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        RuntimeError,
        KeyError,
        ValueError,
    ):
        return None
    declared = sheet_worker.declared_dimension(head)
    if declared is not None:
        return declared[1]
    # No dimension element (some writers leave it out): at least 300 bytes of XML per row of the template.
    return size // 300
