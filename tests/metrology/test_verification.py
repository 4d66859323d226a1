"""Pass/fail judgement of a verification from its points (jiliang.metrology.verification).

Sources: JJF 1001-2011 (示值误差 = indication − reference value); GB/T 8170-2008 clause 3 (rounding: round half to
even, negative numbers by their absolute value, 0.5 and 0.2 units) with its examples as remembered (unconfirmed:
no copy of the standard was at hand); the other examples are worked out here by hand, as each test says.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiliang.metrology.verification import Mpe, Point, judge, round_to

D = Decimal


# --- rounding (GB/T 8170-2008, clause 3.3 and 3.4; examples from memory, unconfirmed)


@pytest.mark.parametrize(
    ("value", "interval", "expected"),
    [
        ("12.1498", "0.1", "12.1"),  # the discarded digit is below 5: dropped
        ("1268", "10", "1270"),  # above 5: carried
        ("10.5002", "1", "11"),  # 5 followed by non-zero digits: carried
        ("1.050", "0.1", "1.0"),  # exactly 5, kept digit even: dropped
        ("0.35", "0.1", "0.4"),  # exactly 5, kept digit odd: carried
        ("2500", "1000", "2000"),
        ("3500", "1000", "4000"),
        ("-355", "10", "-360"),  # negative numbers by their absolute value
        ("-0.0365", "0.001", "-0.036"),
        ("60.25", "0.5", "60.0"),  # 0.5 units (3.4.1)
        ("60.38", "0.5", "60.5"),
        ("-60.75", "0.5", "-61.0"),
        ("830", "20", "840"),  # 0.2 units (3.4.2): 20 is 0.2 of a hundred
        ("842", "20", "840"),
        ("-930", "20", "-920"),
    ],
)
def test_errors_are_rounded_by_gb_t_8170(value, interval, expected):
    assert round_to(value, interval) == D(expected)


def test_half_up_rounding_is_offered_for_procedures_that_ask_for_it():
    assert round_to("1.050", "0.1", "half_up") == D("1.1")
    assert round_to("-1.050", "0.1", "half_up") == D("-1.1")  # away from zero, as 四舍五入 on the absolute value


@given(
    value=st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False),
    interval=st.sampled_from([D("0.001"), D("0.01"), D("0.2"), D("0.5"), D("1"), D("20")]),
    rule=st.sampled_from(["half_even", "half_up"]),
)
def test_a_rounded_value_is_a_multiple_of_the_interval_within_half_an_interval(value, interval, rule):
    rounded = round_to(value, interval, rule)
    assert rounded % interval == 0
    assert abs(rounded - value) <= interval / 2


# --- judging: error = indicated − reference; pass when |rounded error| ≤ MPE


def test_a_pressure_gauge_of_class_1_6_fails_on_its_worst_point():
    # Worked by hand: 0–1.6 MPa, MPE ±1.6 % of the span = ±0.0256 MPa; errors rounded to 0.001 MPa.
    points = [
        Point(indicated="0.0", reference="0.0", label="0"),
        Point(indicated="0.4", reference="0.4168", label="0.4"),  # −0.0168 → −0.017: passes
        Point(indicated="0.8", reference="0.8262", label="0.8"),  # −0.0262 → −0.026 > 0.0256: fails
        Point(indicated="1.6", reference="1.5790", label="1.6"),  # +0.0210 → +0.021: passes
    ]
    verdict = judge(points, mpe=Mpe.percent_of_full_scale("1.6", full_scale="1.6"), resolution="0.001")
    assert [p.rounded_error for p in verdict.points] == [D("0.000"), D("-0.017"), D("-0.026"), D("0.021")]
    assert {p.mpe for p in verdict.points} == {D("0.0256")}
    assert [p.passed for p in verdict.points] == [True, True, False, True]
    assert (verdict.passed, verdict.failed, verdict.worst.label) == (False, (2,), "0.8")


def test_rounding_before_judging_can_save_a_point():
    # MPE 0.05; the exact error 0.052 exceeds it, but the procedure rounds errors to 0.01: 0.05 passes.
    point = [Point(indicated="10.052", reference="10")]
    assert judge(point, mpe=Mpe.absolute("0.05"), resolution="0.01").passed is True
    assert judge(point, mpe=Mpe.absolute("0.05")).passed is False


def test_the_rounding_rule_is_a_parameter_that_can_decide_a_borderline_point():
    # Error 0.045 to 0.01: half-even gives 0.04 (passes an MPE of 0.04), half-up gives 0.05 (fails).
    point = [Point(indicated="20.045", reference="20")]
    assert judge(point, mpe=Mpe.absolute("0.04"), resolution="0.01").passed is True
    assert judge(point, mpe=Mpe.absolute("0.04"), resolution="0.01", rounding="half_up").passed is False


def test_an_error_exactly_at_the_mpe_passes():
    assert judge([Point(indicated="99.5", reference="100")], mpe=Mpe.absolute("0.5")).passed is True


def test_float_input_is_judged_on_its_decimal_value_not_its_binary_one():
    # In binary floating point 1.1 − 1.0 is 0.10000000000000009, which would fail an MPE of 0.1.
    verdict = judge([Point(indicated=1.1, reference=1.0)], mpe=Mpe.absolute(0.1))
    assert verdict.points[0].error == D("0.1")
    assert verdict.passed is True


def test_percent_of_reading_is_taken_of_the_indication_unless_the_reference_is_asked_for():
    # Worked by hand: 1 % of the reading at 101 indicated / 100 reference: 1.01 of the indication, 1.00 of the
    # reference; the error is 1.
    point = [Point(indicated="101", reference="100")]
    of_indication = judge(point, mpe=Mpe.percent_of_reading(1))
    of_reference = judge(point, mpe=Mpe.percent_of_reading(1, basis="reference"))
    assert of_indication.points[0].mpe == D("1.01")
    assert of_reference.points[0].mpe == D("1.00")
    assert of_indication.passed and of_reference.passed


def test_an_mpe_of_a_plus_b_times_reading_grows_along_the_range():
    # Worked by hand: ±(0.02 + 0.005 × |indication|): 0.0703 at 10.06 (error 0.06 passes), 0.523 at 100.6 (error
    # 0.6 fails).
    mpe = Mpe.linear("0.02", "0.005")
    verdict = judge(
        [Point(indicated="10.06", reference="10"), Point(indicated="100.6", reference="100")],
        mpe=mpe,
        resolution="0.01",
    )
    assert [p.mpe for p in verdict.points] == [D("0.0703"), D("0.523")]
    assert [p.passed for p in verdict.points] == [True, False]


def test_a_point_may_carry_its_own_mpe():
    points = [
        Point(indicated="0.52", reference="0.5", mpe=Mpe.absolute("0.02"), label="low range"),
        Point(indicated="5.03", reference="5", label="main range"),
    ]
    verdict = judge(points, mpe=Mpe.absolute("0.05"))
    assert [p.mpe for p in verdict.points] == [D("0.02"), D("0.05")]
    assert verdict.passed is True


def test_the_worst_point_uses_the_largest_share_of_its_mpe_and_the_first_wins_a_tie():
    points = [
        Point(indicated="1.01", reference="1", mpe=Mpe.absolute("0.02")),  # 50 %
        Point(indicated="2.03", reference="2", mpe=Mpe.absolute("0.04")),  # 75 %, larger error would not matter
        Point(indicated="3.3", reference="3", mpe=Mpe.absolute("0.4")),  # 75 %, a tie: the earlier point stays
    ]
    verdict = judge(points)
    assert (verdict.worst.index, verdict.worst.usage) == (1, D("0.75"))


@given(
    errors=st.lists(st.decimals(min_value=-2, max_value=2, places=3, allow_nan=False), min_size=1, max_size=10),
    mpe=st.decimals(min_value=D("0.001"), max_value=2, places=3),
)
def test_the_verdict_passes_exactly_when_every_rounded_error_is_within_the_mpe(errors, mpe):
    points = [Point(indicated=D(10) + e, reference=D(10)) for e in errors]
    verdict = judge(points, mpe=Mpe.absolute(mpe), resolution="0.01")
    assert verdict.passed == all(abs(round_to(e, "0.01")) <= mpe for e in errors)
    assert verdict.worst.usage == max(p.usage for p in verdict.points)


# --- bad input


def test_an_mpe_of_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown MPE kind 'ppm'; expected one of absolute, percent_of_reading"):
        Mpe(kind="ppm", a=D(1))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Mpe.absolute("-0.5"), "give it without a sign"),
        (lambda: Mpe.absolute(0), "MPE of zero"),
        (lambda: Mpe(kind="percent_of_full_scale", a=D(1)), "needs the full scale"),
        (lambda: Mpe.percent_of_full_scale(1, full_scale=0), "full scale must be positive"),
        (lambda: Mpe.linear(0, 0), "needs a or b above zero"),
        (lambda: Mpe.percent_of_reading(1, basis="moon"), "unknown MPE basis 'moon'"),
        (lambda: Mpe.absolute("half a volt"), "MPE must be a number"),
        (lambda: Point(indicated="nan", reference="1"), "indicated value must be finite"),
        (lambda: Point(indicated=True, reference="1"), "indicated value must be a number"),
    ],
)
def test_a_bad_mpe_or_point_is_refused_with_the_reason(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("points", "kwargs", "message"),
    [
        ([], {"mpe": Mpe.absolute(1)}, "at least one measured point"),
        ([Point(indicated="1", reference="1", label="p1")], {}, "point 0 'p1' has no MPE"),
        (
            [Point(indicated="1", reference="1")],
            {"mpe": Mpe.absolute(1), "rounding": "bankers"},
            "unknown rounding rule 'bankers'",
        ),
        ([Point(indicated="1", reference="1")], {"mpe": Mpe.absolute(1), "resolution": "0"}, "must be positive"),
        ([Point(indicated="0", reference="0")], {"mpe": Mpe.percent_of_reading(1)}, "MPE at this point is zero"),
        ([(1, 1)], {"mpe": Mpe.absolute(1)}, "point 0 must be a Point"),
    ],
)
def test_bad_judge_input_raises_a_value_error_naming_the_problem(points, kwargs, message):
    with pytest.raises(ValueError, match=message):
        judge(points, **kwargs)
