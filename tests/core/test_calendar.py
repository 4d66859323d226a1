"""The working-day calendar as data the administrator maintains (jiliang.core.calendar, HolidayYear): seeded by
core migration 0004 from jiliang/metrology/data/holidays_cn.json, edited in the admin with the calendar's checks,
every change audited, and read by the clocks at once."""

from __future__ import annotations

import json
from datetime import date

import pytest

from jiliang.core import calendar
from jiliang.core.models import AuditEvent, HolidayYear
from jiliang.metrology.draw import CALENDAR_FILE, add_working_days

ADMIN = "/admin/core/holidayyear/"


def form(year: HolidayYear, **changes) -> dict:
    data = {
        "year": year.year,
        "holidays": json.dumps(year.holidays, ensure_ascii=False),
        "workdays": json.dumps(year.workdays),
        "notice": year.notice,
        "document_number": year.document_number,
        "published": year.published.isoformat() if year.published else "",
        "seen_in": year.seen_in,
        "confidence": year.confidence,
        "note": year.note,
    }
    data.update(changes)
    return data


def test_the_migration_seeds_every_year_of_the_shipped_calendar(db):
    shipped = json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))["years"]
    rows = {row.year: row for row in HolidayYear.objects.all()}
    assert sorted(rows) == sorted(int(y) for y in shipped) == [*range(2015, 2028)]
    for key, entry in shipped.items():
        row = rows[int(key)]
        assert (row.holidays, row.workdays, row.confidence) == (
            entry["holidays"],
            entry["workdays"],
            entry["confidence"],
        )
    assert rows[2017].document_number == "国办发明电〔2016〕17号" and rows[2017].confidence == "confirmed"
    assert rows[2027].confidence == "unconfirmed"


def test_2017_counts_the_qingming_block_and_its_saturday_worked(db):
    work = calendar.work_calendar()
    assert work.is_working_day(date(2017, 4, 1))  # Saturday, 调休上班
    assert not work.is_working_day(date(2017, 4, 3))  # Monday, 清明节
    assert add_working_days(date(2017, 3, 31), 5, calendar=work) == date(2017, 4, 10)


def test_a_year_without_a_row_counts_weekends_only_and_is_provisional(db):
    HolidayYear.objects.filter(year=2027).delete()
    work = calendar.work_calendar()
    assert work.is_working_day(date(2027, 1, 1))  # a Friday: 元旦 is not known without the row
    assert calendar.provisional_years(date(2026, 12, 28), date(2027, 1, 8)) == (2027,)
    assert calendar.provisional_years(date(2026, 3, 1), date(2026, 3, 31)) == ()


def test_the_admin_edits_a_year_audited_and_the_clocks_count_on_it_at_once(city, client):
    client.force_login(city.admin)
    assert client.get(ADMIN).status_code == 200
    year = HolidayYear.objects.get(year=2027)
    assert calendar.work_calendar().is_working_day(date(2027, 2, 10))
    holidays = [*year.holidays, {"name": "春节（示例）", "from": "2027-02-09", "to": "2027-02-11"}]
    response = client.post(f"{ADMIN}{year.pk}/change/", form(year, holidays=json.dumps(holidays, ensure_ascii=False)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not calendar.work_calendar().is_working_day(date(2027, 2, 10))
    event = AuditEvent.objects.get(action="core.holidayyear.update", object_id=str(year.pk))
    assert "holidays" in event.changes


def test_the_admin_adds_a_year_and_its_deadlines_stop_being_counted_on_weekends_only(city, client):
    client.force_login(city.admin)
    assert calendar.work_calendar().confidence(2028) == "missing"
    data = {
        "year": "2028",
        "holidays": json.dumps([{"name": "元旦", "from": "2028-01-01", "to": "2028-01-03"}]),
        "workdays": "[]",
        "notice": "国务院办公厅关于2028年部分节假日安排的通知（示例）",
        "document_number": "",
        "published": "",
        "seen_in": "",
        "confidence": "unconfirmed",
        "note": "",
    }
    response = client.post(f"{ADMIN}add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="core.holidayyear.create").exists()
    assert calendar.work_calendar().confidence(2028) == "unconfirmed"
    assert not calendar.work_calendar().is_working_day(date(2028, 1, 3))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"workdays": '["2027-02-03"]'}, "workdays", "not a Saturday or Sunday"),
        ({"workdays": '["2027-02-06"]'}, "workdays", "both a holiday and an adjusted workday"),
        ({"holidays": '[{"name": "春节", "from": "2027-02-08", "to": "2027-02-05"}]'}, "holidays", "ends before"),
        ({"holidays": '[{"name": "元旦", "from": "2026-12-31", "to": "2027-01-01"}]'}, "holidays", "another year"),
        ({"holidays": '["2027-01-01"]'}, "holidays", "每段假期应写成"),
        ({"confidence": "confirmed", "seen_in": ""}, "seen_in", "已确认的年份须注明"),
    ],
)
def test_the_admin_refuses_a_year_the_calendar_checks_refuse(city, client, changes, field, message):
    client.force_login(city.admin)
    year = HolidayYear.objects.get(year=2027)
    before = (year.holidays, year.workdays, year.confidence)
    response = client.post(f"{ADMIN}{year.pk}/change/", form(year, **changes))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    year.refresh_from_db()
    assert (year.holidays, year.workdays, year.confidence) == before
    assert not AuditEvent.objects.filter(action="core.holidayyear.update").exists()


@pytest.mark.parametrize("persona", ["institute", "city_regulator", "owner_a"])
def test_outsiders_cannot_reach_the_calendar_admin(city, client, persona):
    client.force_login(city.personas[persona])
    response = client.get(ADMIN)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_anonymous_cannot_reach_the_calendar_admin(db, client):
    response = client.get(ADMIN)
    assert response.status_code == 302 and "login/" in response["Location"]
