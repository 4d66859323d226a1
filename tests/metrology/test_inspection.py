"""The test draw of an inspection: the relative error of a dispenser's delivery against a standard can, judged
against the MPE in percent (jiliang.metrology.inspection). Expected values worked out by hand below."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiliang.metrology.inspection import (
    FUEL_DISPENSER_MPE_PERCENT,
    TestDrawError,
    error_percent,
    judge_test_draw,
)


def test_twenty_litres_shown_and_19_95_in_the_can_is_0_251_percent_and_passes():
    # (20 − 19.95) / 19.95 × 100 = 0.05 / 19.95 × 100 = 0.250626… → 0.251
    result = judge_test_draw("20", "19.95")
    assert result.error_percent == Decimal("0.251")
    assert result.mpe_percent == Decimal("0.30")
    assert result.passed


def test_twenty_litres_shown_and_19_90_in_the_can_is_0_503_percent_and_fails():
    # 0.10 / 19.90 × 100 = 0.502512… → 0.503 > 0.30
    result = judge_test_draw("20", "19.90")
    assert result.error_percent == Decimal("0.503")
    assert not result.passed


def test_a_station_that_gives_more_than_it_charges_has_a_negative_error():
    # (20 − 20.07) / 20.07 × 100 = −0.348779… → −0.349: outside ±0.30 % too (it is judged by its magnitude)
    result = judge_test_draw("20", "20.07")
    assert result.error_percent == Decimal("-0.349")
    assert not result.passed
    # (1 − 1.002) / 1.002 × 100 = −0.199600… → −0.200: within
    assert judge_test_draw("1", "1.002").error_percent == Decimal("-0.200")
    assert judge_test_draw("1", "1.002").passed


def test_an_error_exactly_on_the_mpe_passes_and_just_above_fails():
    # A can reading 100 L makes the error the indication's excess in percent.
    assert judge_test_draw("100.30", "100").passed
    assert judge_test_draw("100.3005", "100").error_percent == Decimal("0.300")  # half to even
    assert judge_test_draw("100.3005", "100").passed
    assert judge_test_draw("100.3015", "100").error_percent == Decimal("0.302")
    assert not judge_test_draw("100.3015", "100").passed
    assert not judge_test_draw("99.69", "100").passed  # −0.31 %


def test_the_mpe_is_a_parameter_taken_from_the_checklist():
    assert FUEL_DISPENSER_MPE_PERCENT == Decimal("0.30")
    assert judge_test_draw("20", "19.90", "0.60").passed
    assert not judge_test_draw("20", "19.95", "0.20").passed


def test_floats_are_taken_by_their_text_so_no_binary_artefact_decides():
    assert error_percent(20.0, 19.95) == Decimal("0.251")
    assert judge_test_draw(20, 19.95, 0.3).passed


@pytest.mark.parametrize(
    ("indicated", "actual", "mpe", "field"),
    [
        ("20", "0", "0.3", "actual"),
        ("20", "-1", "0.3", "actual"),
        ("0", "20", "0.3", "indicated"),
        ("abc", "20", "0.3", "indicated"),
        ("20", "NaN", "0.3", "actual"),
        ("20", "Infinity", "0.3", "actual"),
        ("20", "20", "0", "mpe_percent"),
        ("20", "20", "-0.3", "mpe_percent"),
    ],
)
def test_inputs_that_cannot_be_judged_are_refused_with_the_field(indicated, actual, mpe, field):
    with pytest.raises(TestDrawError) as caught:
        judge_test_draw(indicated, actual, mpe)
    assert caught.value.field == field
    assert caught.value.msgid
