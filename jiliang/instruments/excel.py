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
- An export neutralises every text cell that a spreadsheet would run as a formula (starting with = + - @, a tab
  or a carriage return, OWASP "CSV injection") by prefixing a single quote, so the cell is plain text. The quote
  is visible in the cell: the value was not changed silently.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

import python_calamine
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.datavalidation import DataValidation

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.metrology import due

from .models import Instrument

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
_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def catalog_label(item: CatalogItem) -> str:
    """The text of a catalog row in the drop-down, the export and the import: "02 电子计价秤(数字指示秤)"."""
    return f"{item.code} {item.kind}"


def usage_label(value: str) -> str:
    return str(Usage(value).label)


def neutralize(value: str) -> str:
    """Make ``value`` safe as a spreadsheet cell: plain text, never a formula, no characters XML cannot hold.

    >>> neutralize("=1+1"), neutralize("-5"), neutralize("ok")
    ("'=1+1", "'-5", 'ok')
    """
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(_DANGEROUS_FIRST):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    return neutralize(value) if isinstance(value, str) else value


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

    def column_range(kind: str) -> str:
        index = next(i for i, c in enumerate(IMPORT_COLUMNS, start=1) if c.kind == kind)
        letter = get_column_letter(index)
        return f"{letter}2:{letter}{LAST_ROW}"

    catalog_dv = DataValidation(
        type="list",
        formula1=f"{LISTS_SHEET}!$A$1:$A${max(len(items), 1)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("目录条目"),
        error=_("请从下拉列表中选择目录条目"),
    )
    catalog_dv.add(column_range("catalog"))
    usage_dv = DataValidation(
        type="list",
        formula1=f"{LISTS_SHEET}!$B$1:$B${len(usages)}",
        allow_blank=False,
        showErrorMessage=True,
        errorTitle=_("用途"),
        error=_("请从下拉列表中选择用途"),
    )
    usage_dv.add(column_range("usage"))
    ws.add_data_validation(catalog_dv)
    ws.add_data_validation(usage_dv)
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        if column.kind != "date":
            continue
        letter = get_column_letter(index)
        date_dv = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="1",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column.header,
            error=_("请填写日期，格式 YYYY-MM-DD"),
        )
        date_dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(date_dv)

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
    "mandatory",
    "due_on",
)


def export_xlsx(queryset: QuerySet[Instrument], *, stream: IO[bytes] | None = None) -> bytes | None:
    """Write ``queryset`` (already scoped and filtered by the caller) as .xlsx.

    Returns the bytes, or writes to ``stream`` and returns ``None``. Streams rows from the database in chunks
    and uses openpyxl's write-only mode, so memory stays flat however long the list is.
    """
    today = timezone.localdate()
    soon_days = settings.JILIANG_DUE_SOON_DAYS
    usage_labels = {value: str(label) for value, label in Usage.choices}
    status_labels = {value: str(label) for value, label in Instrument.Status.choices}
    due_labels = {value: str(label) for value, label in Instrument.DueState.choices}
    yes, no = _("是"), _("否")
    text_fields = [c.field for c in IMPORT_COLUMNS if c.kind in ("text", "date")]
    verified_index = text_fields.index("last_verified_on")

    wb = Workbook(write_only=True)
    wb.properties.title = _("计量器具台账")
    wb.properties.keywords = f"jiliang-instrument-export-v{FORMAT_VERSION}"
    ws = wb.create_sheet(DATA_SHEET)
    for index, width in enumerate(_EXPORT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.append(EXPORT_HEADERS)
    rows = queryset.values_list(*_EXPORT_VALUES).iterator(chunk_size=5000)
    for owner_name, county, code, kind, usage, *rest in rows:
        fields, (status, mandatory, due_on) = rest[: len(text_fields)], rest[len(text_fields) :]
        last_verified_on = fields[verified_index]
        state = due.due_state(
            due_on,
            today=today,
            mandatory=mandatory and status == Instrument.Status.IN_USE,
            verified=last_verified_on is not None,
            soon_days=soon_days,
        )
        ws.append(
            [
                _cell(owner_name),
                _cell(county),
                _cell(f"{code} {kind}") if code else "",
                usage_labels.get(usage, usage),
                *(_cell(v) for v in fields),
                status_labels.get(status, status),
                yes if mandatory else no,
                due_on,
                due_labels.get(str(state), str(state)),
            ]
        )
    if stream is not None:
        wb.save(stream)
        return None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- Reading -------------------------------------------------------------------------------------------------

# Uncompressed size of the data sheet's XML above which a file is refused (a "zip bomb" guard).
MAX_SHEET_XML_BYTES = 2 * 1024 * 1024 * 1024


class SheetError(Exception):
    """The file cannot be read as an .xlsx workbook; the message is for the user."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(data: bytes) -> ET.Element:
    # The file is untrusted. ElementTree never fetches external entities and expat (>= 2.4) limits entity
    # expansion; refusing any DTD as well leaves nothing to expand. (defusedxml is not a dependency.)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("DTD in an xlsx part")
    return ET.fromstring(data)  # noqa: S314


def _rel_target(archive: zipfile.ZipFile, rels_path: str, rel_id: str | None, rel_type: str) -> str | None:
    """The part a relationship points to, found by id or (without an id) by the end of its type."""
    base = posixpath.dirname(posixpath.dirname(rels_path))
    for rel in _xml(archive.read(rels_path)):
        if (rel_id is not None and rel.get("Id") == rel_id) or (
            rel_id is None and (rel.get("Type") or "").endswith(rel_type)
        ):
            target = rel.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(base, target))
    return None


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, str]:
    """The name and the zip path of the workbook's first sheet (the one calamine reads as index 0)."""
    workbook = _rel_target(archive, "_rels/.rels", None, "/officeDocument") or "xl/workbook.xml"
    root = _xml(archive.read(workbook))
    sheet = next((e for e in root.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        raise KeyError("no sheet")
    rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
    rels = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    part = _rel_target(archive, rels, rel_id, "/worksheet")
    if part is None:
        raise KeyError("no sheet part")
    return sheet.get("name") or "", part


def _formula_cells(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """0-based (row, column) of every cell of ``part`` that holds a formula.

    A byte search for the ``<f`` element decides whether there is any formula at all (the usual answer is no,
    and it costs one pass of decompression); only then is the XML parsed to place each one.
    """
    with archive.open(part) as fh:
        head = fh.read(4096)
        match = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]", head)
        if match is None or b"<!DOCTYPE" in head[: match.start()]:
            raise ValueError("not a worksheet, or a worksheet with a DTD")
        needle = b"<" + (match.group(1) or b"") + b"f"
        buffer, found = head, False
        while not found:
            start = 0
            while (at := buffer.find(needle, start)) != -1:
                after = buffer[at + len(needle) : at + len(needle) + 1]
                if after in (b">", b"/", b" ", b"\t", b"\r", b"\n"):
                    found = True
                    break
                start = at + 1
            chunk = fh.read(1 << 22)
            if not chunk:
                break
            # Keep the end of the buffer: a needle may straddle two chunks.
            buffer = buffer[-len(needle) :] + chunk
    if not found:
        return set()
    cells: set[tuple[int, int]] = set()
    row, column = -1, -1
    with archive.open(part) as fh:
        # Safe to parse: the head was checked for a DTD above.
        for event, element in ET.iterparse(fh, events=("start", "end")):  # noqa: S314
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    ref = element.get("r")
                    row, column = (int(ref) - 1 if ref else row + 1), -1
                elif tag == "c":
                    ref = element.get("r")
                    if ref:
                        r, c = coordinate_to_tuple(ref)
                        row, column = r - 1, c - 1
                    else:
                        column += 1
                elif tag == "f":
                    cells.add((row, column))
            elif tag == "row":
                element.clear()
    return cells


@dataclass
class Sheet:
    rows: list[list[Any]]
    formulas: set[tuple[int, int]]


def read_sheet(data: bytes) -> Sheet:
    """The cells of the workbook's first sheet (python-calamine) and where its formulas are.

    Raises :class:`SheetError` with a message for the user when the data is not a readable .xlsx.
    """
    if data[:4] != b"PK\x03\x04":
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise SheetError(
                _("文件不是 .xlsx 格式（可能是旧版 .xls 或加了密码的文件）：请在 Excel 中另存为 .xlsx 后再导入")
            )
        raise SheetError(_("文件不是 Excel .xlsx 格式，请使用导入模板"))
    corrupt = _("文件已损坏或不是有效的 Excel .xlsx 文件，无法读取")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheet_name, part = _first_sheet(archive)
            if archive.getinfo(part).file_size > MAX_SHEET_XML_BYTES:
                raise SheetError(_("文件内容过大，请拆分后分批导入"))
            formulas = _formula_cells(archive, part)
    except SheetError:
        raise
    except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError, EOFError, OSError, RuntimeError) as exc:
        # RuntimeError: an encrypted zip member; ValueError: a bad cell reference.
        raise SheetError(corrupt) from exc
    try:
        workbook = python_calamine.CalamineWorkbook.from_object(io.BytesIO(data))
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several error types, all meaning "cannot read this file"
        raise SheetError(corrupt) from exc
    return Sheet(rows=rows, formulas=formulas)


def sheet_row_estimate(file: bytes | str | os.PathLike) -> int | None:
    """Rows of the data sheet from its ``<dimension>`` (cheap), to decide whether to import in the background.

    ``None`` when the file is not a readable .xlsx (the import itself will say why).
    """
    try:
        data = Path(file).read_bytes() if isinstance(file, str | os.PathLike) else file
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _, part = _first_sheet(archive)
            with archive.open(part) as fh:
                head = fh.read(8192)
            size = archive.getinfo(part).file_size
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, RuntimeError, ValueError):
        return None
    match = re.search(rb"<(?:[\w.-]+:)?dimension\s+ref=\"[A-Z]+\d+(?::[A-Z]+(\d+))?\"", head)
    if match and match.group(1):
        return int(match.group(1))
    # No dimension element (some writers leave it out): at least 300 bytes of XML per row of the template.
    return size // 300
