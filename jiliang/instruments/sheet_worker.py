"""Reading an uploaded .xlsx without letting it take the server down.

An .xlsx is a zip of XML parts, and a few kilobytes can describe gigabytes: a sheet with only A1 and XFD1048576
filled makes a dense reader allocate 16 384 × 1 048 576 cells (about 512 GiB, and the process aborts); a
deflate or shared-strings bomb inflates a few hundred KB into hundreds of MB of cells. So a file is read in
three steps, each refusing what the next one could not afford:

1. :func:`inspect` (in the server process, cheap: it reads the zip's directory and a few small parts): the
   number of zip members, every member's declared size, their total, the compression ratio, the first sheet's
   declared ``<dimension>``.
2. In a child process (``python -m jiliang.instruments.sheet_worker``, started by :func:`run`) with memory
   (RLIMIT_AS), CPU (RLIMIT_CPU) and wall-clock limits: every member is inflated once, by us, counting what it
   really holds (a zip whose headers lie about sizes is refused here); the first sheet's rows and the shared
   strings are counted on the way; then python-calamine reads the sheet, and the sheet's real extent is checked
   before its cells become Python objects.
3. The rows go back to the server process through a pipe, in ``marshal`` form (see :func:`_encode`).

A file that escapes the checks of steps 1 and 2 costs the child its limits, never the server: the server sees a
child that died and refuses the file with the limit it hit. This module imports no Django (the child starts in
tens of milliseconds and reads no settings); the limits come from ``excel.read_limits()``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import marshal
import os
import posixpath
import re
import signal
import struct
import subprocess
import sys
import tempfile
import traceback
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

logger = logging.getLogger(__name__)

# Exit status of a child that ran out of memory in Python (Rust's allocator aborts with SIGABRT instead).
EXIT_MEMORY = 3
EXIT_ERROR = 4
# Package parts that are parsed whole with ElementTree (relationships, the workbook) and the head of a sheet
# read for its <dimension>: legitimately a few KB; a bound keeps a hostile one from costing the server.
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024
DIMENSION_HEAD_BYTES = 64 * 1024
# The compression-ratio check applies to members above this size; a small part may compress well and be harmless.
RATIO_MIN_BYTES = 1024 * 1024
# Inflated bytes handed to the scanners at a time.
CHUNK = 4 * 1024 * 1024
# A zip's central directory lists each member in at least 46 bytes (an .xlsx's is a few KB): a bigger one than
# this is refused before Python builds an object per entry.
MAX_CENTRAL_DIRECTORY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one upload may cost. ``max_rows`` counts data rows (the header row comes on top)."""

    max_members: int
    max_part_bytes: int
    max_total_bytes: int
    max_ratio: int
    max_rows: int
    max_columns: int
    max_shared_strings: int
    memory_bytes: int
    cpu_seconds: int
    timeout_seconds: float


class Refused(Exception):
    """The file exceeds a limit; ``code`` names which, ``params`` carries the figures for the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class Corrupt(Exception):
    """The file is not a readable .xlsx (the message to the user is the same whatever the detail)."""


class ReaderFailed(RuntimeError):
    """The child failed in a way no file should cause (a bug, or a broken installation)."""


# ---- Step 1: the zip's directory and the small parts (safe in the server process) --------------------------


def _member_count(fh: IO[bytes]) -> tuple[int, int]:
    """(members, central directory size) from the end-of-central-directory record, read before ``zipfile``
    builds one Python object per member. Refuses what ``zipfile`` would refuse anyway as corrupt."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    tail_size = min(size, 22 + 65535)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at == -1 or at + 22 > len(tail):
        raise Corrupt("no end of central directory")
    members, directory_size = struct.unpack_from("<HI", tail, at + 10)
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        # Zip64: the real figures are in the zip64 end record the locator points to.
        (record,) = struct.unpack_from("<Q", tail, locator + 8)
        if record + 56 > size:
            raise Corrupt("zip64 end record out of the file")
        fh.seek(record)
        head = fh.read(56)
        if head[:4] != b"PK\x06\x06":
            raise Corrupt("bad zip64 end record")
        members, directory_size = struct.unpack_from("<QQ", head, 32)
    return members, directory_size


def open_archive(fh: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    """The zip, once its member count, declared sizes and compression ratios are within ``limits``."""
    members, directory_size = _member_count(fh)
    if members > limits.max_members:
        raise Refused("members", count=members, limit=limits.max_members)
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise Corrupt(f"a central directory of {directory_size} bytes")
    fh.seek(0)
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Corrupt(str(exc)) from exc
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise Refused("members", count=len(infos), limit=limits.max_members)
    # Two readers may pick different members of the same name; one name, one member.
    if len({i.filename for i in infos}) != len(infos):
        raise Corrupt("duplicate member names")
    total = compressed = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Corrupt("encrypted member")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Corrupt(f"compression method {info.compress_type}")
        if info.file_size > limits.max_part_bytes:
            raise Refused("part_size", part=info.filename, size=info.file_size, limit=limits.max_part_bytes)
        if info.file_size > RATIO_MIN_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise Refused(
                "ratio", part=info.filename, ratio=info.file_size // max(info.compress_size, 1), limit=limits.max_ratio
            )
        total += info.file_size
        compressed += info.compress_size
    if total > limits.max_total_bytes:
        raise Refused("total_size", size=total, limit=limits.max_total_bytes)
    if total > RATIO_MIN_BYTES and total > limits.max_ratio * max(compressed, 1):
        raise Refused("ratio", part="*", ratio=total // max(compressed, 1), limit=limits.max_ratio)
    return archive


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(archive: zipfile.ZipFile, name: str) -> ET.Element:
    # The file is untrusted. ElementTree never fetches external entities and expat (>= 2.4) limits entity
    # expansion; refusing any DTD as well leaves nothing to expand. (defusedxml is not a dependency.)
    if archive.getinfo(name).file_size > MAX_SMALL_PART_BYTES:
        raise Corrupt(f"{name} is too large for a package part")
    data = archive.read(name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Corrupt("DTD in an xlsx part")
    return ET.fromstring(data)  # noqa: S314


def _rel_target(archive: zipfile.ZipFile, rels_path: str, rel_id: str | None, rel_type: str) -> str | None:
    """The part a relationship points to, found by id or (without an id) by the end of its type."""
    base = posixpath.dirname(posixpath.dirname(rels_path))
    for rel in _xml(archive, rels_path):
        if (rel_id is not None and rel.get("Id") == rel_id) or (
            rel_id is None and (rel.get("Type") or "").endswith(rel_type)
        ):
            target = rel.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(base, target))
    return None


@dataclass
class Package:
    """Where the parts are that a reader of the first sheet reads in full."""

    sheet_name: str
    sheet_part: str
    shared_strings: list[str] = field(default_factory=list)


def package_parts(archive: zipfile.ZipFile) -> Package:
    """The name and the zip path of the workbook's first sheet (the one calamine reads as index 0), and the
    shared-strings parts (by relationship, and under the name every writer uses)."""
    try:
        workbook = _rel_target(archive, "_rels/.rels", None, "/officeDocument") or "xl/workbook.xml"
        root = _xml(archive, workbook)
        sheet = next((e for e in root.iter() if _local(e.tag) == "sheet"), None)
        if sheet is None:
            raise Corrupt("no sheet")
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        rels = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
        part = _rel_target(archive, rels, rel_id, "/worksheet")
        strings = _rel_target(archive, rels, None, "/sharedStrings")
        archive.getinfo(part or "")
    except (KeyError, ET.ParseError, ValueError) as exc:
        raise Corrupt(str(exc)) from exc
    names = {i.filename for i in archive.infolist()}
    shared = {n for n in names if n.lower().endswith("sharedstrings.xml")}
    if strings in names:
        shared.add(strings)
    return Package(sheet_name=sheet.get("name") or "", sheet_part=part or "", shared_strings=sorted(shared))


_DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\s+ref\s*=\s*[\"']\s*"
    rb"(?P<ref>(?P<first_col>[A-Za-z]+)?(?P<first_row>\d+)?(?::(?P<last_col>[A-Za-z]+)(?P<last_row>\d+))?)"
)


def column_number(letters: str) -> int:
    """1-based column of ``letters``: A is 1, Z 26, AA 27, XFD 16 384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def declared_dimension(head: bytes) -> tuple[str, int, int] | None:
    """(ref, rows, columns) of the ``<dimension>`` in the head of a sheet's XML, if it has one."""
    match = _DIMENSION.search(head)
    if match is None or not (match["first_row"] or match["last_row"]):
        return None
    rows = int(match["last_row"] or match["first_row"])
    columns = column_number((match["last_col"] or match["first_col"] or b"A").decode())
    return match["ref"].decode(), rows, columns


def sheet_head(archive: zipfile.ZipFile, part: str) -> bytes:
    with archive.open(part) as fh:
        return fh.read(DIMENSION_HEAD_BYTES)


def check_dimension(head: bytes, limits: Limits) -> None:
    declared = declared_dimension(head)
    if declared is None:
        return
    ref, rows, columns = declared
    if columns > limits.max_columns:
        raise Refused("dimension_columns", ref=ref, columns=columns, limit=limits.max_columns)
    if rows - 1 > limits.max_rows:
        raise Refused("dimension_rows", ref=ref, rows=rows - 1, limit=limits.max_rows)


def inspect(path: str | os.PathLike, limits: Limits) -> Package:
    """Step 1, in the server process: refuse what the zip's directory and the sheet's head already show.

    Reads the end of the file, the central directory (at most ``limits.max_members`` entries), the package's
    relationship and workbook parts (each at most MAX_SMALL_PART_BYTES) and 64 KB of the first sheet.
    """
    with open(path, "rb") as fh:
        with open_archive(fh, limits) as archive:
            package = package_parts(archive)
            try:
                head = sheet_head(archive, package.sheet_part)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
                raise Corrupt(str(exc)) from exc
    check_dimension(head, limits)
    return package


# ---- Step 2, in the child: inflate every member once, count, then let calamine read -------------------------


def _inflate(fh: IO[bytes], info: zipfile.ZipInfo, budget: int):
    """Yield the inflated content of ``info`` in chunks, refusing as soon as it passes its declared size (a
    header that lies) or ``budget``; at the end the size and the CRC must be exactly what the headers say.

    The member's data is found from its local header, as every reader does, and read for exactly its declared
    compressed size.
    """
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise Corrupt(f"bad local header for {info.filename}")
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    fh.seek(info.header_offset + 30 + name_length + extra_length)
    declared = info.file_size
    limit = min(declared, budget)
    left = info.compress_size
    crc = 0
    produced = 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    if inflater is None and info.compress_size != declared:
        raise Refused("size_mismatch", part=info.filename, declared=declared)
    while True:
        if inflater is not None and inflater.unconsumed_tail:
            raw = inflater.unconsumed_tail
        elif left > 0:
            raw = fh.read(min(left, 1 << 20))
            if not raw:
                raise Corrupt(f"{info.filename} is truncated")
            left -= len(raw)
        else:
            break
        try:
            # Never more than one byte past the declared size: that byte is enough to prove the lie.
            out = raw if inflater is None else inflater.decompress(raw, min(CHUNK, limit - produced + 1))
        except zlib.error as exc:
            raise Corrupt(f"{info.filename}: {exc}") from exc
        produced += len(out)
        if produced > limit:
            if produced > declared:
                raise Refused("size_mismatch", part=info.filename, declared=declared)
            raise Refused("total_size", size=produced, limit=budget)
        if out:
            crc = zlib.crc32(out, crc)
            yield out
        if inflater is not None and inflater.eof:
            break
    if inflater is not None and not inflater.eof:
        raise Corrupt(f"{info.filename}: deflate stream does not end")
    if produced != declared:
        raise Refused("size_mismatch", part=info.filename, declared=declared)
    if crc != info.CRC:
        raise Corrupt(f"{info.filename}: bad CRC")


class _Counter:
    """Counts ``needle`` in a stream of chunks, including occurrences that straddle two chunks."""

    def __init__(self, needle: bytes) -> None:
        self.needle = needle
        self.count = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        keep = len(self.needle) - 1
        if self._tail:
            # Occurrences that start in the tail (the end of what came before) and end in this chunk.
            self.count += (self._tail + chunk[:keep]).count(self.needle)
        self.count += chunk.count(self.needle)
        # The tail spans chunks shorter than the needle.
        self._tail = (self._tail + chunk[-keep:])[-keep:] if keep else b""


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_FORMULA_FOLLOWERS = (b">", b"/", b" ", b"\t", b"\r", b"\n")


@dataclass
class SheetScan:
    rows: int = 0  # <row> elements (an upper bound: comments and CDATA could hold more)
    has_formula: bool = False
    head: bytes = b""


def _scan_sheet(chunks, limits: Limits) -> SheetScan:
    """Count the rows of the sheet's XML and look for formulas, refusing as soon as there are too many rows.

    A byte count, not a parse: about 0.1 s for 200 000 rows. It counts ``<row`` (with the root's namespace
    prefix) up to ``</sheetData>``, so it never counts too few for what calamine reads with the same prefix (a
    comment or CDATA could make it count too many); what it cannot see (another prefix) calamine's extent,
    checked after the parse, still catches.
    """
    pending = b""
    scanner: _SheetScanner | None = None
    for chunk in chunks:
        if scanner is None:
            pending += chunk
            if len(pending) < DIMENSION_HEAD_BYTES:
                continue
            chunk, pending = pending, b""
            scanner = _SheetScanner(chunk)
        scanner.feed(chunk, limits)
    if scanner is None:
        scanner = _SheetScanner(pending)
        scanner.feed(pending, limits)
    scanner.scan.rows = scanner.rows.count
    return scanner.scan


class _SheetScanner:
    def __init__(self, head: bytes) -> None:
        match = _ROOT.search(head[:4096])
        if match is None or b"<!DOCTYPE" in head[: match.start()] or b"<!ENTITY" in head[: match.start()]:
            raise Corrupt("not a worksheet, or a worksheet with a DTD")
        prefix = match.group(1) or b""
        self.scan = SheetScan(head=head[:DIMENSION_HEAD_BYTES])
        self.rows = _Counter(b"<" + prefix + b"row")
        self.data_end = b"</" + prefix + b"sheetData>"
        self.formula = b"<" + prefix + b"f"
        self.in_data = True
        self.end_tail = b""
        self.formula_tail = b""

    def feed(self, chunk: bytes, limits: Limits) -> None:
        if self.in_data:
            buffer = self.end_tail + chunk
            at = buffer.find(self.data_end)
            if at == -1:
                self.rows.feed(chunk)
                self.end_tail = buffer[-(len(self.data_end) - 1) :]
            else:
                # The rows end here; what follows (<rowBreaks>, extensions) is not counted.
                self.rows.feed(chunk[: max(0, at - len(self.end_tail))])
                self.in_data = False
            if self.rows.count - 1 > limits.max_rows:
                raise Refused("rows", limit=limits.max_rows)
        if not self.scan.has_formula:
            buffer = self.formula_tail + chunk
            self.scan.has_formula = _has_formula(buffer, self.formula)
            self.formula_tail = buffer[-len(self.formula) :]


def _has_formula(buffer: bytes, needle: bytes) -> bool:
    start = 0
    while (at := buffer.find(needle, start)) != -1:
        if buffer[at + len(needle) : at + len(needle) + 1] in _FORMULA_FOLLOWERS:
            return True
        start = at + 1
    return False


def _count_strings(chunks, limits: Limits) -> int:
    counter: _Counter | None = None
    head = b""
    for chunk in chunks:
        if counter is None:
            head += chunk
            match = re.search(rb"<([A-Za-z_][\w.-]*:)?sst[\s>/]", head[:4096])
            if match is None and len(head) < 4096:
                continue
            prefix = (match.group(1) or b"") if match is not None else b""
            counter = _Counter(b"<" + prefix + b"si")
            chunk, head = head, b""
        counter.feed(chunk)
        if counter.count > limits.max_shared_strings:
            raise Refused("shared_strings", count=counter.count, limit=limits.max_shared_strings)
    if counter is None:
        counter = _Counter(b"<si")
        counter.feed(head)
    if counter.count > limits.max_shared_strings:
        raise Refused("shared_strings", count=counter.count, limit=limits.max_shared_strings)
    return counter.count


def _formula_cells(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """0-based (row, column) of every cell of ``part`` that holds a formula (only called when the byte scan
    found one: the usual answer is none, and this parse costs far more than the scan)."""
    cells: set[tuple[int, int]] = set()
    row, column = -1, -1
    with archive.open(part) as fh:
        # Safe to parse: the scan checked the head for a DTD and the sizes are verified.
        for event, element in ET.iterparse(fh, events=("start", "end")):  # noqa: S314
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    ref = element.get("r")
                    row, column = (int(ref) - 1 if ref else row + 1), -1
                elif tag == "c":
                    ref = element.get("r")
                    if ref:
                        match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref)
                        if match is None:
                            raise Corrupt(f"bad cell reference {ref!r}")
                        row, column = int(match.group(2)) - 1, column_number(match.group(1)) - 1
                    else:
                        column += 1
                elif tag == "f":
                    cells.add((row, column))
            elif tag == "row":
                element.clear()
    return cells


def scan_members(fh: IO[bytes], archive: zipfile.ZipFile, package: Package, limits: Limits) -> SheetScan:
    """Inflate every member once within ``limits``: the sizes are now what was inflated, not what was declared."""
    budget = limits.max_total_bytes
    sheet = SheetScan()
    for info in archive.infolist():
        chunks = _inflate(fh, info, min(budget, limits.max_part_bytes))
        if info.filename == package.sheet_part:
            sheet = _scan_sheet(chunks, limits)
        elif info.filename in package.shared_strings:
            _count_strings(chunks, limits)
        else:
            for _ in chunks:
                pass
        budget -= info.file_size
    check_dimension(sheet.head, limits)
    return sheet


# The types python-calamine gives a cell. Dates and times have no marshal form: each becomes a tagged tuple.
_PLAIN = frozenset({str, float, int, bool, type(None)})
_TEMPORAL = {dt.date: "d", dt.datetime: "t", dt.time: "h", dt.timedelta: "s"}


def _temporal(cell: Any) -> Any:
    tag = _TEMPORAL.get(type(cell))
    if tag is None:
        return cell if type(cell) in _PLAIN else str(cell)
    if tag == "d":
        return ("d", cell.toordinal())
    if tag == "s":
        return ("s", cell.total_seconds())
    return (tag, cell.isoformat())


def _encode(rows: list[list[Any]]) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The rows as columns in marshal form, and the columns that hold a date or a time.

    By column, because a column is mostly of one type: a column of text is handled by C loops alone, and marshal
    writes (and the server rebuilds) a dozen long tuples rather than one list per row. Equal strings become one
    object, so marshal writes each once and the server builds each once (a registry repeats names, makers and
    models on every row). A date becomes ``("d", ordinal)``.
    """
    seen: dict[str, str] = {}
    keep = seen.setdefault
    columns: list[tuple[Any, ...]] = []
    temporal: list[int] = []
    for index, column in enumerate(zip(*rows, strict=True)):
        types = set(map(type, column))
        if types == {str}:
            columns.append(tuple(map(keep, column, column)))
        elif types <= _PLAIN:
            columns.append(tuple(keep(c, c) if type(c) is str else c for c in column))
        else:
            temporal.append(index)
            columns.append(tuple(keep(c, c) if type(c) is str else _temporal(c) for c in column))
    return columns, temporal


def _decoded(cell: tuple[str, Any]) -> Any:
    tag, raw = cell
    if tag == "d":
        return dt.date.fromordinal(raw)
    if tag == "t":
        return dt.datetime.fromisoformat(raw)
    if tag == "h":
        return dt.time.fromisoformat(raw)
    return dt.timedelta(seconds=raw)


def _cached(cache: dict[tuple[str, Any], Any], cell: tuple[str, Any]) -> Any:
    found = cache.get(cell)
    if found is None:
        found = cache[cell] = _decoded(cell)
    return found


def decode(columns: list[tuple[Any, ...]], temporal: list[int]) -> list[tuple[Any, ...]]:
    """The rows (as tuples) with the values python-calamine gave."""
    columns = list(columns)
    cache: dict[tuple[str, Any], Any] = {}
    for index in temporal:
        columns[index] = tuple(_cached(cache, c) if type(c) is tuple else c for c in columns[index])
    return list(zip(*columns, strict=True))


def read(path: str | os.PathLike, limits: Limits) -> tuple[list[list[Any]], set[tuple[int, int]]]:
    """Steps 1 and 2: the checks, then the cells of the first sheet and where its formulas are."""
    import python_calamine

    with open(path, "rb") as fh, open_archive(fh, limits) as archive:
        package = package_parts(archive)
        scan = scan_members(fh, archive, package, limits)
        try:
            formulas = _formula_cells(archive, package.sheet_part) if scan.has_formula else set()
        except (ET.ParseError, ValueError) as exc:
            raise Corrupt(str(exc)) from exc
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_name(package.sheet_name)
    except Exception as exc:  # calamine raises several error types, all meaning "cannot read this file"
        raise Corrupt(str(exc)) from exc
    end = sheet.end
    if end is not None:
        # The real extent, before the cells become Python objects: rows and columns counted by position.
        if end[0] > limits.max_rows:
            raise Refused("rows", rows=end[0], limit=limits.max_rows)
        if end[1] + 1 > limits.max_columns:
            raise Refused("columns", columns=end[1] + 1, limit=limits.max_columns)
    rows = sheet.to_python(skip_empty_area=False)
    return rows, formulas


def _limit_self(limits: Limits) -> None:
    """Put this process under ``limits`` (never above the hard limits it was started with)."""
    import resource

    def lower(which: int, soft: int, hard: int) -> None:
        _current, ceiling = resource.getrlimit(which)
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            # Linux is what the limits are written for: there, no limit means no read (fail closed). Elsewhere
            # (macOS refuses RLIMIT_AS) the read goes on within the other limits, for a developer's machine.
            if sys.platform.startswith("linux"):
                raise
            print(f"sheet_worker: cannot set resource limit {which}", file=sys.stderr)

    lower(resource.RLIMIT_CORE, 0, 0)
    lower(resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes)
    # SIGXCPU at the soft limit ends the process; the hard limit (SIGKILL) only if that signal were caught.
    lower(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)
    try:
        import ctypes

        # Die with the server process rather than outlive it (Linux; elsewhere RLIMIT_CPU ends an orphan).
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def main(argv: list[str]) -> int:
    """``python -m jiliang.instruments.sheet_worker LIMITS_JSON PATH``: writes one marshal record to stdout."""
    limits = Limits(**json.loads(argv[0]))
    _limit_self(limits)
    try:
        rows, formulas = read(argv[1], limits)
        columns, temporal = _encode(rows)
        del rows
        record: tuple[Any, ...] = ("ok", columns, temporal, sorted(formulas))
    except Refused as exc:
        record = ("refused", exc.code, json.dumps(exc.params))
    except Corrupt as exc:
        record = ("corrupt", str(exc)[:500])
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except Exception:
        # Not the file's fault: the server logs this traceback and says so to the user.
        traceback.print_exc()
        return EXIT_ERROR
    try:
        sys.stdout.buffer.write(marshal.dumps(record))
        sys.stdout.buffer.flush()
    except MemoryError:
        os._exit(EXIT_MEMORY)
    return 0


# ---- Step 3, in the server process: run the child and take its answer ------------------------------------------


@dataclass
class Result:
    rows: list[tuple[Any, ...]]
    formulas: set[tuple[int, int]]


def _package_root() -> str:
    # The directory that holds the jiliang package: the child imports the same code as the server.
    return str(Path(__file__).resolve().parent.parent.parent)


def run(path: str | os.PathLike, limits: Limits) -> Result:
    """Read ``path`` in a child process within ``limits``; raises :class:`Refused` or :class:`Corrupt`.

    A child that dies is refused by the limit it hit: SIGABRT or a MemoryError is the memory (Rust aborts when an
    allocation fails under RLIMIT_AS), SIGXCPU the CPU time, the wall clock is ours. Any other death (a
    segmentation fault, a traceback) is :class:`ReaderFailed`: a bug to look at, not the file's fault. The child
    gets no environment from the server (no secret key, no database address).
    """
    # sys.executable is the server's own Python under gunicorn and manage.py (an embedding server such as uWSGI
    # or mod_wsgi would need the interpreter's path instead).
    command = [sys.executable, "-E", "-s", "-B", "-m", "jiliang.instruments.sheet_worker"]
    command += [json.dumps(asdict(limits)), os.fspath(path)]
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "RUST_BACKTRACE": "0"}
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter and module, the path as one argument
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                cwd=_package_root(),
                env=env,
                timeout=limits.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise Refused("timeout", seconds=limits.timeout_seconds) from exc
        # The end of what the child printed: a traceback's last lines, Rust's allocation failure.
        errors.seek(max(0, errors.seek(0, os.SEEK_END) - 4000))
        stderr = errors.read().decode(errors="replace")
    status = done.returncode
    if status == EXIT_MEMORY or status in (-signal.SIGABRT, -signal.SIGKILL):
        # SIGKILL not sent by us: the kernel's OOM killer, the other way memory runs out.
        logger.warning("sheet reader ended by the memory limit (status %s): %s", status, stderr[-500:])
        raise Refused("memory", size=limits.memory_bytes)
    if status == -signal.SIGXCPU:
        raise Refused("cpu", seconds=limits.cpu_seconds)
    if status != 0:
        raise ReaderFailed(f"exit status {status}: {stderr}")
    # marshal, not pickle: it builds nothing but plain values. It trusts its input, which is the output of our
    # own code in a child that runs as our user; a child able to forge it could do as much directly.
    try:
        record = marshal.loads(done.stdout)  # noqa: S302
    except (EOFError, ValueError, TypeError) as exc:
        raise ReaderFailed(f"unreadable answer: {exc}") from exc
    del done
    if record[0] == "ok":
        _, columns, temporal, formulas = record
        return Result(rows=decode(columns, temporal), formulas={(r, c) for r, c in formulas})
    if record[0] == "refused":
        raise Refused(record[1], **json.loads(record[2]))
    raise Corrupt(record[1])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
