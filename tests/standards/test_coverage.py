"""建标覆盖率 and the gaps list against a small city computed by hand (``small_city``: its table is in the docstring
of ``tests.builders.standards.build_small_city``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiliang.standards.selectors.coverage import coverage_for, coverage_report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def codes(counts) -> list[str]:
    return [c.item.code for c in counts]


def test_city_figure_counts_items_covered_by_any_valid_public_standard_in_the_city(city, small_city):
    report = coverage_report(city.city, day=TODAY)
    # Items with in-use mandatory instruments anywhere in the city: 02, 08, 22, 21, 03 -> denominator 5.
    # Covered: 02 and 08 (S1), 22 (S2, county B), 21 (S5, county A); 03 is not (S4 expired, S6's equipment
    # expired) -> numerator 4; 4 / 5 = 0.8.
    assert (report.root.numerator, report.root.denominator) == (4, 5)
    assert report.root.ratio == pytest.approx(0.8)
    # Sorted by instruments, most first: 02 = 3 + 1 = 4, 22 = 1 + 4 = 5, 08 = 2 + 1 = 3, 21 = 1 + 2 = 3.
    assert codes(report.root.covered) == ["22", "02", "08", "21"]
    assert [c.instruments for c in report.root.covered] == [5, 4, 3, 3]
    assert codes(report.root.uncovered) == ["03"]
    assert report.root.uncovered[0].instruments == 3
    # S1, S2, S5 counted: S3 is not public, S4 and S6 are not valid today.
    assert report.valid_public_standards == 3


def test_county_figure_counts_its_own_and_the_citys_public_standards_but_not_a_neighbours(city, small_city):
    report = coverage_report(city.city, day=TODAY)
    a, b = report.counties
    assert (a.region, b.region) == (city.county_a, city.county_b)
    # County A: items 02, 08, 22, 21, 03 -> 5. Served by S1 (city: 02, 08) and S5 (own: 21); 22 only by S2 in
    # county B (a neighbour, does not count) and S3 (not public); 03 by nothing valid -> 3 / 5 = 0.6.
    assert (a.numerator, a.denominator) == (3, 5)
    assert a.ratio == pytest.approx(0.6)
    assert sorted(codes(a.covered)) == ["02", "08", "21"]
    assert sorted(codes(a.uncovered)) == ["03", "22"]
    # County B: items 02, 22, 21, 03 -> 4 (the stopped 22 adds nothing). Served by S1 (city: 02) and S2 (own: 22);
    # 21 only by S5 in county A -> 2 / 4 = 0.5.
    assert (b.numerator, b.denominator) == (2, 4)
    assert b.ratio == pytest.approx(0.5)
    assert sorted(codes(b.uncovered)) == ["03", "21"]


def test_gaps_list_items_by_instruments_affected_with_each_county(city, small_city):
    report = coverage_report(city.city, day=TODAY)
    gaps = [
        (g.item.code, g.instruments, g.nowhere_in_city, [(r.region.name, r.instruments) for r in g.regions])
        for g in report.gaps
    ]
    # 03: uncovered in A (2) and B (1) -> 3, and no valid public standard anywhere in the city.
    # 21: uncovered in B (2) -> 2; the city has S5 in county A.
    # 22: uncovered in A (1) -> 1; the city has S2 in county B.
    # 08 seated at the city (1) is covered by S1: no gap row for the city itself.
    assert gaps == [
        ("03", 3, True, [("甲县", 2), ("乙县", 1)]),
        ("21", 2, False, [("乙县", 2)]),
        ("22", 1, False, [("甲县", 1)]),
    ]


def test_county_root_is_served_by_its_own_and_the_citys_standards(city, small_city):
    report = coverage_report(city.county_b, day=TODAY)
    assert report.counties == []
    assert (report.root.numerator, report.root.denominator) == (2, 4)
    assert [(g.item.code, g.instruments) for g in report.gaps] == [("21", 2), ("03", 1)]
    # S1 (city) and S2 (own) serve county B.
    assert report.valid_public_standards == 2


def test_a_standard_counts_again_on_a_day_when_it_was_valid(city, small_city):
    # Forty days ago S4's assessment certificate and S6's equipment certificate were both still in force,
    # so 03 is covered city-wide and in every county: city 5 / 5, A 4 / 5 (22 still missing), B 3 / 4.
    report = coverage_report(city.city, day=TODAY - timedelta(days=40))
    assert (report.root.numerator, report.root.denominator) == (5, 5)
    assert [(c.numerator, c.denominator) for c in report.counties] == [(4, 5), (3, 4)]
    assert [g.item.code for g in report.gaps] == ["21", "22"]


def test_a_city_without_instruments_has_no_ratio(city):
    report = coverage_report(city.city, day=TODAY)
    assert report.root.denominator == 0
    assert report.root.ratio is None
    assert report.gaps == []


def test_report_costs_a_fixed_number_of_queries(city, small_city, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        coverage_report(city.city, day=TODAY)


def test_regulators_get_their_own_region_and_others_get_nothing(city, small_city):
    assert [r.root.region for r in coverage_for(city.city_regulator, day=TODAY)] == [city.city]
    assert [r.root.region for r in coverage_for(city.county_regulator_a, day=TODAY)] == [city.county_a]
    assert [r.root.region for r in coverage_for(city.admin, day=TODAY)] == [city.city]
    for user in (city.owner_a_user, city.institute_user, None):
        assert coverage_for(user, day=TODAY) is None
