"""``manage.py snapshot_indicators``: the nightly snapshot run, its backfill, its audit trail and its errors."""

from __future__ import annotations

import doctest
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from jiliang.core.models import AuditEvent, Region
from jiliang.indicators.models import Indicator, Snapshot
from jiliang.indicators.selectors import plans as plan_selectors
from jiliang.indicators.selectors.plans import month_ends
from jiliang.indicators.services import plans as snapshots

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 16)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("snapshot_indicators", *args, stdout=out)
    return out.getvalue()


def regions_per_city(city) -> int:
    return 1 + len(plan_selectors.counties_of(city.city))


def test_one_day_stores_every_indicator_of_every_shipped_plan_for_the_city_and_each_county(city):
    out = run("--date", DAY.isoformat())
    indicators = Indicator.objects.filter(plan__region__isnull=True).count()
    assert indicators > 0
    expected = indicators * regions_per_city(city)
    assert Snapshot.objects.filter(day=DAY).count() == expected
    assert set(Snapshot.objects.values_list("region_id", flat=True)) == {
        city.city.pk,
        city.county_a.pk,
        city.county_b.pk,
    }
    assert "已生成指标快照" in out and f"{expected} 行" in out and "1 天" in out


def test_a_second_run_the_same_day_replaces_the_day_rather_than_adding_to_it(city):
    run("--date", DAY.isoformat())
    first = sorted(Snapshot.objects.values_list("indicator_id", "region_id", "day"))
    first_ids = set(Snapshot.objects.values_list("id", flat=True))
    run("--date", DAY.isoformat())
    again = sorted(Snapshot.objects.values_list("indicator_id", "region_id", "day"))
    assert again == first
    assert not first_ids & set(Snapshot.objects.values_list("id", flat=True))  # recomputed, not kept


def test_each_run_writes_one_audit_event_per_city(city):
    Region.objects.create(code="610600", name="延安市", level=Region.Level.CITY)
    run("--date", DAY.isoformat())
    events = AuditEvent.objects.filter(action=snapshots.ACTION)
    assert events.count() == 2
    assert {e.object_id for e in events} == {str(city.city.pk), str(Region.objects.get(code="610600").pk)}
    assert all(e.actor is None and e.changes["day"] == DAY.isoformat() for e in events)
    run("--date", DAY.isoformat())
    assert AuditEvent.objects.filter(action=snapshots.ACTION).count() == 4


def test_city_option_limits_the_run_to_that_city(city):
    other = Region.objects.create(code="610600", name="延安市", level=Region.Level.CITY)
    run("--date", DAY.isoformat(), "--city", city.city.code)
    assert not Snapshot.objects.filter(region=other).exists()
    events = AuditEvent.objects.filter(action=snapshots.ACTION)
    assert [e.object_id for e in events] == [str(city.city.pk)]


def test_backfill_takes_the_month_ends_before_the_date_and_the_date(city):
    out = run("--date", DAY.isoformat(), "--backfill-months", "3")
    days = sorted(set(Snapshot.objects.values_list("day", flat=True)))
    assert days == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), DAY]
    per_day = Indicator.objects.filter(plan__region__isnull=True).count() * regions_per_city(city)
    for day in days:
        assert Snapshot.objects.filter(day=day).count() == per_day
    assert "4 天" in out and "2025-12-31" in out
    assert AuditEvent.objects.filter(action=snapshots.ACTION).count() == 4


def test_default_day_is_today(city):
    from django.utils import timezone

    run()
    assert set(Snapshot.objects.values_list("day", flat=True)) == {timezone.localdate()}


@pytest.mark.parametrize("bad", ["16/03/2026", "2026-02-30", "tomorrow"])
def test_a_bad_date_is_a_command_error_in_chinese(city, bad):
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        run("--date", bad)
    assert not Snapshot.objects.exists()


def test_an_unknown_city_is_a_command_error_in_chinese(city):
    with pytest.raises(CommandError, match="没有代码为 999999 的市级行政区域"):
        run("--city", "999999")
    # A county's code is not a city's.
    with pytest.raises(CommandError, match="市级行政区域"):
        run("--city", city.county_a.code)
    assert not Snapshot.objects.exists()


def test_a_negative_backfill_is_a_command_error(city):
    with pytest.raises(CommandError, match="补算月数"):
        run("--backfill-months", "-1")


def test_no_city_at_all_is_a_command_error(db):
    with pytest.raises(CommandError, match="市级行政区域"):
        run("--date", DAY.isoformat())


@pytest.mark.parametrize(
    ("until", "months", "expected"),
    [
        (date(2026, 3, 15), 0, [date(2026, 3, 15)]),
        (
            date(2026, 3, 15),
            3,
            [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)],
        ),
        # A leap year's February; the date itself a month end.
        (date(2024, 3, 31), 2, [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]),
        # The first of a month: the month before ends the day before.
        (date(2026, 1, 1), 1, [date(2025, 12, 31), date(2026, 1, 1)]),
        # Twelve months: thirteen days, one per month, the first a year and a bit back.
        (
            date(2026, 3, 16),
            12,
            [date(2025, m, d) for m, d in ((3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30))]
            + [date(2025, 10, 31), date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]
            + [date(2026, 3, 16)],
        ),
    ],
)
def test_month_ends(until, months, expected):
    assert month_ends(until, months) == expected


def test_month_ends_docstring_example_holds():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(month_ends, "month_ends", globs={"date": date, "month_ends": month_ends}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
