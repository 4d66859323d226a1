"""Step 2, in the child: inflate every member once, by us, counting what it really holds.

A zip whose headers lie about sizes is refused here; the first sheet's rows and the shared strings are counted on
the way, and the cells that hold a formula are found (only when the byte scan saw one).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree as ET

from .archive import DIMENSION_HEAD_BYTES, Package, check_dimension, column_number, local_name
from .limits import Corrupt, Limits, Refused

# Inflated bytes handed to the scanners at a time.
CHUNK = 4 * 1024 * 1024


def _inflate(fh: IO[bytes], info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
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


def _scan_sheet(chunks: Iterable[bytes], limits: Limits) -> SheetScan:
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


def _count_strings(chunks: Iterable[bytes], limits: Limits) -> int:
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


def formula_cells(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """0-based (row, column) of every cell of ``part`` that holds a formula (only called when the byte scan
    found one: the usual answer is none, and this parse costs far more than the scan)."""
    cells: set[tuple[int, int]] = set()
    row, column = -1, -1
    with archive.open(part) as fh:
        # Safe to parse: the scan checked the head for a DTD and the sizes are verified.
        for event, element in ET.iterparse(fh, events=("start", "end")):  # noqa: S314
            tag = local_name(element.tag)
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
