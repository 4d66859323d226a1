"""No spreadsheet upload can take the server down: hostile .xlsx files are refused with the limit they hit, nothing
is saved, and the process that read them goes on.

Each hostile file is built in code (``tests/live/hostile.py``). Before the upload checks and the sandboxed reader,
the first of them aborted the test process itself (calamine asked for 512 GiB); the others cost it hundreds of MB.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from jiliang.core.models import AuditEvent
from jiliang.instruments.excel import build_template, read_sheet
from jiliang.instruments.importing import instruments_import
from jiliang.instruments.models import Instrument
from tests.live import hostile

from ..builders.instruments import good_row, xlsx

MB = 1024 * 1024


def refused(city, data: bytes) -> str:
    """Import ``data`` for owner A; assert that nothing was saved and return the reason."""
    report = instruments_import(actor=city.owner_a_user, owner=None, file=data)
    assert report.file_error, report.as_dict()
    assert not report.committed and report.imported == 0
    assert not Instrument.objects.filter(owner=city.owner_a).exists()
    assert not AuditEvent.objects.filter(action="instrument.import").exists()
    return report.file_error


def rows_xml(count: int, *, start: int = 2, cells: int = 4) -> str:
    return "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>v{r}</t></is></c>' for c in range(cells))
        + "</row>"
        for r in range(start, start + count)
    )


def test_the_10_kb_workbook_with_only_a1_and_xfd1048576_is_refused_by_its_declared_dimension(city, settings):
    settings.JILIANG_IMPORT_MAX_COLUMNS = 64

    reason = refused(city, hostile.sparse_corner_workbook())

    assert "A1:XFD1048576" in reason and "16384 列" in reason and "64 列的上限" in reason


def test_the_same_workbook_without_its_dimension_costs_the_reader_its_memory_limit_not_the_server(city, settings):
    settings.JILIANG_IMPORT_READER_MEMORY_BYTES = 1024 * MB

    reason = refused(city, hostile.sparse_corner_workbook(dimension=False))

    # Only the cells' own references show the size: calamine allocates in the child, which aborts.
    assert "1024 MB 的内存上限" in reason


def test_a_shared_strings_bomb_is_refused_by_its_compression_ratio_before_it_is_inflated(city, settings):
    settings.JILIANG_IMPORT_MAX_RATIO = 100

    reason = refused(city, hostile.shared_strings_bomb())

    assert "xl/sharedStrings.xml" in reason and "100:1 的上限" in reason


def test_shared_strings_are_counted_before_the_parse(city, settings):
    settings.JILIANG_IMPORT_MAX_SHARED_STRINGS = 1000
    strings = "".join(f"<si><t>{n}</t></si>" for n in range(5000))
    data = hostile.workbook(
        {"xl/sharedStrings.xml": f'<sst xmlns="{hostile.MAIN_NS}" count="5000" uniqueCount="5000">{strings}</sst>'}
    )

    reason = refused(city, data)

    assert "共享字符串" in reason and "1000 个的上限" in reason


def test_a_deflate_bomb_is_refused_by_its_compression_ratio(city, settings):
    settings.JILIANG_IMPORT_MAX_RATIO = 100

    reason = refused(city, hostile.deflate_bomb())

    assert "xl/worksheets/sheet1.xml" in reason and "100:1 的上限" in reason


def test_a_deflate_bomb_within_the_ratio_is_refused_by_its_row_count_before_the_parse(city, settings):
    settings.JILIANG_IMPORT_MAX_RATIO = 100_000
    settings.JILIANG_IMPORT_MAX_ROWS = 200_000

    reason = refused(city, hostile.deflate_bomb())

    # The count's wording: the sheet was not parsed (the parse would know the exact number of rows).
    assert reason == "文件的数据行超过一次导入的上限 200000 行，请拆分后分批导入"


def test_a_zip_whose_headers_lie_about_sizes_is_refused_while_it_is_inflated(city):
    reason = refused(city, hostile.lying_zip())

    assert "xl/worksheets/sheet1.xml" in reason and "4096 字节不符" in reason


def test_a_part_larger_than_the_part_limit_is_refused_by_its_declared_size(city, settings):
    settings.JILIANG_IMPORT_MAX_PART_BYTES = 1 * MB
    data = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet_xml(rows_xml(20_000))})

    reason = refused(city, data)

    assert "xl/worksheets/sheet1.xml" in reason and "1 MB 的上限" in reason


def test_the_total_unpacked_size_is_limited(city, settings):
    settings.JILIANG_IMPORT_MAX_UNPACKED_BYTES = 2 * MB
    filler = {f"xl/media/filler{n}.xml": "<x>" + "a" * (MB // 2) + "</x>" for n in range(5)}

    reason = refused(city, hostile.workbook(filler))

    assert "文件解压后" in reason and "2 MB 的上限" in reason


def test_too_many_zip_members_are_refused_before_the_directory_is_read(city, settings):
    settings.JILIANG_IMPORT_MAX_MEMBERS = 100

    reason = refused(city, hostile.many_members(300))

    assert "306 个文件" in reason and "100 个的上限" in reason


def test_rows_beyond_the_declared_dimension_limit_are_refused(city, settings):
    settings.JILIANG_IMPORT_MAX_ROWS = 10
    data = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet_xml(rows_xml(30), dimension="A1:D31")})

    reason = refused(city, data)

    assert "A1:D31" in reason and "30 个数据行" in reason and "10 行" in reason


def test_rows_are_counted_before_the_parse(city, settings):
    """Fifty rows and a last cell at XFD1048576, with no dimension: the count refuses the file before calamine
    would allocate the whole sheet."""
    settings.JILIANG_IMPORT_MAX_ROWS = 10
    body = rows_xml(50) + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet_xml(body)})

    reason = refused(city, data)

    assert "数据行超过一次导入的上限 10 行" in reason


def test_rows_far_down_the_sheet_are_refused_by_their_position_before_they_become_python_objects(city, settings):
    settings.JILIANG_IMPORT_MAX_ROWS = 100
    body = rows_xml(3) + rows_xml(1, start=5000)
    data = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet_xml(body)})

    reason = refused(city, data)

    assert "文件有 4999 行" in reason and "100 行" in reason


def test_columns_beyond_the_limit_are_refused_by_dimension_and_by_position(city, settings):
    settings.JILIANG_IMPORT_MAX_COLUMNS = 20
    cell = '<row r="2"><c r="AD2" t="inlineStr"><is><t>x</t></is></c></row>'
    declared = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet_xml(cell, dimension="A1:AD2")})
    undeclared = hostile.workbook({"xl/worksheets/sheet1.xml": hostile.sheet_xml(cell)})

    assert "A1:AD2 有 30 列" in refused(city, declared)
    assert "第一个工作表有 30 列，超过 20 列的上限" in refused(city, undeclared)


@pytest.fixture
def slow_file(settings):
    """The deflate bomb with the size, ratio and row checks opened up: only the reader's own limits remain."""
    settings.JILIANG_IMPORT_MAX_RATIO = 100_000
    settings.JILIANG_IMPORT_MAX_ROWS = 10_000_000
    return hostile.deflate_bomb()


def test_the_cpu_limit_ends_a_read_that_escapes_the_checks(city, settings, slow_file):
    settings.JILIANG_IMPORT_READER_CPU_SECONDS = 1

    reason = refused(city, slow_file)

    assert "1 秒的 CPU 时间上限" in reason


def test_the_wall_clock_limit_ends_a_read_that_escapes_the_checks(city, settings, slow_file):
    settings.JILIANG_IMPORT_READER_TIMEOUT_SECONDS = 0.5

    reason = refused(city, slow_file)

    assert "0.5 秒的时间上限" in reason


def test_the_template_and_a_good_file_pass_the_default_limits(city):
    sheet = read_sheet(build_template())
    assert sheet.rows[0][:2] == ("目录条目", "用途") and len(sheet.rows) == 2

    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx([good_row(n) for n in range(50)]))

    assert report.ok and report.imported == 50


def test_dates_numbers_and_text_come_back_from_the_reader_as_calamine_reads_them(city, tmp_path):
    from datetime import date, datetime

    import python_calamine
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["文本", "日期", "时间", "数", "整数", "真假", "空"])
    ws.append(["电子秤", date(2025, 3, 1), datetime(2025, 3, 1, 8, 30), 1.5, 7, True, None])
    ws.append(["电子秤", date(2025, 3, 1), datetime(2025, 3, 1, 8, 30), 2.25, 8, False, None])
    path = tmp_path / "types.xlsx"
    wb.save(path)
    # A small, friendly file: safe to read in this process, as the reference.
    expected = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    rows = [list(row) for row in read_sheet(path).rows]

    assert rows == expected
    assert [type(v) for v in rows[1]] == [type(v) for v in expected[1]]
    assert type(rows[1][1]) is date and rows[1][2] == datetime(2025, 3, 1, 8, 30)


def test_a_formula_is_still_found_by_the_reader(city):
    report = instruments_import(
        actor=city.owner_a_user, owner=None, file=xlsx([good_row(1), good_row(2, 测量范围="=A1")])
    )

    assert [(e.row, e.column) for e in report.errors] == [(3, "测量范围")]


def test_the_reader_runs_in_another_process(city, monkeypatch):
    """The parse happens in a child: a crash there (here: an abort) is a refusal in this process."""
    import python_calamine

    def abort(*args, **kwargs):  # pragma: no cover - would run only if the parse were in this process
        os.abort()

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", abort, raising=False)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_object", abort, raising=False)

    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx([good_row(1)]))

    assert report.ok


def test_an_encrypted_or_unknown_compression_member_is_refused_as_corrupt(city):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", hostile.sheet_xml())

    assert "损坏" in refused(city, data.getvalue())
