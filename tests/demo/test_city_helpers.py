"""Pure helpers of the demo city: fair splits and Chinese ordinals."""

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
