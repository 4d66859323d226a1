"""Uncertainty rules against the published examples.

Figures copied from the project's reference notes (docs/reference/uncertainty.md, which cites JJF 1059.1-2012 =
JCGM 100 "GUM" Annex H.1 and Table G.2, and JJF 1059.2-2012 = JCGM 101 §9.2); each test names its source.
"""

from __future__ import annotations

import math
import statistics

import GTC
import numpy as np
import pytest

from jiliang.metrology import uncertainty as unc
from jiliang.metrology.uncertainty import (
    Arcsine,
    Budget,
    GumResult,
    McmResult,
    Normal,
    Rectangular,
    StudentT,
    Trapezoidal,
    Triangular,
    TypeA,
    UncertaintyError,
    coverage_factor,
    evaluate_gum,
    evaluate_mcm,
    numerical_tolerance,
    validate,
)
from jiliang.metrology.uncertainty import mcm as monte_carlo

NM = 1e-6  # one nanometre in millimetres


# --- GUM H.1: calibration of an end gauge ------------------------------------------------------------------------


def end_gauge(l_s, d, d_random, d_systematic, alpha_s, delta_alpha, theta_mean, theta_cycle, delta_theta):
    """GUM H.1.1: l = l_s + d − l_s(δα·θ + α_s·δθ), with θ = θ̄ + Δ and d = d̄ + random + systematic comparator
    effects (GUM H.1.3.2)."""
    theta = theta_mean + theta_cycle
    return l_s + d + d_random + d_systematic - l_s * (delta_alpha * theta + alpha_s * delta_theta)


def end_gauge_budget() -> Budget:
    """The inputs of GUM H.1.3 (lengths in mm, temperatures in °C)."""
    return Budget(
        end_gauge,
        {
            "l_s": Normal(50.000623, 25 * NM, dof=18),
            "d": Normal(215 * NM, 5.8 * NM, dof=24),
            "d_random": Normal(0.0, 3.9 * NM, dof=5),
            "d_systematic": Normal(0.0, 6.7 * NM, dof=8),
            "alpha_s": Rectangular(11.5e-6, 2e-6),
            "delta_alpha": Rectangular(0.0, 1e-6, dof=50),
            "theta_mean": Normal(-0.1, 0.2),
            "theta_cycle": Arcsine(0.0, 0.5),
            "delta_theta": Rectangular(0.0, 0.05, dof=2),
        },
    )


def test_end_gauge_by_the_gum_gives_the_published_length_uncertainty_and_degrees_of_freedom():
    """GUM H.1.4-H.1.6: l = 50.000 838 mm, u_c = 32 nm, ν_eff = 16 (16.7 before truncation), U₉₉ = 93 nm."""
    result = evaluate_gum(end_gauge_budget(), level=0.99)

    assert result.value == pytest.approx(50.000838, abs=0.5 * NM)
    assert result.u == pytest.approx(32 * NM, abs=0.5 * NM)
    assert 16 <= result.dof <= 17
    assert result.U == pytest.approx(93 * NM, abs=1 * NM)
    assert result.k == pytest.approx(coverage_factor(0.99, 16))  # t₉₉ at ν_eff truncated to 16, as in H.1.6
    assert result.level == 0.99


def test_end_gauge_contributions_match_the_published_budget():
    """GUM H.1, Table H.1: |cᵢ·u(xᵢ)| = 25 nm (l_s), 9.7 nm (d), 2.9 nm (δα), 16.6 nm (δθ), 0 for α_s and θ."""
    contributions = evaluate_gum(end_gauge_budget(), level=0.99).contributions

    u_d = math.hypot(contributions["d"], contributions["d_random"], contributions["d_systematic"])
    assert abs(contributions["l_s"]) == pytest.approx(25 * NM, abs=0.05 * NM)
    assert u_d == pytest.approx(9.7 * NM, abs=0.05 * NM)
    assert abs(contributions["delta_alpha"]) == pytest.approx(2.9 * NM, abs=0.05 * NM)
    assert abs(contributions["delta_theta"]) == pytest.approx(16.6 * NM, abs=0.05 * NM)
    for name in ("alpha_s", "theta_mean", "theta_cycle"):
        assert contributions[name] == 0


def test_end_gauge_report_rounds_u_to_two_digits_and_the_length_to_the_same_place():
    """GUM H.1.6 / JJF 1059.1 reporting: U₉₉ to two significant digits and l to the same decimal place.

    Evaluated without rounding on the way, U₉₉ = 2.92 × 31.66 nm = 92.5 nm, which rounds to 92 nm; the GUM prints
    93 nm because it multiplies the already rounded 32 nm. Rounding U up, which JJF 1059.1 allows, gives 93 nm.
    """
    result = evaluate_gum(end_gauge_budget(), level=0.99)

    nearest = result.reported()
    up = result.reported(round_up=True)

    assert str(nearest.value) == "50.000838"
    assert str(nearest.U) == "0.000092"
    assert str(up.U) == "0.000093"
    assert str(nearest.u) == "0.000032"
    assert str(nearest.k) == "2.92"
    assert str(nearest) == "50.000838, U = 0.000092, k = 2.92"


def test_end_gauge_by_monte_carlo_finds_the_gum_second_order_uncertainty_of_34_nm():
    """GUM H.1.7: with the second-order terms (δα·θ and α_s·δθ), u_c = 34 nm; Monte Carlo propagates the
    distributions without linearising, so its u(y) must match that, not the first-order 32 nm."""
    result = evaluate_mcm(end_gauge_budget(), trials=2 * 10**5, seed=11, level=0.99)

    assert result.u == pytest.approx(34 * NM, abs=0.5 * NM)
    assert result.value == pytest.approx(50.000838, abs=1 * NM)


# --- JCGM 101 §9.2: additive model ---------------------------------------------------------------------------------


def additive(x1, x2, x3, x4):
    return x1 + x2 + x3 + x4


def normal_additive() -> Budget:
    """JCGM 101 §9.2.2: Xᵢ ~ N(0, 1)."""
    return Budget(additive, {f"x{i}": Normal(0.0, 1.0) for i in range(1, 5)})


def rectangular_additive() -> Budget:
    """JCGM 101 §9.2.3: Xᵢ ~ R(−√3, √3), so u(xᵢ) = 1."""
    return Budget(additive, {f"x{i}": Rectangular(0.0, math.sqrt(3)) for i in range(1, 5)})


@pytest.mark.parametrize("budget", [normal_additive(), rectangular_additive()], ids=["9.2.2", "9.2.3"])
def test_additive_model_by_the_gum_gives_u_2_and_the_interval_plus_minus_3_92(budget):
    """JCGM 101 §9.2.2 and §9.2.3, GUM column: u(y) = 2.0, 95 % interval [−3.92, 3.92]."""
    result = evaluate_gum(budget)

    assert result.value == pytest.approx(0.0, abs=1e-12)
    assert result.u == pytest.approx(2.0)
    assert result.dof == math.inf
    assert result.value - result.U == pytest.approx(-3.92, abs=0.005)
    assert result.value + result.U == pytest.approx(3.92, abs=0.005)


@pytest.mark.parametrize(
    ("budget", "low", "high"),
    [(normal_additive(), -3.92, 3.92), (rectangular_additive(), -3.88, 3.88)],
    ids=["9.2.2", "9.2.3"],
)
def test_additive_model_by_monte_carlo_matches_the_published_u_and_interval_within_the_tolerance(budget, low, high):
    """JCGM 101 §9.2.2 and §9.2.3, 10⁶ trials: u(y) = 2.0 and the published 95 % interval, each within the
    numerical tolerance δ = 0.05 of u(y) = 2.0 at n_dig = 2 (JCGM 101 §7.9.2)."""
    result = evaluate_mcm(budget, trials=10**6, seed=20240601)
    delta = numerical_tolerance(2.0, 2)

    assert delta == 0.05
    assert result.trials == 10**6
    assert abs(result.u - 2.0) <= delta
    assert abs(result.low - low) <= delta
    assert abs(result.high - high) <= delta


def test_gum_is_validated_by_monte_carlo_for_normal_inputs():
    """JCGM 101 §9.2.2 and §8: both methods give [−3.92, 3.92]; d_low and d_high are Monte Carlo noise, far
    below δ = 0.05."""
    budget = normal_additive()
    verdict = validate(evaluate_gum(budget), evaluate_mcm(budget, trials=10**6, seed=7), n_dig=2)

    assert verdict.delta == 0.05
    assert verdict.d_low < 0.02
    assert verdict.d_high < 0.02
    assert verdict.validated


def test_gum_interval_for_rectangular_inputs_is_0_04_too_wide_and_not_validated_at_three_digits():
    """JCGM 101 §9.2.3 and §8: the GUM's ±3.92 exceeds the Monte Carlo ±3.88 at each end by about 0.04 (exactly
    3.9199 − 3.8794 = 0.0405, the 97.5 % point of the scaled Irwin–Hall distribution of four rectangular
    variables). That distance exceeds δ = 0.005 (n_dig = 3), so the GUM interval is not validated.

    Note: the reference notes say "not validated at n_dig = 2", but at n_dig = 2, δ = 0.05 > 0.0405, so by the
    §8 rule the GUM interval passes there (see the next test); with 10⁶ trials the Monte Carlo noise of each
    endpoint (about 0.005) makes that pass a narrow one.
    """
    budget = rectangular_additive()
    gum = evaluate_gum(budget)
    mcm = evaluate_mcm(budget, trials=10**6, seed=7)

    verdict = validate(gum, mcm, n_dig=3)

    assert verdict.delta == 0.005
    assert verdict.d_low == pytest.approx(0.0405, abs=0.015)
    assert verdict.d_high == pytest.approx(0.0405, abs=0.015)
    assert not verdict.validated


def test_rectangular_case_is_validated_at_two_digits_against_the_exact_monte_carlo_limit():
    """JCGM 101 §8.1 applied to §9.2.3 with the limit Monte Carlo converges to: Y = 2√3(S − 2), S the sum of four
    R(0, 1) variables, whose 97.5 % point solves (4 − s)⁴/24 = 0.025. d = 0.0405 ≤ δ = 0.05: validated at
    n_dig = 2, not at n_dig = 3."""
    endpoint = 2 * math.sqrt(3) * (2 - 0.6**0.25)
    gum = evaluate_gum(rectangular_additive())
    exact = McmResult(value=0.0, u=2.0, low=-endpoint, high=endpoint, trials=0, level=0.95, interval="symmetric")

    assert endpoint == pytest.approx(3.88, abs=0.005)
    assert validate(gum, exact, n_dig=2).validated
    assert not validate(gum, exact, n_dig=3).validated


# --- coverage factors and divisors ---------------------------------------------------------------------------------

# uncertainty.md, "t_p(ν) two-sided (recomputed; GUM Table G.2 prints these rounded)": ν → values at the levels.
T_TABLE_LEVELS = (0.6827, 0.95, 0.9545, 0.99, 0.9973)
T_TABLE = {
    1: (1.837, 12.706, 13.968, 63.657, 235.784),
    2: (1.321, 4.303, 4.527, 9.925, 19.206),
    5: (1.111, 2.571, 2.649, 4.032, 5.507),
    10: (1.053, 2.228, 2.284, 3.169, 3.957),
    16: (1.032, 2.120, 2.169, 2.921, 3.544),
    50: (1.010, 2.009, 2.051, 2.678, 3.157),
    math.inf: (1.000, 1.960, 2.000, 2.576, 3.000),
}


@pytest.mark.parametrize(
    ("dof", "level", "expected"),
    [(dof, level, t) for dof, row in T_TABLE.items() for level, t in zip(T_TABLE_LEVELS, row, strict=True)],
)
def test_coverage_factor_matches_the_t_table(dof, level, expected):
    """GUM Table G.2 (recomputed values in the reference notes), compared within the printed rounding."""
    assert coverage_factor(level, dof) == pytest.approx(expected, abs=0.0015)


@pytest.mark.parametrize(
    ("level", "divisor"), [(0.9973, 3.0), (0.99, 2.576), (0.9545, 2.0), (0.95, 1.960), (0.90, 1.645)]
)
def test_a_quoted_normal_expanded_uncertainty_is_divided_by_the_normal_quantile(level, divisor):
    """JJF 1059.1-2012 §4.3.3 (GUM 4.3.4): normal divisors 3, 2.576, 2, 1.960, 1.645 for the stated levels."""
    assert Normal.from_expanded(5.0, 1.0, level=level).u == pytest.approx(1.0 / divisor, rel=2e-4)


def test_a_quoted_expanded_uncertainty_with_k_is_divided_by_k():
    """JJF 1059.1-2012 §4.3.3: u = U/k when the certificate states k."""
    assert Normal.from_expanded(5.0, 0.3, k=2).u == pytest.approx(0.15)


@pytest.mark.parametrize(
    ("quantity", "divisor"),
    [
        (Rectangular(0.0, 1.0), math.sqrt(3)),
        (Triangular(0.0, 1.0), math.sqrt(6)),
        (Arcsine(0.0, 1.0), math.sqrt(2)),
        (Trapezoidal(0.0, 1.0, 0.0), math.sqrt(6)),
        (Trapezoidal(0.0, 1.0, 0.5), math.sqrt(6) / math.sqrt(1 + 0.5**2)),
        (Trapezoidal(0.0, 1.0, 1.0), math.sqrt(3)),
    ],
    ids=["rectangular", "triangular", "arcsine", "trapezoid-0", "trapezoid-0.5", "trapezoid-1"],
)
def test_type_b_divisors_for_a_half_width(quantity, divisor):
    """JJF 1059.1-2012 §4.3.3: rectangular √3, triangular √6, arcsine √2, trapezoidal √6/√(1 + β²)."""
    assert quantity.u == pytest.approx(1.0 / divisor)


@pytest.mark.parametrize(
    "quantity",
    [Normal(1.0, 0.5), Rectangular(1.0, 0.5), Triangular(1.0, 0.5), Arcsine(1.0, 0.5), Trapezoidal(1.0, 0.5, 0.3)],
    ids=["normal", "rectangular", "triangular", "arcsine", "trapezoidal"],
)
def test_monte_carlo_draws_have_the_standard_uncertainty_the_gum_assigns(quantity):
    """JCGM 101 §6.4: the distributions drawn have expectation x and standard deviation u(x) of GUM 4.3."""
    values = quantity._sample(np.random.default_rng(5), 400_000)

    assert values.mean() == pytest.approx(quantity.value, abs=0.005)
    assert values.std(ddof=1) == pytest.approx(quantity.u, rel=0.01)


def test_student_t_input_has_u_scale_for_the_gum_and_a_wider_monte_carlo_spread():
    """GUM G.3 uses u = scale with ν; JCGM 101 §6.4.9.7 draws scale·t_ν, whose standard deviation is
    scale·√(ν/(ν − 2))."""
    quantity = StudentT(0.0, 1.0, 6)
    values = quantity._sample(np.random.default_rng(5), 400_000)

    assert quantity.u == 1.0
    assert quantity.dof == 6
    assert values.std(ddof=1) == pytest.approx(math.sqrt(6 / 4), rel=0.02)


def test_type_a_uses_the_mean_the_standard_deviation_of_the_mean_and_n_minus_1_degrees_of_freedom():
    """JJF 1059.1-2012 §4.2 (GUM 4.2.1-4.2.3): x̄, u(x̄) = s/√n, ν = n − 1."""
    readings = [10.012, 10.009, 10.015, 10.011, 10.008, 10.013]
    quantity = TypeA(readings)

    assert quantity.value == pytest.approx(statistics.fmean(readings))
    assert quantity.u == pytest.approx(statistics.stdev(readings) / math.sqrt(len(readings)))
    assert quantity.dof == len(readings) - 1
    assert quantity.u == pytest.approx(GTC.type_a.estimate(readings).u)


def test_type_a_degrees_of_freedom_reach_the_welch_satterthwaite_result():
    """GUM G.4.1: a single Type A input passes its n − 1 degrees of freedom and its u to y = 2x."""
    result = evaluate_gum(Budget(lambda x: 2 * x, {"x": TypeA([1.0, 1.2, 0.9, 1.1])}))

    assert result.dof == pytest.approx(3)
    assert result.k == pytest.approx(coverage_factor(0.95, 3))
    assert result.u == pytest.approx(2 * TypeA([1.0, 1.2, 0.9, 1.1]).u)


# --- reporting and tolerance rules ---------------------------------------------------------------------------------


def gum_result(value: float, expanded: float, *, k: float = 2.0) -> GumResult:
    return GumResult(value=value, u=expanded / k, dof=math.inf, k=k, U=expanded, level=0.9545)


@pytest.mark.parametrize(
    ("value", "expanded", "round_up", "shown"),
    [
        (12.34567, 0.0125, False, ("12.346", "0.012")),  # a 5 followed by nothing: to the even digit
        (12.34567, 0.0135, False, ("12.346", "0.014")),
        (12.34567, 0.0125, True, ("12.346", "0.013")),  # rounding up never shrinks U
        (12.34567, 0.01201, True, ("12.346", "0.013")),
        (12.34567, 0.0996, False, ("12.35", "0.10")),  # the carry makes 0.10, still two significant digits
        (1234.5, 23.4, False, ("1234", "23")),
        (1234.5, 234.0, False, ("1.23E+3", "2.3E+2")),
    ],
)
def test_reported_rounds_u_to_two_significant_digits_and_the_value_to_its_place(value, expanded, round_up, shown):
    """JJF 1059.1-2012 §5 / GUM 7.2.6: U with at most two significant digits, y to the same last digit;
    GB/T 8170 rounding (half to even) unless rounding up is asked for."""
    reported = gum_result(value, expanded).reported(round_up=round_up)

    assert (str(reported.value), str(reported.U)) == shown


def test_reported_with_one_digit_keeps_one_significant_digit():
    """JJF 1059.1-2012 §5: one significant digit is also allowed."""
    reported = gum_result(7.3456, 0.034).reported(digits=1)

    assert (str(reported.value), str(reported.U)) == ("7.35", "0.03")


def test_numerical_tolerance_is_half_a_unit_in_the_last_significant_digit_of_u():
    """JCGM 101 §7.9.2: u(y) = c × 10^ℓ with c of n_dig digits, δ = ½ × 10^ℓ."""
    assert numerical_tolerance(2.0, 2) == 0.05
    assert numerical_tolerance(2.0, 1) == 0.5
    assert numerical_tolerance(32e-6, 2) == pytest.approx(0.5e-6)
    assert numerical_tolerance(0.0996, 2) == 0.005  # 0.0996 → 0.10 = 10 × 10⁻²


# --- Monte Carlo mechanics (JCGM 101 §7) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "expected"),
    [(2000, (50, 1950)), (2001, (50, 1951)), (2011, (51, 1961))],
)
def test_probabilistically_symmetric_interval_takes_the_order_statistics_the_standard_names(m, expected):
    """JCGM 101 §7.7.1: q = pM (⌊pM + ½⌋ if not an integer); r = (M − q)/2 (⌊(M − q + 1)/2⌋ if not an integer);
    the interval is [y₍r₎, y₍r+q₎]. With yᵢ = i: M = 2011 gives q = 1910, r = 51."""
    values = np.random.default_rng(0).permutation(np.arange(1, m + 1, dtype=float))

    assert monte_carlo._coverage_interval(values, 0.95, "symmetric") == expected


def test_shortest_interval_of_a_chi_square_output_starts_at_zero():
    """JCGM 101 §7.7.2 (shortest interval) and §5.3.4 (it differs from the symmetric one for an asymmetric PDF):
    Y = X², X ~ N(0, 1) is χ²₁, whose density decreases, so the shortest 95 % interval is [0, 3.84]; the
    probabilistically symmetric one is [0.00098, 5.02] (χ²₁ quantiles)."""
    budget = Budget(lambda x: x * x, {"x": Normal(0.0, 1.0)})

    shortest = evaluate_mcm(budget, trials=10**6, seed=3, interval="shortest")
    symmetric = evaluate_mcm(budget, trials=10**6, seed=3, interval="symmetric")

    assert shortest.low == pytest.approx(0.0, abs=1e-3)
    assert shortest.high == pytest.approx(3.841, abs=0.05)
    assert symmetric.low == pytest.approx(0.00098, abs=2e-4)
    assert symmetric.high == pytest.approx(5.024, abs=0.05)
    assert shortest.high - shortest.low < symmetric.high - symmetric.low


def test_adaptive_monte_carlo_stops_when_the_results_are_stable_to_the_tolerance():
    """JCGM 101 §7.9.4: runs of max(⌈100/(1 − p)⌉, 10⁴) = 10⁴ trials until twice the standard deviation of the
    mean of y, u(y), y_low, y_high is ≤ δ; the result (§9.2.2) lies within δ of the published one."""
    result = evaluate_mcm(normal_additive(), adaptive=True, seed=5)

    assert result.converged is True
    assert result.runs >= 2
    assert result.trials == result.runs * 10**4
    assert abs(result.u - 2.0) <= 0.05
    assert abs(result.low + 3.92) <= 0.05
    assert abs(result.high - 3.92) <= 0.05


def test_adaptive_monte_carlo_reports_when_the_trial_cap_stopped_it_first():
    """JCGM 101 §7.9.4 sets no limit; ``trials`` caps the procedure and ``converged`` says it did not settle."""
    result = evaluate_mcm(normal_additive(), adaptive=True, trials=2 * 10**4, n_dig=3, seed=5)

    assert result.converged is False
    assert result.trials == 2 * 10**4
    assert result.runs == 2


def test_a_fixed_seed_repeats_a_run_and_another_seed_does_not():
    """JCGM 101 §7.3 (a reproducible generator): equal seeds, equal results on one platform."""
    budget = rectangular_additive()

    first = evaluate_mcm(budget, trials=10**4, seed=42)
    again = evaluate_mcm(budget, trials=10**4, seed=42)
    other = evaluate_mcm(budget, trials=10**4, seed=43)

    assert first == again
    assert first.u != other.u


def test_more_trials_than_one_chunk_are_drawn_in_chunks_and_all_counted(monkeypatch):
    """Chunked evaluation keeps memory bounded without changing what JCGM 101 §7.4 asks: M model values."""
    monkeypatch.setattr(monte_carlo, "CHUNK", 3000)

    result = evaluate_mcm(normal_additive(), trials=10_000, seed=1)

    assert result.trials == 10_000
    assert result.u == pytest.approx(2.0, abs=0.1)


# --- the model helpers -----------------------------------------------------------------------------------------------


def test_one_model_with_the_math_helpers_runs_on_gtc_and_on_numpy_arrays():
    """The same model gives the GUM estimate f(x) and, for small uncertainties, a Monte Carlo u(y) equal to the
    first-order u_c (GUM 5.1.2 holds when the model is nearly linear over ±u)."""

    def model(a, b, c, d, e):
        return unc.sin(a) * unc.exp(b) + unc.sqrt(c) * unc.log(d) - unc.cos(e)

    inputs = {
        "a": Normal(0.7, 1e-4),
        "b": Rectangular(0.3, 2e-4),
        "c": Triangular(4.0, 3e-4),
        "d": Normal(2.5, 1e-4),
        "e": Arcsine(1.2, 1e-4),
    }
    budget = Budget(model, inputs)

    gum = evaluate_gum(budget)
    mcm = evaluate_mcm(budget, trials=2 * 10**5, seed=9)

    expected = math.sin(0.7) * math.exp(0.3) + math.sqrt(4.0) * math.log(2.5) - math.cos(1.2)
    assert gum.value == pytest.approx(expected)
    assert mcm.u == pytest.approx(gum.u, rel=0.01)
    assert gum.sensitivities["a"] == pytest.approx(math.cos(0.7) * math.exp(0.3))


# --- correlations ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("r", [1.0, 0.5, 0.0, -0.5, -1.0])
def test_correlated_inputs_follow_the_law_of_propagation_with_covariances(r):
    """GUM 5.2.2 (JJF 1059.1-2012 §4.4): u_c²(y) = Σ cᵢ²u²(xᵢ) + 2 Σ cᵢcⱼ r u(xᵢ)u(xⱼ); Monte Carlo draws the
    correlated normals jointly (JCGM 101 §6.4.8) and finds the same u for this linear model."""
    budget = Budget(lambda a, b: a + 2 * b, {"a": Normal(1.0, 0.3), "b": Normal(2.0, 0.2)}, {("a", "b"): r})
    expected = math.sqrt(0.3**2 + (2 * 0.2) ** 2 + 2 * 2 * r * 0.3 * 0.2)

    assert evaluate_gum(budget).u == pytest.approx(expected, abs=1e-12)
    assert evaluate_mcm(budget, trials=2 * 10**5, seed=2).u == pytest.approx(expected, abs=0.005)


def test_correlated_inputs_with_a_shared_finite_dof_form_one_ensemble():
    """GTC's ``multiple_ureal`` doctest (the GUM H.2 inputs, ν = 4): R = V/I·cos φ = 127.732 Ω, u = 0.0700 Ω, with
    the degrees of freedom kept at 4 (Willink 2007, §4.1)."""
    budget = Budget(
        lambda v, i, phi: v / i * unc.cos(phi),
        {"v": Normal(4.999, 3.2e-3, 4), "i": Normal(19.661e-3, 9.5e-6, 4), "phi": Normal(1.04446, 7.5e-4, 4)},
        {("v", "i"): -0.36, ("v", "phi"): 0.86, ("i", "phi"): -0.65},
    )

    result = evaluate_gum(budget)

    assert result.value == pytest.approx(127.732169928102)
    assert result.u == pytest.approx(0.0699787279883717)
    assert result.dof == pytest.approx(4.0)


def test_correlated_inputs_with_different_degrees_of_freedom_are_refused_for_the_gum():
    budget = Budget(lambda a, b: a + b, {"a": Normal(1, 0.1, dof=5), "b": Normal(2, 0.2)}, {("a", "b"): 0.5})

    with pytest.raises(UncertaintyError, match="自由度不同"):
        evaluate_gum(budget)


def test_monte_carlo_refuses_a_correlation_that_involves_a_non_normal_input():
    budget = Budget(lambda a, b: a + b, {"a": Rectangular(1, 0.1), "b": Normal(2, 0.2)}, {("b", "a"): 0.5})

    with pytest.raises(UncertaintyError, match=r"只支持正态分布.*“a”是矩形分布"):
        evaluate_mcm(budget, trials=10**4)


# --- bad input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: TypeA([]), "观测值列表为空"),
        (lambda: TypeA([1.0]), "至少需要 2 个观测值"),
        (lambda: TypeA([1.0, math.nan]), "观测值必须是有限的数"),
        (lambda: Normal(1.0, -0.1), "标准不确定度不能为负"),
        (lambda: Normal(math.inf, 0.1), "估计值必须是有限的数"),
        (lambda: Normal(1.0, 0.1, dof=0), "自由度必须不小于 1，实为 0"),
        (lambda: Normal(1.0, 0.1, dof=-3), "自由度必须不小于 1"),
        (lambda: StudentT(1.0, 0.1, 0), "自由度必须不小于 1"),
        (lambda: Rectangular(1.0, -0.5), "区间半宽度不能为负"),
        (lambda: Triangular(1.0, "wide"), "区间半宽度必须是数"),
        (lambda: Trapezoidal(1.0, 0.5, 1.5), "β 必须在 0 与 1 之间"),
        (lambda: Normal.from_expanded(1.0, 0.2), "包含概率或包含因子 k 之一"),
        (lambda: Normal.from_expanded(1.0, 0.2, level=95), "包含概率必须在 0 与 1 之间"),
    ],
)
def test_bad_input_quantities_raise_a_value_error_naming_the_problem(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def two_inputs() -> dict[str, Normal]:
    return {"a": Normal(1.0, 0.1), "b": Normal(2.0, 0.1)}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Budget(lambda a, b: a + b, {}), "至少需要一个输入量"),
        (lambda: Budget("a + b", two_inputs()), "必须是可调用的函数"),
        (lambda: Budget(lambda a, b: a + b, {"a": 1.0, "b": Normal(2, 0.1)}), "“a”不是可识别的输入量类型"),
        (lambda: Budget(lambda a, c: a + c, two_inputs()), "参数与输入量名称（a、b）不一致"),
        (lambda: Budget(lambda a, b: a + b, two_inputs(), {("a", "z"): 0.5}), "未知的输入量“z”"),
        (lambda: Budget(lambda a, b: a + b, two_inputs(), {("a", "a"): 0.5}), "不能与自身设定相关系数"),
        (lambda: Budget(lambda a, b: a + b, two_inputs(), {("a", "b"): 1.2}), "必须在 −1 与 1 之间"),
        (lambda: Budget(lambda a, b: a + b, two_inputs(), {("a", "b"): 0.2, ("b", "a"): 0.3}), "两个不同的值"),
        (
            lambda: Budget(
                lambda a, b, c: a + b + c,
                {**two_inputs(), "c": Normal(0, 1)},
                {("a", "b"): 0.9, ("a", "c"): 0.9, ("b", "c"): -0.9},
            ),
            "不是半正定的",
        ),
    ],
)
def test_bad_budgets_raise_a_value_error_naming_the_problem(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_evaluation_options_raise_a_value_error_naming_the_problem():
    budget = normal_additive()

    with pytest.raises(ValueError, match="未知的包含区间类型“widest”"):
        evaluate_mcm(budget, interval="widest")
    with pytest.raises(ValueError, match="包含概率必须在 0 与 1 之间"):
        evaluate_gum(budget, level=1.0)
    with pytest.raises(ValueError, match="包含因子 k 必须为正"):
        evaluate_gum(budget, k=0)
    with pytest.raises(ValueError, match="试验次数至少为 2000"):
        evaluate_mcm(budget, trials=1000)
    with pytest.raises(ValueError, match="试验次数必须是整数"):
        evaluate_mcm(budget, trials=1e6)
    with pytest.raises(ValueError, match="试验次数不能超过"):
        evaluate_mcm(budget, trials=10**9)
    with pytest.raises(ValueError, match="至少需要两轮"):
        evaluate_mcm(budget, adaptive=True, trials=10**4)
    with pytest.raises(ValueError, match="有效位数只能是 1 或 2 位"):
        evaluate_gum(budget).reported(digits=3)


def test_a_model_that_yields_non_finite_values_is_refused_with_the_count():
    budget = Budget(lambda x: unc.log(x), {"x": Normal(0.5, 1.0)})

    with pytest.raises(ValueError, match=r"在 \d+ 次试验中得到非有限值"):
        evaluate_mcm(budget, trials=10**4, seed=1)


def test_validation_needs_results_at_the_same_coverage_probability():
    budget = normal_additive()
    mcm = evaluate_mcm(budget, trials=10**4, seed=1)

    with pytest.raises(ValueError, match="包含概率不同"):
        validate(evaluate_gum(budget, level=0.99), mcm)
    with pytest.raises(ValueError, match="没有包含概率"):
        validate(evaluate_gum(budget, k=2), mcm)


def test_errors_carry_their_message_id_and_parameters_for_translation():
    with pytest.raises(UncertaintyError) as caught:
        Normal(1.0, 0.1, dof=0)

    assert caught.value.msgid == "自由度必须不小于 1，实为 %(dof)s"
    assert caught.value.params == {"dof": 0}
    assert str(caught.value) == caught.value.msgid % caught.value.params
