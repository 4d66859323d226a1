"""Each demo city comes with a year of its own plan's indicator snapshots (Fuxin also with its plan period's year
ends), so that its plan dashboard shows trends."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command

from jiliang.core.models import Region
from jiliang.demo.management.commands.seed_city import SNAPSHOT_MONTHS
from jiliang.indicators.models import Indicator, Snapshot
from jiliang.indicators.selectors.plans import month_ends

TODAY = date(2026, 3, 16)
PLANS = ("fuxin-2015", "yanan-2021")


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def days_by_indicator(region: Region) -> dict[tuple[str, str], set[date]]:
    found: dict[tuple[str, str], set[date]] = defaultdict(set)
    for plan, code, day in Snapshot.objects.filter(region=region).values_list(
        "indicator__plan__code", "indicator__code", "day"
    ):
        found[(plan, code)].add(day)
    return found


@pytest.mark.parametrize("extra", [[], ["--no-history"]], ids=["with history", "no history"])
def test_each_seeded_city_has_snapshots_of_its_own_plan_for_a_year_and_fuxin_for_its_plan_period(db, extra):
    out = io.StringIO()
    call_command("seed_city", "--seed", "1", "--instruments", "300", "--today", TODAY.isoformat(), *extra, stdout=out)
    year = set(month_ends(TODAY, SNAPSHOT_MONTHS))
    assert len(year) == 13 and max(year) == TODAY
    # Fuxin's plan ran 2015–2020: the last day of each of its years too.
    expected = {"yanan-2021": year, "fuxin-2015": year | {date(y, 12, 31) for y in range(2015, 2021)}}
    total = 0
    for code, plan in (("610600", "yanan-2021"), ("210900", "fuxin-2015")):
        the_city = Region.objects.get(code=code)
        found = days_by_indicator(the_city)
        indicators = list(Indicator.objects.filter(plan__code=plan).values_list("plan__code", "code"))
        assert indicators
        # Only its own plan's indicators: the other city's plan is not the city's.
        assert {key[0] for key in found} == {plan}
        for key in indicators:
            assert found[key] == expected[plan], key
        # Each county too (its own row per indicator and day).
        counties = Region.objects.filter(parent=the_city, level=Region.Level.COUNTY).count()
        total += len(indicators) * len(expected[plan]) * (1 + counties)
    assert set(PLANS) == set(expected)
    assert Snapshot.objects.count() == total
    # The coverage figure is a real one on the seed's day, not an empty row.
    coverage = Snapshot.objects.get(
        indicator__plan__code="yanan-2021", indicator__code="coverage", region__code="610600", day=TODAY
    )
    assert coverage.value is not None and coverage.denominator
    text = out.getvalue()
    assert "正在生成延安市的指标快照：共 13 天" in text and "正在生成阜新市的指标快照：共 19 天" in text
