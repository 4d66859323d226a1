"""The demo city comes with a year of indicator snapshots, so that its plan dashboards show trends."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command

from jiliang.core.models import Region
from jiliang.demo import names
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
def test_seeded_city_has_13_days_of_snapshots_for_every_indicator_of_both_plans(db, extra):
    out = io.StringIO()
    call_command("seed_city", "--seed", "1", "--instruments", "300", "--today", TODAY.isoformat(), *extra, stdout=out)
    expected_days = set(month_ends(TODAY, SNAPSHOT_MONTHS))
    assert len(expected_days) == 13 and max(expected_days) == TODAY
    the_city = Region.objects.get(code=names.CITY_CODE)
    found = days_by_indicator(the_city)
    indicators = list(Indicator.objects.filter(plan__code__in=PLANS).values_list("plan__code", "code"))
    assert {plan for plan, _code in indicators} == set(PLANS)
    for key in indicators:
        assert found[key] == expected_days, key
    # Each county too (its own row per indicator and day), and nothing else.
    counties = Region.objects.filter(parent=the_city, level=Region.Level.COUNTY).count()
    assert Snapshot.objects.count() == len(indicators) * 13 * (1 + counties)
    # The coverage figure is a real one on the seed's day, not an empty row.
    coverage = Snapshot.objects.get(
        indicator__plan__code="yanan-2021", indicator__code="coverage", region=the_city, day=TODAY
    )
    assert coverage.value is not None and coverage.denominator
    text = out.getvalue()
    assert "正在生成指标快照" in text and "13 天" in text
