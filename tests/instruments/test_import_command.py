"""``manage.py import_instruments``: its exit code and what it prints, for a good and a bad file."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import ManagementUtility

from jiliang.core.models import AuditEvent
from jiliang.instruments.models import Instrument

from ..builders.instruments import good_row, xlsx


def run(capsys, *args: str) -> tuple[int, list[str], str]:
    """Run the command as ``manage.py`` would (argument parsing and exit code included).

    ``run_from_argv`` closes every database connection at the end, which would end the test's transaction.
    """
    try:
        with mock.patch("django.core.management.base.connections.close_all"):
            ManagementUtility(["manage.py", "import_instruments", *args]).execute()
        code = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(xlsx([good_row(n) for n in range(5)]))
    return path


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([good_row(1), good_row(2, 用途="自用"), good_row(3, 备案日期="2025-02-30"), good_row(4)]))
    return path


def test_a_good_file_exits_zero_and_prints_a_summary(city, capsys, good_file):
    code, out, _err = run(capsys, str(good_file), "--owner", city.owner_a.credit_code)

    assert code == 0
    assert out == ["已导入 5 行（共 5 行）"]
    assert Instrument.objects.filter(owner=city.owner_a).count() == 5
    event = AuditEvent.objects.get(action="instrument.import")
    assert event.actor is None and event.actor_repr == "system"


def test_a_bad_file_exits_one_prints_every_bad_row_and_saves_nothing(city, capsys, bad_file):
    code, out, err = run(capsys, str(bad_file), "--owner", city.owner_a.credit_code)

    assert code == 1
    assert out[0].startswith("row 3, column 用途: 用途“自用”无效")
    assert out[1] == "row 4, column 备案日期: 日期“2025-02-30”不存在"
    assert out[2] == "2 行有错误，未导入任何数据（共 4 行）"
    assert "未导入任何数据" in err
    assert not Instrument.objects.exists()


def test_partial_saves_the_good_rows_but_still_exits_one(city, capsys, bad_file):
    code, out, _err = run(capsys, str(bad_file), "--owner", city.owner_a.credit_code, "--partial")

    assert code == 1
    assert out[-1] == "已导入 2 行；2 行有错误，未导入（共 4 行）"
    assert Instrument.objects.filter(owner=city.owner_a).count() == 2


def test_an_unknown_owner_or_a_missing_file_exits_one(city, capsys, good_file, tmp_path):
    code, _out, err = run(capsys, str(good_file), "--owner", "91210900MA0000000X")
    assert code == 1 and "不存在" in err

    code, _out, err = run(capsys, str(tmp_path / "none.xlsx"), "--owner", city.owner_a.credit_code)
    assert code == 1 and "不存在" in err


def test_a_file_that_is_not_xlsx_exits_one_with_the_reason(city, capsys, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("出厂编号,器具名称\n1,秤\n", encoding="utf-8")

    code, _out, err = run(capsys, str(path), "--owner", city.owner_a.credit_code)

    assert code == 1 and ".xlsx" in err
    assert not Instrument.objects.exists()


def test_a_regulators_organization_is_not_an_owner(city, capsys, good_file):
    code, _out, err = run(capsys, str(good_file), "--owner", city.bureau_a.credit_code)

    assert code == 1 and "不存在" in err
