"""The pieces of the sandboxed reader (``jiliang.instruments.sheet_worker``) that need no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import marshal
import struct
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiliang.instruments import sheet_worker
from jiliang.instruments.sheet_worker import archive as sheet_archive
from jiliang.instruments.sheet_worker import codec as sheet_codec
from jiliang.instruments.sheet_worker import scan as sheet_scan
from tests.live import hostile

LIMITS = sheet_worker.Limits(
    max_members=1000,
    max_part_bytes=512 * 1024 * 1024,
    max_total_bytes=1024 * 1024 * 1024,
    max_ratio=100,
    max_rows=200_000,
    max_columns=64,
    max_shared_strings=3_000_000,
    memory_bytes=2 * 1024 * 1024 * 1024,
    cpu_seconds=30,
    timeout_seconds=60,
)


@given(
    pieces=st.lists(st.sampled_from([b"<row", b"<ro", b"w", b"<", b"x", b"<rowBreaks", b"r"]), max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
def test_the_counter_counts_needles_that_straddle_any_chunking(pieces, cuts):
    stream = b"".join(pieces)
    counter = sheet_scan._Counter(b"<row")
    start = 0
    for cut in [*sorted(cuts), len(stream)]:
        counter.feed(stream[start : max(start, cut)])
        start = max(start, cut)

    assert counter.count == stream.count(b"<row")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<worksheet><dimension ref="A1:XFD1048576"/>', ("A1:XFD1048576", 1048576, 16384)),
        (b"<x:worksheet><x:dimension ref='B2:L200001' />", ("B2:L200001", 200001, 12)),
        (b'<worksheet><dimension ref="A1"/>', ("A1", 1, 1)),
        (b"<worksheet><sheetData/>", None),
    ],
)
def test_the_declared_dimension_is_read_from_the_head_of_the_sheet(head, expected):
    assert sheet_worker.declared_dimension(head) == expected


def with_zip64_end(data: bytes) -> bytes:
    """``data`` with its end of central directory moved into a zip64 end record and locator, as writers of
    large archives do (the 16-bit member count then reads 0xFFFF)."""
    at = data.rfind(b"PK\x05\x06")
    _disk, _cd_disk, _on_disk, count, size, offset, _comment = struct.unpack_from("<HHHHIIH", data, at + 4)
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, at, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + record + locator + end


def test_a_zip64_archive_is_counted_from_its_zip64_end_record():
    data = with_zip64_end(hostile.workbook({}))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.infolist()) == 6

    assert sheet_archive._member_count(io.BytesIO(data))[0] == 6
    with pytest.raises(sheet_worker.Refused) as refused:
        sheet_worker.open_archive(io.BytesIO(data), dataclasses.replace(LIMITS, max_members=5))
    assert refused.value.code == "members" and refused.value.params == {"count": 6, "limit": 5}


def test_a_member_inflating_past_its_declared_size_is_refused_after_one_byte_too_many():
    data = hostile.lying_zip(rows=50_000, declared=100)
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/worksheets/sheet1.xml")

    chunks = []
    with pytest.raises(sheet_worker.Refused) as refused:
        for chunk in sheet_scan._inflate(io.BytesIO(data), info, LIMITS.max_part_bytes):
            chunks.append(chunk)

    assert refused.value.code == "size_mismatch" and refused.value.params["declared"] == 100
    # Nothing past the declared size was handed on.
    assert sum(map(len, chunks)) <= 100


def test_a_stored_member_whose_sizes_disagree_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.xml", b"<a/>" * 10)
    info = zipfile.ZipFile(io.BytesIO(out.getvalue())).getinfo("a.xml")
    info.file_size = 8

    with pytest.raises(sheet_worker.Refused):
        list(sheet_scan._inflate(io.BytesIO(out.getvalue()), info, LIMITS.max_part_bytes))


def test_every_kind_of_cell_survives_the_trip_to_the_server_process():
    rows = [
        ["文本", "日期", "时刻", "时间", "时长", "数", "整数", "真假", "空"],
        [
            "电子秤",
            dt.date(2025, 3, 1),
            dt.datetime(2025, 3, 1, 8, 30, 5),
            dt.time(8, 30),
            dt.timedelta(hours=1, minutes=2),
            1.5,
            7,
            True,
            "",
        ],
        [
            "电子秤",
            dt.date(2025, 3, 1),
            dt.datetime(2025, 3, 1, 8, 30, 5),
            dt.time(8, 30),
            dt.timedelta(0),
            2.0,
            8,
            False,
            "",
        ],
    ]

    columns, temporal = sheet_codec.encode(rows)
    back = sheet_codec.decode(*marshal.loads(marshal.dumps((columns, temporal))))  # noqa: S302

    assert [list(row) for row in back] == rows
    assert [type(v) for v in back[1]] == [type(v) for v in rows[1]]
    assert temporal == [1, 2, 3, 4]
    # Equal strings are one object after the trip: the server builds each once.
    assert back[1][0] is back[2][0]


def test_an_empty_sheet_has_no_rows_after_the_trip():
    assert sheet_codec.decode(*sheet_codec.encode([])) == []


def test_rows_are_counted_up_to_the_end_of_the_sheet_data_whatever_the_chunks():
    """A sheet of exactly the allowed rows is let through, even with a <rowBreaks> after its data."""
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"x" * 80}</t></is></c></row>' for r in range(2, 1002)
    )
    xml = hostile.sheet_xml(body).replace("</sheetData>", '</sheetData><rowBreaks count="1"><brk id="9"/></rowBreaks>')
    data = xml.encode()
    assert len(data) > sheet_archive.DIMENSION_HEAD_BYTES
    end = data.index(b"</sheetData>")
    limits = dataclasses.replace(LIMITS, max_rows=1000)

    for cut in (70_000, end - 1, end + 3, end + 12, data.index(b"<row", 80_000) + 2):
        scan = sheet_scan._scan_sheet(iter([data[:cut], data[cut:]]), limits)
        assert scan.rows == 1001, cut

    with pytest.raises(sheet_worker.Refused):
        sheet_scan._scan_sheet(iter([data]), dataclasses.replace(LIMITS, max_rows=999))


def test_a_child_that_fails_for_no_fault_of_the_file_is_a_reader_failure(tmp_path):
    with pytest.raises(sheet_worker.ReaderFailed) as failed:
        sheet_worker.run(tmp_path / "gone.xlsx", LIMITS)

    assert "FileNotFoundError" in str(failed.value)
