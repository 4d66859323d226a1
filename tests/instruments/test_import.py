"""Bulk import of the registry from .xlsx: every bad row reported, all-or-nothing by default, partial on request."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.instruments.excel import sheet_row_estimate
from jiliang.instruments.importing import RowError, instruments_import
from jiliang.instruments.models import Instrument

from ..builders.instruments import HEADERS, good_row, xlsx


def by_row(errors: list[RowError]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for e in errors:
        found.setdefault(e.row, []).append((e.column, e.reason))
    return found


@pytest.fixture
def bad_file(instrument_a):
    """1 000 good rows with one bad row of every kind slipped in; returns the file and the expected errors."""
    rows = [good_row(n) for n in range(1000)]
    bad = [
        (good_row(2000, 目录条目="99 不存在的器具"), "目录条目", "不存在"),
        (good_row(2001, 备案日期="2025-02-30"), "备案日期", "不存在"),
        (good_row(2002, 最近检定日期="上个月"), "最近检定日期", "不是日期"),
        (good_row(2003, 出厂编号="IMP-00007"), "出厂编号", "与第 9 行"),
        (good_row(2004, 出厂编号=instrument_a.serial_number), "出厂编号", "已登记"),
        (good_row(2005, 器具名称=""), "器具名称", "必填项为空"),
        (good_row(2006, 用途="自用"), "用途", "无效"),
        (good_row(2007, 型号规格="X" * 101), "型号规格", "超过上限 100"),
        (good_row(2008, 制造单位='=HYPERLINK("http://example.com")'), "制造单位", "公式"),
        (good_row(2009, 安装使用地点="=1+1"), "安装使用地点", "“=”开头"),
        (good_row(2010, 最近检定日期=date.today() + timedelta(days=3)), "最近检定日期", "晚于今天"),
    ]
    # Spread the bad rows through the file: bad row k goes after good row 90 * k.
    ordered: list[dict[str, Any]] = []
    expected: dict[int, tuple[str, str]] = {}
    bad_iter = iter(bad)
    for n, row in enumerate(rows):
        ordered.append(row)
        if n % 90 == 89:
            entry = next(bad_iter, None)
            if entry is not None:
                ordered.append(entry[0])
                expected[len(ordered) + 1] = (entry[1], entry[2])
    text_index = next(i for i, r in enumerate(ordered) if r["安装使用地点"] == "=1+1")
    return xlsx(ordered, text_cells={(text_index, "安装使用地点")}), expected


def assert_reports_every_bad_row(report, expected):
    found = by_row(report.errors)
    assert set(found) == set(expected)
    for row, (column, fragment) in expected.items():
        assert len(found[row]) == 1, found[row]
        assert found[row][0][0] == column
        assert fragment in found[row][0][1], (row, found[row])


def test_a_file_with_one_bad_row_of_each_kind_saves_nothing_and_reports_every_bad_row(city, bad_file):
    data, expected = bad_file
    before = Instrument.objects.count()

    report = instruments_import(actor=city.owner_a_user, owner=None, file=data)

    assert report.file_error is None
    assert report.total_rows == 1000 + len(expected)
    assert_reports_every_bad_row(report, expected)
    assert report.imported == 0 and not report.committed
    assert Instrument.objects.count() == before
    assert not AuditEvent.objects.filter(action="instrument.import").exists()


def test_partial_import_saves_the_good_rows_and_reports_the_bad(city, bad_file):
    data, expected = bad_file

    report = instruments_import(actor=city.owner_a_user, owner=city.owner_a.pk, file=data, partial=True)

    assert_reports_every_bad_row(report, expected)
    assert report.imported == 1000 and report.committed
    assert report.bad_rows == len(expected)
    saved = Instrument.objects.filter(owner=city.owner_a, serial_number__startswith="IMP-")
    assert saved.count() == 1000
    assert not saved.filter(serial_number__in=["IMP-02000", "IMP-02003"]).exists()


def test_a_good_file_is_imported_with_derived_fields_and_one_audit_event(city):
    rows = [good_row(n) for n in range(30)]
    rows.append(good_row(30, 用途="其他（非强制用途）", 最近检定日期=""))
    rows.append(good_row(31, 目录条目="", 器具名称="自制量具"))

    report = instruments_import(actor=city.county_regulator_a, owner=city.owner_a, file=xlsx(rows), file_name="a.xlsx")

    assert report.ok and report.imported == 32
    first = Instrument.objects.get(owner=city.owner_a, serial_number="IMP-00000")
    assert first.region == city.county_a and first.mandatory
    assert first.due_on == date(2026, 2, 28)  # 2025-03-01 + 12 months - 1 day (catalog row 02)
    assert first.created_by == city.county_regulator_a
    other = Instrument.objects.get(serial_number="IMP-00030")
    assert other.usage == "other" and not other.mandatory and other.due_on is None
    assert Instrument.objects.get(serial_number="IMP-00031").catalog_item is None
    event = AuditEvent.objects.get(action="instrument.import")
    assert event.object_id == str(city.owner_a.pk) and event.actor == city.county_regulator_a
    ids = sorted(Instrument.objects.filter(serial_number__startswith="IMP-").values_list("id", flat=True))
    assert event.changes["count"] == 32
    assert event.changes["id_ranges"] == [[ids[0], ids[-1]]]
    assert len(event.changes["sha256"]) == 64 and event.changes["partial"] is False


def test_codes_numbers_and_text_dates_are_understood(city):
    rows = [
        good_row(1, 目录条目="02", 用途="trade", 备案日期="2025/1/5", 最近检定日期="2025年3月1日"),
        good_row(2, 目录条目=2, 出厂编号=12345, 最近检定日期="20250301"),
        good_row(3, 目录条目="02电子计价秤（数字指示秤）", 用途="其他"),
    ]

    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx(rows))

    assert report.ok, report.as_dict()
    one = Instrument.objects.get(serial_number="IMP-00001")
    assert one.catalog_item.code == "02" and one.registered_on == date(2025, 1, 5)
    assert one.last_verified_on == date(2025, 3, 1)
    assert Instrument.objects.filter(serial_number="12345", catalog_item__code="02").exists()
    assert Instrument.objects.get(serial_number="IMP-00003").usage == "other"


def test_empty_rows_are_skipped_and_not_counted(city):
    data = xlsx([good_row(1), {}, {}, good_row(2)])

    report = instruments_import(actor=city.owner_a_user, owner=None, file=data)

    assert report.total_rows == 2 and report.imported == 2


def test_the_same_serial_under_two_catalog_items_is_not_a_duplicate(city):
    rows = [good_row(1), good_row(1, 目录条目="03", 器具名称="电子台秤")]

    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx(rows))

    assert report.ok and report.imported == 2


def test_a_non_xlsx_file_is_refused_with_a_clear_error(city):
    report = instruments_import(actor=city.owner_a_user, owner=None, file="出厂编号,器具名称\n1,秤\n".encode())

    assert report.file_error and ".xlsx" in report.file_error
    assert report.imported == 0 and not report.errors
    assert not Instrument.objects.exists()


def test_an_old_xls_file_is_refused_with_a_hint(city):
    report = instruments_import(actor=city.owner_a_user, owner=None, file=b"\xd0\xcf\x11\xe0" + b"\0" * 600)

    assert ".xls" in report.file_error and "另存为" in report.file_error


def test_a_corrupt_xlsx_is_refused_with_a_clear_error(city):
    data = xlsx([good_row(1)])

    truncated = instruments_import(actor=city.owner_a_user, owner=None, file=data[: len(data) // 2])
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    not_a_workbook = instruments_import(actor=city.owner_a_user, owner=None, file=broken.getvalue())

    for report in (truncated, not_a_workbook):
        assert report.file_error and "损坏" in report.file_error
        assert not report.committed
    assert not Instrument.objects.exists()


def test_a_file_without_the_required_headers_is_refused(city):
    data = xlsx([{"名称": "秤"}], headers=["名称", "编号"])

    report = instruments_import(actor=city.owner_a_user, owner=None, file=data)

    assert "缺少必需的列" in report.file_error and "出厂编号" in report.file_error


def test_a_file_with_headers_only_has_nothing_to_import(city):
    report = instruments_import(actor=city.owner_a_user, owner=None, file=xlsx([]))

    assert report.file_error == "文件中没有可导入的数据行"


def test_columns_are_found_by_header_whatever_their_order_and_extra_columns_are_ignored(city):
    headers = ["备注", *reversed(HEADERS)]
    data = xlsx([good_row(1, 备注="随便写")], headers=headers)

    report = instruments_import(actor=city.owner_a_user, owner=None, file=data)

    assert report.ok and Instrument.objects.filter(serial_number="IMP-00001").exists()


def test_a_file_object_or_a_path_may_be_given(city, tmp_path):
    data = xlsx([good_row(1)])
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx([good_row(2)]))

    from_file = instruments_import(actor=city.owner_a_user, owner=None, file=io.BytesIO(data))
    from_path = instruments_import(actor=city.owner_a_user, owner=None, file=str(path))

    assert from_file.imported == 1 and from_path.imported == 1
    event = AuditEvent.objects.filter(action="instrument.import").order_by("-id").first()
    assert event.changes["file_name"] == "台账.xlsx"


def test_progress_is_reported_every_batch_and_at_the_end(city):
    calls = []

    instruments_import(
        actor=city.owner_a_user,
        owner=None,
        file=xlsx([good_row(n) for n in range(4500)]),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(2000, 4500), (4000, 4500), (4500, 4500)]


def test_an_owner_cannot_import_for_another_owner(city):
    with pytest.raises(NotFoundOrForbidden):
        instruments_import(actor=city.owner_b_user, owner=city.owner_a.pk, file=xlsx([good_row(1)]))
    assert not Instrument.objects.exists()


def test_a_county_regulator_cannot_import_for_an_owner_of_another_county(city):
    with pytest.raises(NotFoundOrForbidden):
        instruments_import(actor=city.county_regulator_a, owner=city.owner_b, file=xlsx([good_row(1)]))


def test_an_institute_cannot_import(city):
    from jiliang.core.errors import DomainError

    with pytest.raises(DomainError):
        instruments_import(actor=city.institute_user, owner=city.owner_a, file=xlsx([good_row(1)]))


def test_the_report_serializes_for_the_api(city):
    report = instruments_import(
        actor=city.owner_a_user, owner=None, file=xlsx([good_row(1), good_row(2, 用途="")]), partial=True
    )

    data = report.as_dict()

    assert data["imported"] == 1 and data["total_rows"] == 2 and data["committed"] is True
    assert data["errors"] == [{"row": 3, "column": "用途", "reason": "必填项为空"}]


def test_the_row_estimate_reads_the_sheet_dimension(city):
    assert sheet_row_estimate(xlsx([good_row(n) for n in range(10)])) == 11
    assert sheet_row_estimate(b"not a zip") is None


def with_prefixed_sheet_xml(data: bytes) -> bytes:
    """The same workbook with its sheet XML written with an "x:" namespace prefix, as some .NET writers do."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = part.decode().replace(
                    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                )
                part = re.sub(r"<(/?)([A-Za-z]+)([ >/])", r"<\1x:\2\3", text).encode()
            target.writestr(info, part)
    return out.getvalue()


def test_formulas_are_found_when_the_sheet_xml_uses_a_namespace_prefix(city):
    data = with_prefixed_sheet_xml(xlsx([good_row(1), good_row(2, 测量范围="=A1")]))

    report = instruments_import(actor=city.owner_a_user, owner=None, file=data)

    assert [(e.row, e.column) for e in report.errors] == [(3, "测量范围")]
    assert "公式" in report.errors[0].reason
    assert not Instrument.objects.exists()


def test_an_xlsx_part_with_a_dtd_is_refused_as_corrupt(city):
    source = zipfile.ZipFile(io.BytesIO(xlsx([good_row(1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/workbook.xml":
                part = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + part.split(b"?>", 1)[-1]
            target.writestr(info, part)

    report = instruments_import(actor=city.owner_a_user, owner=None, file=out.getvalue())

    assert "损坏" in report.file_error


def test_an_imported_instrument_is_stored_exactly_like_one_created_by_the_service(city):
    """The importer writes rows without model instances (for speed); this keeps it in step with the model."""
    from jiliang.instruments.services import instrument_create

    from ..factories import catalog_item

    fields = {
        "catalog_item": catalog_item("02"),
        "usage": "trade",
        "name": "电子计价秤",
        "manufacturer": "某衡器有限公司",
        "model": "ACS-15",
        "asset_number": "ZC-9",
        "accuracy_class": "Ⅲ",
        "measuring_range": "(0～15) kg",
        "location": "一号摊位",
        "registered_on": date(2025, 1, 10),
        "last_verified_on": date(2025, 3, 1),
    }
    created = instrument_create(actor=city.owner_a_user, serial_number="BY-SERVICE", **fields)
    row = good_row(0, **{"出厂编号": "BY-IMPORT", "设备（资产）编号": "ZC-9", "安装使用地点": "一号摊位"})
    instruments_import(actor=city.owner_a_user, owner=None, file=xlsx([row]))
    imported = Instrument.objects.get(serial_number="BY-IMPORT")

    def stored(instrument):
        instrument.refresh_from_db()
        # The public key is random per instrument (both have one: checked below).
        skip = {"id", "serial_number", "created_at", "updated_at", "last_verification_id", "public_key"}
        return {
            f.attname: getattr(instrument, f.attname) for f in Instrument._meta.concrete_fields if f.attname not in skip
        }

    def declared(instrument):
        record = instrument.last_verification
        skip = {"id", "instrument_id", "created_at"}
        return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields if f.attname not in skip}

    assert stored(imported) == stored(created)
    assert len(imported.public_key) == len(created.public_key) == 24 and imported.public_key != created.public_key
    # The date in the file is a declared record, the same one the service makes.
    assert declared(imported) == declared(created)
    assert imported.last_verification.instrument_id == imported.pk
    assert imported.created_at == imported.updated_at and imported.created_at.tzinfo is not None
