"""Hostile .xlsx files, built in code: each one took a server process down (or cost it gigabytes) before the
upload checks and the sandboxed reader (``jiliang.instruments.sheet_worker``).

- :func:`sparse_corner_workbook`: only A1 and XFD1048576 are filled (5 KB). A dense reader allocates the whole
  rectangle, 16 384 × 1 048 576 cells (about 512 GiB); the allocation fails and the process aborts.
- :func:`shared_strings_bomb`: a small sheet whose shared-strings part holds millions of strings (a few hundred
  KB compressed, hundreds of MB inflated).
- :func:`deflate_bomb`: a sheet of millions of identical rows, compressed about 1 000 to 1.
- :func:`lying_zip`: a sheet part whose zip headers (local and central) declare a few KB, with the CRC of those
  first bytes, while its deflate stream inflates to hundreds of MB: a size check that trusts the headers passes.

The builders are deterministic and cached (a bomb takes a second or two to compress).
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADERS = ("目录条目", "用途", "器具名称", "出厂编号")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="计量器具" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{header}</t></is></c>' for i, header in enumerate(HEADERS)
    )
    return f'<row r="1">{cells}</row>'


def sheet_xml(body: str = "", *, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{dim}'
        f"<sheetData>{_header_row()}{body}</sheetData></worksheet>"
    )


def workbook(parts: dict[str, bytes | str]) -> bytes:
    """A minimal workbook: the package parts above, overridden or completed by ``parts`` (deflated)."""
    files: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"/>',
        "xl/worksheets/sheet1.xml": sheet_xml(),
    }
    files.update(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def _streamed_member(archive: zipfile.ZipFile, name: str, head: bytes, repeat: bytes, times: int, tail: bytes):
    """Write ``head + repeat * times + tail`` as one member without building it in memory."""
    with archive.open(name, "w") as member:
        member.write(head)
        block = repeat * 10_000
        for _ in range(times // 10_000):
            member.write(block)
        member.write(repeat * (times % 10_000))
        member.write(tail)


@functools.cache
def sparse_corner_workbook(*, dimension: bool = True) -> bytes:
    """openpyxl's workbook with A1 and XFD1048576 filled; without ``dimension`` the ``<dimension>`` is removed,
    so only the cells' own references show the size."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "目录条目"
    ws["XFD1048576"] = "x"
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    if dimension:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b'<dimension ref="A1:XFD1048576" />', b"")
                assert b"<dimension" not in part
            target.writestr(info.filename, part)
    return result.getvalue()


@functools.cache
def shared_strings_bomb(strings: int = 10_000_000) -> bytes:
    """A four-row sheet whose shared-strings part holds ``strings`` one-letter strings (about 17 bytes each
    inflated, about 400 KB compressed for the default)."""
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>{r}</v></c><c r="B{r}" t="s"><v>{r + 1}</v></c></row>' for r in (2, 3, 4)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet_xml(body, dimension="A1:D4")),
        ):
            archive.writestr(name, content)
        head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="{strings}" '
        head += f'uniqueCount="{strings}">'
        _streamed_member(archive, "xl/sharedStrings.xml", head.encode(), b"<si><t>a</t></si>", strings, b"</sst>")
    return out.getvalue()


ROW = b'<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row>'


@functools.cache
def deflate_bomb(rows: int = 2_000_000) -> bytes:
    """A sheet of ``rows`` identical two-cell rows with no row or cell references (about 90 bytes a row
    inflated, about 600 KB compressed for the default): the declared dimension says nothing, only reading tells."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/sharedStrings.xml", f'<sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"/>'),
        ):
            archive.writestr(name, content)
        head, tail = sheet_xml("").encode().split(b"</sheetData>")
        _streamed_member(archive, "xl/worksheets/sheet1.xml", head, ROW, rows, b"</sheetData>" + tail)
    return out.getvalue()


def _patch_sizes(data: bytes, name: str, *, size: int, crc: int) -> bytes:
    """``data`` with the uncompressed size and CRC of member ``name`` replaced in its local and central headers
    (no zip64: the member must have been written with 32-bit sizes)."""
    patched = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    local = info.header_offset
    assert patched[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", patched, local + 14, crc)
    struct.pack_into("<I", patched, local + 22, size)
    encoded = name.encode()
    central = data.rfind(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == encoded:
            struct.pack_into("<I", patched, central + 16, crc)
            struct.pack_into("<I", patched, central + 24, size)
            return bytes(patched)
        central = data.rfind(b"PK\x01\x02", 0, central)
    raise AssertionError(f"no central directory entry for {name}")


@functools.cache
def lying_zip(rows: int = 1_000_000, declared: int = 4096) -> bytes:
    """A sheet of ``rows`` rows whose zip headers declare ``declared`` bytes (with the CRC of those bytes)."""
    head, tail = sheet_xml("").encode().split(b"</sheetData>")
    content = head + ROW * rows + b"</sheetData>" + tail
    data = workbook({"xl/worksheets/sheet1.xml": content})
    return _patch_sizes(data, "xl/worksheets/sheet1.xml", size=declared, crc=zlib.crc32(content[:declared]))


def many_members(members: int = 200_000) -> bytes:
    """A valid workbook followed by ``members`` empty entries: a central directory that costs the reader a
    Python object per entry."""
    data = io.BytesIO(workbook({}))
    with zipfile.ZipFile(data, "a", zipfile.ZIP_STORED) as archive:
        for n in range(members):
            archive.writestr(f"x/{n}", b"")
    return data.getvalue()


ALL = {
    "sparse corner (A1 + XFD1048576)": sparse_corner_workbook,
    "sparse corner, no <dimension>": functools.partial(sparse_corner_workbook, dimension=False),
    "shared-strings bomb": shared_strings_bomb,
    "deflate bomb": deflate_bomb,
    "zip headers that lie about sizes": lying_zip,
}
