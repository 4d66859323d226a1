"""JJF 1070 net content rules against the worked examples of docs/reference/netcontent.md (data copied here)."""

import json
import math
import random
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiliang.metrology import netcontent
from jiliang.metrology.netcontent import (
    NetContentTables,
    band_edges,
    evaluate,
    sampling_plan,
    tolerable_deficiency,
    tolerable_deficiency_exact,
)

# docs/reference/netcontent.md, example A: Qn = 500 g, N = 200.
EXAMPLE_A = [
    500.2, 498.1, 501.5, 497.9, 499.3, 503.0, 496.8, 500.9, 498.8, 502.2, 495.4, 499.9, 501.1, 497.2, 500.4, 498.3,
    502.7, 499.0, 496.1, 501.8, 484.6, 500.6, 498.5, 503.4, 497.6, 499.8, 501.3, 496.5, 500.1, 498.9, 502.4, 497.0,
    499.5, 501.9, 495.8, 500.8, 498.2, 503.1, 497.4, 499.2, 486.9, 501.6, 498.0, 500.3, 496.9, 502.0, 499.6, 497.8,
    500.7, 498.6,
]  # fmt: skip

# docs/reference/netcontent.md, example B: Qn = 200 g, N = 30.
EXAMPLE_B = [201.2, 199.5, 190.5, 200.8, 202.1, 198.7, 200.3, 199.9, 201.0, 200.6]

# docs/reference/netcontent.md, "T vectors (half-even)".
T_VECTORS = [
    (50, 4.5), (75, 4.5), (150, 6.8), (250, 9.0), (450, 13.5), (1200, 18.0), (4500, 68.0), (12000, 150.0), (20000, 200.0),
]  # fmt: skip
COUNT_VECTORS = [(51, 1.0), (120, 2.0)]

# docs/reference/netcontent.md, "Sampling plan" (JJF 1070-2005): (N, n, λ, allowed T1, allowed T2).
PLAN_ROWS = [
    (1, 1, None, 0, 0),
    (10, 10, None, 0, 0),
    (11, 10, 1.028, 0, 0),
    (50, 10, 1.028, 0, 0),
    (51, 13, 0.848, 1, 0),
    (99, 13, 0.848, 1, 0),
    (100, 50, 0.379, 3, 0),
    (500, 50, 0.379, 3, 0),
    (501, 80, 0.295, 5, 0),
    (3200, 80, 0.295, 5, 0),
    (3201, 125, 0.234, 7, 0),
    (1_000_000, 125, 0.234, 7, 0),
]

MASS_VOLUME_EDGES = [50, 100, 200, 300, 500, 1000, 10000, 15000]


def shipped_data():
    text = resources.files("jiliang.metrology").joinpath("data", netcontent.DATA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


# The machine running the suite is shared: a slow example is not a failure of the rule under test.
no_deadline = settings(deadline=None)

# --- worked examples ---------------------------------------------------------------------------------------------


def test_example_a_from_the_reference_passes_with_one_t1_error():
    """docs/reference/netcontent.md, example A."""
    verdict = evaluate(nominal=500, quantity="mass", batch_size=200, contents=EXAMPLE_A)

    assert (verdict.sample_size, verdict.lambda_, verdict.allowed_t1, verdict.allowed_t2) == (50, 0.379, 3, 0)
    assert verdict.tolerance == 15.0
    assert verdict.t1_limit == 485.0
    assert verdict.t2_limit == 470.0
    assert verdict.t1_count == 1
    assert [EXAMPLE_A[i] for i in verdict.t1_units] == [484.6]  # 486.9 is not a T1 error
    assert verdict.t2_count == 0
    assert verdict.mean == pytest.approx(498.992, abs=5e-4)
    assert verdict.std == pytest.approx(3.4259, abs=5e-5)
    assert verdict.mean_limit == pytest.approx(498.7016, abs=5e-5)
    assert verdict.mean_ok is True
    assert verdict.units_ok is True
    assert verdict.passed is True


def test_example_b_from_the_reference_fails_on_the_unit_criterion_although_the_mean_holds():
    """docs/reference/netcontent.md, example B."""
    verdict = evaluate(nominal=200, quantity="mass", batch_size=30, contents=EXAMPLE_B)

    assert (verdict.sample_size, verdict.lambda_, verdict.allowed_t1) == (10, 1.028, 0)
    assert verdict.tolerance == 9.0
    assert verdict.t1_limit == 191.0
    assert verdict.t1_count == 1
    assert [EXAMPLE_B[i] for i in verdict.t1_units] == [190.5]
    assert verdict.mean == pytest.approx(199.46, abs=5e-3)
    assert verdict.std == pytest.approx(3.2867, abs=5e-5)
    assert verdict.mean_limit == pytest.approx(196.6212, abs=5e-5)
    assert verdict.mean_ok is True
    assert verdict.units_ok is False
    assert verdict.passed is False


@pytest.mark.parametrize(("nominal", "expected"), T_VECTORS)
def test_mass_t_matches_the_reference_t_vectors_with_half_even_rounding(nominal, expected):
    """docs/reference/netcontent.md, "T vectors (half-even)"."""
    assert tolerable_deficiency(nominal, "mass") == expected
    assert tolerable_deficiency(nominal, "volume") == expected


@pytest.mark.parametrize(("nominal", "expected"), COUNT_VECTORS)
def test_count_t_matches_the_reference_vectors_rounded_up_to_a_whole_unit(nominal, expected):
    """docs/reference/netcontent.md, "T vectors": count Qn 51 → 1; 120 → 2."""
    assert tolerable_deficiency(nominal, "count") == expected


def test_rounding_rule_decides_t_only_at_5_g_and_3_5_kg_as_the_reference_says():
    """docs/reference/netcontent.md, "Rounding": 0.45 → 0.4 or 0.5; 52.5 → 52 or 53."""
    assert tolerable_deficiency(5, rounding="half_even") == 0.4
    assert tolerable_deficiency(5, rounding="half_up") == 0.5
    assert tolerable_deficiency(3500, rounding="half_even") == 52.0
    assert tolerable_deficiency(3500, rounding="half_up") == 53.0
    for nominal, _ in T_VECTORS:
        assert tolerable_deficiency(nominal, rounding="half_up") == tolerable_deficiency(nominal)


def test_t_is_rounded_to_a_tenth_up_to_1_kg_and_to_a_whole_gram_above():
    assert tolerable_deficiency(999) == 15.0
    assert tolerable_deficiency_exact(123) == Decimal("5.5")  # 4.5 % × 123 = 5.535
    assert tolerable_deficiency_exact(1001) == Decimal("15")  # 1.5 % × 1001 = 15.015
    assert tolerable_deficiency_exact(1234) == Decimal("19")  # 18.51


def test_length_area_and_count_follow_their_own_rules():
    """docs/reference/netcontent.md, "Length, area, count"."""
    assert tolerable_deficiency(5, "length") == 0.0
    assert tolerable_deficiency(10, "length") == pytest.approx(0.2)
    assert tolerable_deficiency(2.5, "area") == pytest.approx(0.075)
    assert tolerable_deficiency(50, "count") == 0.0
    assert tolerable_deficiency(100, "count") == 1.0
    assert tolerable_deficiency(101, "count") == 2.0  # 1.01 rounded up: T may exceed 1 %


@pytest.mark.parametrize(("batch", "n", "lam", "t1", "t2"), PLAN_ROWS)
def test_sampling_plan_gives_the_published_row_at_every_batch_edge(batch, n, lam, t1, t2):
    """docs/reference/netcontent.md, "Sampling plan"."""
    plan = sampling_plan(batch)
    assert (plan.sample_size, plan.lambda_, plan.allowed_t1, plan.allowed_t2) == (n, lam, t1, t2)
    assert plan.has_mean_check is (lam is not None)
    assert plan.confidence == "confirmed"


def test_lambda_is_the_published_constant_not_the_formula():
    """For n = 13 the formula t0.995(12)/√13 gives 0.847; the table (and so the plan) says 0.848."""
    from scipy import stats

    formula = stats.t.ppf(0.995, 12) / math.sqrt(13)
    assert round(formula, 3) == 0.847
    assert sampling_plan(60).lambda_ == 0.848


def test_2023_edition_is_available_and_flagged_unconfirmed():
    plan = sampling_plan(200, edition="2023")
    assert plan.edition == "2023"
    assert plan.confidence == "unconfirmed"
    assert (plan.sample_size, plan.lambda_) == (50, 0.379)


# --- verdict details ---------------------------------------------------------------------------------------------


def test_a_shortfall_of_exactly_t_is_not_an_error_and_of_exactly_2t_is_t1_not_t2():
    contents = [200.0] * 8 + [191.0, 182.0]  # Qn − T and Qn − 2T with T = 9
    verdict = evaluate(nominal=200, quantity="mass", batch_size=30, contents=contents)
    assert verdict.t1_units == (9,)
    assert verdict.t2_count == 0


def test_a_unit_just_below_qn_minus_t_is_a_t1_error_with_values_that_are_not_exact_in_binary():
    """Qn = 150 g: T = 6.8, so the T1 limit is 143.2; 143.19 is a T1 error, 143.2 is not."""
    contents = [150.0] * 8 + [143.2, 143.19]
    verdict = evaluate(nominal=150, quantity="mass", batch_size=30, contents=contents)
    assert verdict.t1_limit == 143.2
    assert verdict.t1_units == (9,)


def test_one_t2_error_fails_the_batch_whatever_the_t1_allowance():
    contents = [500.0] * 49 + [469.9]  # below Qn − 2T = 470
    verdict = evaluate(nominal=500, quantity="mass", batch_size=200, contents=contents)
    assert verdict.t2_count == 1
    assert verdict.t1_count == 0
    assert verdict.units_ok is False
    assert verdict.passed is False


def test_a_low_mean_fails_the_batch_even_without_unit_errors():
    contents = [495.0, 499.0] * 25  # every unit within T = 15, mean 497 < 500 − 0.379·s
    verdict = evaluate(nominal=500, quantity="mass", batch_size=200, contents=contents)
    assert verdict.t1_count == 0
    assert verdict.units_ok is True
    assert verdict.mean_ok is False
    assert verdict.mean_limit == pytest.approx(500 - 0.379 * verdict.std)
    assert verdict.passed is False


def test_small_batch_is_judged_unit_by_unit_with_no_mean_check():
    verdict = evaluate(nominal=500, quantity="mass", batch_size=3, contents=[490.0, 492.0, 491.0])
    assert verdict.sample_size == 3
    assert verdict.lambda_ is None
    assert verdict.mean_ok is None
    assert verdict.mean_limit is None
    assert verdict.mean == pytest.approx(491.0)
    assert verdict.passed is True  # a low mean does not matter for N ≤ 10


def test_single_unit_batch_has_no_standard_deviation():
    verdict = evaluate(nominal=500, quantity="mass", batch_size=1, contents=[484.0])
    assert verdict.std is None
    assert verdict.t1_count == 1
    assert verdict.passed is False


def test_length_up_to_5_m_allows_no_shortfall_at_all():
    verdict = evaluate(nominal=5, quantity="length", batch_size=2, contents=[5.0, 4.999])
    assert verdict.tolerance == 0.0
    assert verdict.t2_count == 1
    assert verdict.passed is False


def test_verdict_carries_what_the_report_shows_and_the_confidence_of_each_table():
    verdict = evaluate(nominal=500, quantity="mass", batch_size=200, contents=EXAMPLE_A, rounding="half_up")
    assert verdict.nominal == 500.0
    assert verdict.quantity == "mass"
    assert verdict.batch_size == 200
    assert verdict.edition == "2005"
    assert "JJF 1070-2005" in verdict.edition_label
    assert verdict.rounding == "half_up"
    assert verdict.confidence == {
        "tolerable_deficiency": "confirmed",
        "rounding_step": "confirmed",
        "rounding_method": "unconfirmed",
        "sampling_plan": "confirmed",
    }
    later = evaluate(nominal=500, quantity="mass", batch_size=200, contents=EXAMPLE_A, edition="2023")
    assert later.confidence["sampling_plan"] == "unconfirmed"


def test_a_corrected_table_passed_in_replaces_the_shipped_one():
    data = shipped_data()
    data["tolerable_deficiency"]["mass_volume"][5]["absolute"] = "16"  # a hypothetical correction of 500–1000 g
    data["tolerable_deficiency"]["mass_volume"][4]["percent"] = "3.2"
    tables = NetContentTables.from_dict(data)
    assert tolerable_deficiency(600, tables=tables) == 16.0
    assert tolerable_deficiency(600) == 15.0


def test_shipped_mass_volume_table_is_continuous_at_every_band_edge():
    """The table's own consistency: percent × edge equals the neighbouring absolute T (9 % × 50 = 4.5, …)."""
    tables = netcontent.default_tables()
    for left, right in zip(tables.mass_volume, tables.mass_volume[1:], strict=False):
        assert left.deficiency(left.upper) == right.deficiency(left.upper)
    assert band_edges() == tuple(float(e) for e in MASS_VOLUME_EDGES)


# --- properties --------------------------------------------------------------------------------------------------

edges = st.sampled_from(MASS_VOLUME_EDGES)
offsets = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1"), places=6)


@no_deadline
@given(edge=edges, offset=offsets)
def test_unrounded_t_is_continuous_across_every_band_edge(edge, offset):
    """|T(e ± δ) − T(e)| ≤ 9 % · δ, the steepest slope in the table: no jump at any edge."""
    at_edge = tolerable_deficiency_exact(edge, rounding=None)
    below = tolerable_deficiency_exact(Decimal(edge) - offset, rounding=None)
    above = tolerable_deficiency_exact(Decimal(edge) + offset, rounding=None)
    assert abs(at_edge - below) <= Decimal("0.09") * offset
    assert abs(above - at_edge) <= Decimal("0.09") * offset


@no_deadline
@given(edge=edges, offset=st.decimals(min_value=Decimal("1e-9"), max_value=Decimal("1e-4"), places=9))
@pytest.mark.parametrize("rounding", ["half_even", "half_up"])
def test_rounded_t_does_not_jump_across_a_band_edge(rounding, edge, offset):
    expected = tolerable_deficiency(edge, rounding=rounding)
    assert tolerable_deficiency(Decimal(edge) - offset, rounding=rounding) == expected
    assert tolerable_deficiency(Decimal(edge) + offset, rounding=rounding) == expected


@no_deadline
@given(
    a=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2),
    b=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2),
)
def test_unrounded_t_never_decreases_as_the_nominal_grows(a, b):
    low, high = sorted((a, b))
    assert tolerable_deficiency_exact(low, rounding=None) <= tolerable_deficiency_exact(high, rounding=None)


@no_deadline
@given(seed=st.integers(0, 2**32 - 1))
def test_verdict_does_not_depend_on_the_order_of_the_units(seed):
    shuffled = EXAMPLE_A[:]
    random.Random(seed).shuffle(shuffled)
    first = evaluate(nominal=500, quantity="mass", batch_size=200, contents=EXAMPLE_A)
    second = evaluate(nominal=500, quantity="mass", batch_size=200, contents=shuffled)
    assert (second.passed, second.t1_count, second.t2_count) == (first.passed, first.t1_count, first.t2_count)
    assert second.mean == first.mean
    assert second.std == pytest.approx(first.std, rel=1e-15)


# --- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nominal", [0, -1, -0.5])
def test_zero_or_negative_nominal_is_refused(nominal):
    with pytest.raises(ValueError, match="nominal quantity must be positive"):
        tolerable_deficiency(nominal)


def test_nominal_above_50_kg_is_outside_the_table():
    with pytest.raises(ValueError, match="above 50000 g"):
        tolerable_deficiency(50000.1)
    assert tolerable_deficiency(50000) == 500.0


def test_non_finite_or_non_numeric_nominal_is_refused():
    with pytest.raises(ValueError, match="finite"):
        tolerable_deficiency(float("nan"))
    with pytest.raises(ValueError, match="must be a number"):
        tolerable_deficiency("500")  # type: ignore[arg-type]


def test_unknown_quantity_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown quantity 'weight'"):
        tolerable_deficiency(500, "weight")


def test_unknown_rounding_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown rounding 'up'"):
        tolerable_deficiency(500, rounding="up")


def test_a_fractional_nominal_count_is_refused():
    with pytest.raises(ValueError, match="whole number"):
        tolerable_deficiency(60.5, "count")


@pytest.mark.parametrize("batch", [0, -3])
def test_batch_size_below_one_is_refused(batch):
    with pytest.raises(ValueError, match="batch size must be at least 1"):
        sampling_plan(batch)


def test_fractional_batch_size_is_refused():
    with pytest.raises(ValueError, match="batch size must be a whole number"):
        sampling_plan(12.5)  # type: ignore[arg-type]


def test_unknown_plan_edition_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown sampling plan edition '1999'"):
        sampling_plan(200, edition="1999")


def test_sample_whose_size_does_not_match_the_plan_is_refused():
    with pytest.raises(ValueError, match="the sample has 9 units but the 2005 plan for a batch of 30 needs 10"):
        evaluate(nominal=200, quantity="mass", batch_size=30, contents=EXAMPLE_B[:9])


def test_empty_sample_is_refused():
    with pytest.raises(ValueError, match="the sample is empty"):
        evaluate(nominal=200, quantity="mass", batch_size=30, contents=[])


def test_negative_or_missing_content_is_refused_with_the_unit_number():
    with pytest.raises(ValueError, match="content of unit 3 must not be negative"):
        evaluate(nominal=200, quantity="mass", batch_size=3, contents=[200.0, 200.0, -1.0])
    with pytest.raises(ValueError, match="content of unit 2 must be a number"):
        evaluate(nominal=200, quantity="mass", batch_size=2, contents=[200.0, None])  # type: ignore[list-item]


def test_malformed_table_data_is_refused():
    data = shipped_data()
    data["tolerable_deficiency"]["mass_volume"][2]["absolute"] = "9"  # both percent and absolute
    with pytest.raises(ValueError, match="exactly one of percent and absolute"):
        NetContentTables.from_dict(data)
