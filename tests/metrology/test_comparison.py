"""ISO 13528 / CNAS-GL002 / JJF 1117 scores and robust statistics against docs/reference/comparisons.md."""

import math
import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jiliang.metrology.comparison import (
    EN_FORMULAS,
    Performance,
    algorithm_a,
    classify,
    en_number,
    homogeneity_sufficient,
    made,
    niqr,
    z_prime_applies,
    z_prime_score,
    z_score,
    zeta_score,
)

# docs/reference/comparisons.md, Algorithm A example (ISO 5725-5 creosote data, as used by metRology).
CREOSOTE = [24.140, 20.155, 19.500, 20.300, 20.705, 17.570, 20.100, 20.940, 21.185]


# The machine running the suite is shared: a slow example is not a failure of the rule under test.
no_deadline = settings(deadline=None)

# --- worked examples ---------------------------------------------------------------------------------------------


def test_algorithm_a_starts_from_the_median_and_1_483_mad_of_the_reference_example():
    """docs/reference/comparisons.md, Algorithm A example: median 20.300, 1.483·MAD = 0.9491."""
    result = algorithm_a(CREOSOTE, stop="tolerance")
    start_mean, start_sd = result.history[0]
    assert start_mean == 20.300
    assert start_sd == pytest.approx(0.9491, abs=5e-5)
    assert made(CREOSOTE) == pytest.approx(0.9491, abs=5e-5)


def test_algorithm_a_first_two_iterations_match_the_reference_example():
    """docs/reference/comparisons.md: iteration 1 x* = 20.38722, s* = 0.98560; iteration 2 20.40660, 1.00968."""
    history = algorithm_a(CREOSOTE, stop="tolerance").history
    assert history[1] == pytest.approx((20.38722, 0.98560), abs=5e-6)
    assert history[2] == pytest.approx((20.40660, 1.00968), abs=5e-6)


def test_algorithm_a_reaches_the_recomputed_fixed_point_with_the_tolerance_rule():
    """docs/reference/comparisons.md: fixed point x* = 20.412143, s* = 1.069840 (recomputed)."""
    result = algorithm_a(CREOSOTE, stop="tolerance")
    assert result.mean == pytest.approx(20.412143, abs=5e-7)
    assert result.sd == pytest.approx(1.069840, abs=5e-7)
    assert result.p == 9
    assert result.stop == "tolerance"
    assert result.iterations == len(result.history) - 1


def test_third_significant_figure_rule_stops_early_at_1_054_as_the_reference_warns():
    """docs/reference/comparisons.md: the standard's wording stops at s* = 1.054 (fixed point 1.0698)."""
    result = algorithm_a(CREOSOTE)
    assert result.stop == "third_significant_figure"
    assert round(result.sd, 3) == 1.054
    assert result.iterations == 6
    assert result.sd < algorithm_a(CREOSOTE, stop="tolerance").sd


def test_scores_of_the_outlier_in_the_reference_example_call_for_z_prime():
    """docs/reference/comparisons.md: u(x_pt) = 0.4458 > 0.3·s*, so z′ applies; z = 3.484, z′ = 3.216."""
    robust = algorithm_a(CREOSOTE, stop="tolerance")
    assert robust.u_mean == pytest.approx(0.4458, abs=5e-5)
    assert robust.u_mean == pytest.approx(1.25 * robust.sd / 3)
    assert robust.u_mean_confidence == "unconfirmed"
    assert z_prime_applies(robust.sd, robust.u_mean)

    z = z_score(24.140, robust.mean, robust.sd)
    z_prime = z_prime_score(24.140, robust.mean, robust.sd, robust.u_mean)
    # The reference prints z = 3.484: the score is 3.48450, which the reference rounded half-to-even from 3.4845.
    assert z == pytest.approx(3.4845, abs=5e-5)
    assert abs(z - 3.484) < 1e-3
    assert z_prime == pytest.approx(3.216, abs=5e-4)
    assert classify(z, "z") is Performance.UNSATISFACTORY
    assert classify(z_prime, "z_prime") is Performance.UNSATISFACTORY


def test_en_example_of_the_reference_is_unsatisfactory():
    """docs/reference/comparisons.md, En example: x = 10.12, U = 0.10; x_ref = 10.00, U_ref = 0.05."""
    en = en_number(10.12, 0.10, 10.00, 0.05)
    assert en == pytest.approx(1.073, abs=5e-4)
    assert classify(en, "en") is Performance.UNSATISFACTORY


def test_correlated_en_subtracts_the_reference_uncertainty():
    """JJF 1117 form for a reference value that includes the lab's result: √(U_lab² − U_ref²)."""
    en = en_number(10.12, 0.10, 10.00, 0.05, correlated=True)
    assert en == pytest.approx(0.12 / math.sqrt(0.10**2 - 0.05**2))
    assert en > en_number(10.12, 0.10, 10.00, 0.05)
    assert "−" in EN_FORMULAS[True]
    assert "+" in EN_FORMULAS[False]


def test_zeta_uses_standard_uncertainties_in_quadrature():
    assert zeta_score(10.12, 0.05, 10.00, 0.025) == pytest.approx(0.12 / math.sqrt(0.05**2 + 0.025**2))
    assert zeta_score(10.0, 0.0, 10.5, 0.25) == pytest.approx(-2.0)


# --- classification ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["z", "z_prime", "zeta"])
@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, Performance.SATISFACTORY),
        (2.0, Performance.SATISFACTORY),
        (-2.0, Performance.SATISFACTORY),
        (2.0000001, Performance.QUESTIONABLE),
        (-2.9999999, Performance.QUESTIONABLE),
        (3.0, Performance.UNSATISFACTORY),
        (-3.0, Performance.UNSATISFACTORY),
        (12.0, Performance.UNSATISFACTORY),
    ],
)
def test_z_like_scores_are_classified_with_closed_bands_at_2_and_3(kind, score, expected):
    """docs/reference/comparisons.md: |z| ≤ 2.0 satisfactory, 2.0 < |z| < 3.0 questionable, |z| ≥ 3.0 not."""
    assert classify(score, kind) is expected


def test_en_of_exactly_one_is_satisfactory_and_anything_above_is_not():
    assert classify(1.0, "en") is Performance.SATISFACTORY
    assert classify(-1.0, "en") is Performance.SATISFACTORY
    assert classify(1.0000001, "en") is Performance.UNSATISFACTORY
    assert classify(2.5, "en") is Performance.UNSATISFACTORY


@no_deadline
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_en_is_never_questionable(score):
    assert classify(score, "en") is not Performance.QUESTIONABLE


def test_performance_values_are_the_names_other_code_stores():
    assert [p.value for p in Performance] == ["satisfactory", "questionable", "unsatisfactory"]


def test_z_prime_and_homogeneity_criteria_use_0_3_sigma():
    assert not z_prime_applies(1.0, 0.3)
    assert z_prime_applies(1.0, 0.3001)
    assert homogeneity_sufficient(0.3, 1.0)
    assert not homogeneity_sufficient(0.3001, 1.0)


# --- MADe and nIQR -----------------------------------------------------------------------------------------------


def test_niqr_default_uses_the_n_plus_1_quartiles_worked_by_hand():
    """Sorted creosote data: Q1 at position 2.5 = 19.8, Q3 at 7.5 = 21.0625; nIQR = 0.7413 × 1.2625."""
    assert niqr(CREOSOTE) == pytest.approx(0.7413 * (21.0625 - 19.8))
    assert niqr(CREOSOTE, quartiles="n_minus_1") == pytest.approx(0.7413 * (20.94 - 20.1))


@no_deadline
@given(st.lists(st.integers(-(10**6), 10**6).map(lambda i: i / 1000), min_size=1, max_size=40))
def test_niqr_agrees_with_numpy_for_both_quartile_conventions(values):
    for convention, method in (("n_plus_1", "weibull"), ("n_minus_1", "linear")):
        q1, q3 = np.percentile(values, [25, 75], method=method)
        assert niqr(values, quartiles=convention) == pytest.approx(0.7413 * (q3 - q1), abs=1e-9)


@no_deadline
@given(st.lists(st.integers(-(10**6), 10**6).map(lambda i: i / 1000), min_size=1, max_size=40))
def test_made_is_1_483_times_the_median_absolute_deviation(values):
    centre = float(np.median(values))
    expected = 1.483 * float(np.median([abs(v - centre) for v in values]))
    assert made(values) == pytest.approx(expected, abs=1e-9)


# --- properties --------------------------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=1e3)


@no_deadline
@given(x=finite, u_x=positive, y=finite, u_y=positive)
def test_en_number_is_antisymmetric_in_its_two_results(x, u_x, y, u_y):
    assert en_number(x, u_x, y, u_y) == -en_number(y, u_y, x, u_x)


@no_deadline
@given(x=finite, u_x=positive, y=finite, u_y=positive)
def test_zeta_score_is_antisymmetric_in_its_two_results(x, u_x, y, u_y):
    assert zeta_score(x, u_x, y, u_y) == -zeta_score(y, u_y, x, u_x)


# Values on a 0.001 grid keep the data free of sub-normal spreads that no laboratory reports.
grid_values = st.lists(st.integers(-(10**6), 10**6).map(lambda i: i / 1000), min_size=3, max_size=30)


def robust_or_skip(values, **kwargs):
    try:
        return algorithm_a(values, **kwargs)
    except ValueError as exc:
        assume("s* is 0" not in str(exc))
        raise


@no_deadline
@given(
    values=grid_values, seed=st.integers(0, 2**32 - 1), stop=st.sampled_from(["third_significant_figure", "tolerance"])
)
def test_algorithm_a_does_not_depend_on_the_order_of_the_values(values, seed, stop):
    first = robust_or_skip(values, stop=stop)
    shuffled = values[:]
    random.Random(seed).shuffle(shuffled)
    second = algorithm_a(shuffled, stop=stop)
    assert (second.mean, second.sd, second.iterations) == (first.mean, first.sd, first.iterations)


@no_deadline
@given(
    values=grid_values,
    shift=st.integers(-(10**6), 10**6).map(lambda i: i / 1000),
    scale=st.floats(min_value=0.01, max_value=100) | st.floats(min_value=-100, max_value=-0.01),
)
def test_algorithm_a_with_the_tolerance_rule_is_equivariant_to_shift_and_scale(values, shift, scale):
    """x*(a·x + b) = a·x*(x) + b and s*(a·x + b) = |a|·s*(x). The third-significant-figure rule is not tested
    here: where it stops depends on the decimal digits, so on the unit the data are written in."""
    base = robust_or_skip(values, stop="tolerance")
    moved = algorithm_a([scale * v + shift for v in values], stop="tolerance")
    # tol = 1e-9 of s* at the stop, plus the rounding of a·x + b on values up to 1000.
    slack = 1e-6 * abs(scale) * base.sd + 1e-12 * (abs(scale) * 1000 + abs(shift))
    assert moved.mean == pytest.approx(scale * base.mean + shift, abs=slack)
    assert moved.sd == pytest.approx(abs(scale) * base.sd, abs=slack)


# --- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", [algorithm_a, made, niqr])
def test_an_empty_list_is_refused(function):
    with pytest.raises(ValueError, match="the list is empty"):
        function([])


def test_a_non_finite_value_is_refused_with_its_position():
    with pytest.raises(ValueError, match="value 2 must be a finite number"):
        algorithm_a([1.0, float("nan"), 2.0])


def test_algorithm_a_refuses_data_where_most_values_are_identical():
    with pytest.raises(ValueError, match="s\\* is 0"):
        algorithm_a([5.0, 5.0, 5.0, 5.1, 7.0])


def test_algorithm_a_says_when_it_did_not_converge():
    with pytest.raises(ValueError, match="did not converge within max_iter=2"):
        algorithm_a(CREOSOTE, stop="tolerance", max_iter=2)


def test_algorithm_a_refuses_an_unknown_stopping_rule_and_a_bad_tolerance():
    with pytest.raises(ValueError, match="unknown stopping rule 'forever'"):
        algorithm_a(CREOSOTE, stop="forever")
    with pytest.raises(ValueError, match="tol must be a positive number"):
        algorithm_a(CREOSOTE, stop="tolerance", tol=0)


@pytest.mark.parametrize("sigma", [0.0, -1.0])
def test_z_refuses_a_sigma_pt_that_is_not_positive(sigma):
    with pytest.raises(ValueError, match="σ_pt must be positive"):
        z_score(10.0, 9.0, sigma)
    with pytest.raises(ValueError, match="σ_pt must be positive"):
        z_prime_score(10.0, 9.0, sigma, 0.1)


def test_zeta_refuses_two_zero_uncertainties():
    with pytest.raises(ValueError, match="u\\(x\\) and u\\(x_pt\\) are both zero"):
        zeta_score(10.0, 0.0, 9.0, 0.0)


def test_en_refuses_two_zero_uncertainties():
    with pytest.raises(ValueError, match="U\\(x\\) and U\\(x_ref\\) are both zero"):
        en_number(10.0, 0.0, 9.0, 0.0)


def test_correlated_en_refuses_a_reference_no_more_certain_than_the_result():
    with pytest.raises(ValueError, match="needs U\\(x\\) > U\\(x_ref\\)"):
        en_number(10.0, 0.05, 9.0, 0.05, correlated=True)


def test_negative_uncertainty_is_refused():
    with pytest.raises(ValueError, match="u\\(x_pt\\) must not be negative"):
        z_prime_score(10.0, 9.0, 1.0, -0.1)


def test_unknown_score_kind_and_quartile_convention_are_named():
    with pytest.raises(ValueError, match="unknown score kind 't'"):
        classify(1.0, "t")
    with pytest.raises(ValueError, match="unknown quartile convention 'excel'"):
        niqr(CREOSOTE, quartiles="excel")
