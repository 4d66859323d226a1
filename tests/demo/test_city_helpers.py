"""Pure helpers of the demo cities: fair splits, Chinese ordinals, and the cities file."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jiliang.demo import owners


@given(st.integers(0, 10_000), st.lists(st.floats(0.01, 100), min_size=1, max_size=30), st.integers(0, 3))
def test_apportion_splits_the_whole_total_and_keeps_the_minimum_when_it_can(total, weights, minimum):
    counts = owners.apportion(total, weights, minimum=minimum)
    assert sum(counts) == total
    assert len(counts) == len(weights)
    if total >= minimum * len(weights):
        assert min(counts) >= minimum


def test_chinese_ordinals_read_as_written():
    assert [owners.chinese_ordinal(n) for n in (2, 9, 10, 12, 20, 35, 99)] == [
        "二",
        "九",
        "十",
        "十二",
        "二十",
        "三十五",
        "九十九",
    ]


def test_place_stems_drop_the_administrative_suffix():
    assert [owners.stem(p) for p in ("大屯镇", "站前街道", "榆树乡", "镇")] == ["大屯", "站前", "榆树", "镇"]


def test_cities_file_names_both_plan_cities_with_their_real_division_codes():
    from jiliang.demo import names

    cities = names.load()
    assert [(c.name, c.code, c.plan) for c in cities.values()] == [
        ("延安市", "610600", "yanan-2021"),
        ("阜新市", "210900", "fuxin-2015"),
    ]
    assert len(cities["yanan"].counties) == 13 and len(cities["fuxin"].counties) == 7
    assert {c.code for c in cities["fuxin"].counties} == {
        "210902",
        "210903",
        "210904",
        "210905",
        "210911",
        "210921",
        "210922",
    }


def test_cities_file_refuses_a_division_outside_its_city_and_an_unknown_key(tmp_path):
    from jiliang.demo import names
    from tests.builders.demo import assert_edit_refused

    assert_edit_refused(names, tmp_path, 'code = "610602"', 'code = "610702"', "is not in 610600")
    assert_edit_refused(names, tmp_path, 'login = "fuxin"', 'login = "fuxin"\nmayor = "x"', "unknown keys ['mayor']")
