"""The due tally stays equal to a recount of the registry after every kind of write."""

from datetime import date, timedelta
from io import BytesIO

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from jiliang.catalog.models import CatalogItem
from jiliang.catalog.services import catalog_item_save
from jiliang.instruments import services, tally
from jiliang.instruments.excel import build_template
from jiliang.instruments.importing import instruments_import
from jiliang.instruments.selectors import due_state_counts, due_state_counts_by_region, instruments_visible_to

from ..factories import catalog_item


def _create(actor, serial, **extra):
    data = {"catalog_item": catalog_item("02"), "usage": "trade", "name": "电子计价秤", "serial_number": serial}
    data.update(extra)
    return services.instrument_create(actor=actor, **data)


def _in_step():
    assert tally.differences() == {}


def test_single_writes_keep_the_tally_in_step(city):
    today = timezone.localdate()
    a = _create(city.owner_a_user, "T-1", last_verified_on=today - timedelta(days=400))
    _create(city.owner_a_user, "T-2")  # never verified
    _create(city.owner_a_user, "T-3", usage="other")  # not mandatory
    _in_step()
    services.instrument_declare_verification(actor=city.owner_a_user, instrument_id=a.pk, performed_on=today)
    _in_step()
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=a.pk, status="stopped")
    _in_step()
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=a.pk, status="in_use")
    _in_step()
    item = CatalogItem.objects.get(code="02")
    item.interval_months = 3
    catalog_item_save(actor=city.admin, item=item, reason="test")
    _in_step()


def test_an_import_keeps_the_tally_in_step(city):
    book = openpyxl.load_workbook(BytesIO(build_template()))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    item_label = sheet.cell(row=2, column=headers.index("目录条目") + 1).value
    sheet.delete_rows(2, sheet.max_row)
    for n in range(30):
        row = {h: None for h in headers}
        row.update(
            {
                "目录条目": item_label,
                "用途": "贸易结算",
                "器具名称": "电子计价秤",
                "出厂编号": f"IMP-{n}",
                "最近检定日期": date(2025, 1, 1) if n % 2 else None,
            }
        )
        sheet.append([row[h] for h in headers])
    buffer = BytesIO()
    book.save(buffer)
    report = instruments_import(actor=city.owner_a_user, owner=city.owner_a, file=buffer.getvalue())
    assert report.committed, report.as_dict()
    _in_step()


def test_regional_counts_from_the_tally_equal_a_count_over_the_registry(city, instrument_a, instrument_b):
    today = timezone.localdate()
    _create(city.owner_a_user, "T-1", last_verified_on=today - timedelta(days=400))
    _create(city.owner_a_user, "T-2")
    _create(city.owner_a_user, "T-3", last_verified_on=today - timedelta(days=350))
    from_tally = due_state_counts_by_region(city.city_regulator)
    from_rows = due_state_counts(instruments_visible_to(city.city_regulator), group_by="region")
    assert from_tally == from_rows
    assert {r["region"] for r in due_state_counts_by_region(city.county_regulator_b)} == {city.county_b.pk}


@pytest.mark.parametrize("persona", ["owner_a", "institute", "anonymous"])
def test_only_regulators_get_regional_counts(city, instrument_a, persona):
    assert due_state_counts_by_region(city.personas[persona]) == []


def test_rebuild_and_check_command(city, instrument_a, capsys):
    from jiliang.instruments.models import DueTally

    DueTally.objects.all().update(count=99)
    with pytest.raises(SystemExit):
        call_command("tally_rebuild", "--check")
    call_command("tally_rebuild")
    call_command("tally_rebuild", "--check")
    assert capsys.readouterr().out.strip().endswith("OK")
