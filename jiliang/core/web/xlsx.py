"""Spreadsheets the platform writes: every text cell neutralised (never run as a formula), one sheet writer for the
exports (a title row, a header row, the rows, streamed in openpyxl's write-only mode so memory stays flat), and the
download answer.

Neutralising: a text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return, OWASP "CSV injection") gets a leading single quote, so the cell is plain text. The quote is visible in the
cell: the value was not changed silently. Characters XML cannot hold are dropped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=12)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")
# Kept in memory up to this size, then in a temporary file.
_SPOOL = 16 * 1024 * 1024
_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """Make ``value`` safe as a spreadsheet cell: plain text, never a formula, no characters XML cannot hold.

    >>> neutralize("=1+1"), neutralize("-5"), neutralize("ok")
    ("'=1+1", "'-5", 'ok')
    """
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(_DANGEROUS_FIRST):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A cell's value: text neutralised, anything else (numbers, dates, None) as it is."""
    return neutralize(value) if isinstance(value, str) else value


def styled(sheet: WriteOnlyWorksheet, value: Any, *, font: Font | None = None, fill: PatternFill | None = None) -> Any:
    """One cell of a write-only sheet with a font or a fill (``value`` neutralised)."""
    result = WriteOnlyCell(sheet, value=cell(value))
    if font is not None:
        result.font = font
    if fill is not None:
        result.fill = fill
    return result


def write_sheet(
    workbook: Workbook,
    name: str,
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str = "",
    title_font: Font | None = TITLE,
    header_font: Font | None = BOLD,
    header_fill: PatternFill | None = None,
    widths: Sequence[float] = (),
    freeze: bool = True,
) -> WriteOnlyWorksheet:
    """Add a sheet to a write-only ``workbook``: the ``title`` row (when there is one), the header row, then
    ``rows``; every cell neutralised. ``freeze`` keeps the title and the headers in view. The sheet is returned
    so that the caller may append more rows below."""
    sheet: WriteOnlyWorksheet = workbook.create_sheet(neutralize(name)[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = "A3" if title else "A2"
    if title:
        sheet.append([styled(sheet, title, font=title_font)])
    sheet.append([styled(sheet, text, font=header_font, fill=header_fill) for text in headers])
    for values in rows:
        sheet.append([cell(v) for v in values])
    return sheet


def attachment(filename: str, write: Callable[[IO[bytes]], Any]) -> FileResponse:
    """The download of a workbook that ``write`` saves to the stream it is given (``workbook.save``)."""
    out = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
    write(out)
    out.seek(0)
    # FileResponse writes the non-ASCII name as filename*=utf-8''… (RFC 5987) beside an ASCII fallback.
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
