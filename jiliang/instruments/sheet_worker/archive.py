"""Step 1, in the server process and again in the child: the zip's directory and the small parts.

Cheap: it reads the end of the file, the central directory, the package's relationship and workbook parts and the
head of the first sheet, and refuses what they already show (too many members, declared sizes or ratios over the
limits, a declared ``<dimension>`` too large).
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree as ET

from .limits import Corrupt, Limits, Refused

# Package parts that are parsed whole with ElementTree (relationships, the workbook) and the head of a sheet
# read for its <dimension>: legitimately a few KB; a bound keeps a hostile one from costing the server.
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024
DIMENSION_HEAD_BYTES = 64 * 1024
# The compression-ratio check applies to members above this size; a small part may compress well and be harmless.
RATIO_MIN_BYTES = 1024 * 1024
# A zip's central directory lists each member in at least 46 bytes (an .xlsx's is a few KB): a bigger one than
# this is refused before Python builds an object per entry.
MAX_CENTRAL_DIRECTORY_BYTES = 16 * 1024 * 1024


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


def local_name(tag: str) -> str:
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
        sheet = next((e for e in root.iter() if local_name(e.tag) == "sheet"), None)
        if sheet is None:
            raise Corrupt("no sheet")
        rel_id = next((v for k, v in sheet.attrib.items() if local_name(k) == "id"), None)
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


def inspect(path: str | os.PathLike[str], limits: Limits) -> Package:
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
