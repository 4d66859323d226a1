"""Interlaboratory comparisons and proficiency testing: scores, their classification and robust statistics.

Texts: ISO 13528:2015 (= GB/T 28043-2019), CNAS-GL002:2018, JJF 1117 (计量比对). Notation: x = participant
result, x_pt = assigned value, σ_pt = standard deviation for proficiency assessment, u = standard uncertainty,
U = expanded uncertainty. The thresholds and constants come from ``data/comparison_iso13528.json`` with their
source and confidence (the 1.25 factor of u(x_pt) and the nIQR quartile convention are unconfirmed).

Worked example (docs/reference/comparisons.md, ISO 5725-5 creosote data):

>>> data = [24.140, 20.155, 19.500, 20.300, 20.705, 17.570, 20.100, 20.940, 21.185]
>>> robust = algorithm_a(data, stop="tolerance")
>>> round(robust.mean, 6), round(robust.sd, 6), round(robust.u_mean, 4)
(20.412143, 1.06984, 0.4458)
>>> z_prime_applies(robust.sd, robust.u_mean)
True
>>> score = z_prime_score(24.140, robust.mean, robust.sd, robust.u_mean)
>>> round(score, 3), classify(score, "z_prime")
(3.216, <Performance.UNSATISFACTORY: 'unsatisfactory'>)
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any

from .shipped import shipped

DATA_FILE = "comparison_iso13528.json"


class ScoreKind(StrEnum):
    Z = "z"
    Z_PRIME = "z_prime"
    ZETA = "zeta"
    EN = "en"


class Performance(StrEnum):
    SATISFACTORY = "satisfactory"
    QUESTIONABLE = "questionable"  # 有问题
    UNSATISFACTORY = "unsatisfactory"  # 不满意


class StopRule(StrEnum):
    THIRD_SIGNIFICANT_FIGURE = "third_significant_figure"
    TOLERANCE = "tolerance"


class Quartiles(StrEnum):
    N_PLUS_1 = "n_plus_1"  # position (p + 1)·k/4: Hyndman–Fan type 6, Minitab, Excel QUARTILE.EXC
    N_MINUS_1 = "n_minus_1"  # position 1 + (p − 1)·k/4: Hyndman–Fan type 7, Excel QUARTILE/QUARTILE.INC, NumPy


EN_FORMULAS = {
    False: "En = (x − x_ref)/√(U²(x) + U²(x_ref))",
    True: "En = (x − x_ref)/√(U²(x) − U²(x_ref))",
}


@dataclass(frozen=True)
class ComparisonConstants:
    """Thresholds and factors in force; :func:`default_constants` reads the shipped data file."""

    bands: Mapping[ScoreKind, tuple[float, float | None]]  # (satisfactory max, unsatisfactory min or None)
    classification_confidence: str
    z_prime_ratio: float
    homogeneity_ratio: float
    mad_factor: float
    winsor_factor: float
    sd_factor: float
    u_mean_factor: float
    u_mean_confidence: str
    made_factor: float
    made_confidence: str
    niqr_factor: float
    niqr_confidence: str
    default_quartiles: Quartiles

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ComparisonConstants:
        """Parse the schema of ``data/comparison_iso13528.json``; a malformed file raises ``ValueError``."""
        try:
            kinds = data["classification"]["kinds"]
            bands = {
                ScoreKind(kind): (
                    float(row["satisfactory_max"]),
                    None if row["unsatisfactory_min"] is None else float(row["unsatisfactory_min"]),
                )
                for kind, row in kinds.items()
            }
            if set(bands) != set(ScoreKind):
                raise ValueError(f"classification needs bands for {', '.join(ScoreKind)}")
            alg = data["algorithm_a"]
            return cls(
                bands=bands,
                classification_confidence=data["classification"]["confidence"],
                z_prime_ratio=float(data["z_prime_rule"]["ratio"]),
                homogeneity_ratio=float(data["homogeneity"]["ratio"]),
                mad_factor=float(alg["mad_factor"]),
                winsor_factor=float(alg["winsor_factor"]),
                sd_factor=float(alg["sd_factor"]),
                u_mean_factor=float(data["u_robust_mean"]["factor"]),
                u_mean_confidence=data["u_robust_mean"]["confidence"],
                made_factor=float(data["made"]["factor"]),
                made_confidence=data["made"]["confidence"],
                niqr_factor=float(data["niqr"]["factor"]),
                niqr_confidence=data["niqr"]["confidence"],
                default_quartiles=Quartiles(data["niqr"]["default_quartiles"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed comparison constants: {exc!r}") from exc


# The constants shipped in ``jiliang/metrology/data/comparison_iso13528.json``.
default_constants = shipped(DATA_FILE, ComparisonConstants.from_dict)


# --- input checks ------------------------------------------------------------------------------------------------


def _finite(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def _uncertainty(value: object, name: str) -> float:
    result = _finite(value, name)
    if result < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return result


def _values(values: Sequence[float], what: str) -> list[float]:
    if isinstance(values, str | bytes) or len(values) == 0:
        raise ValueError(f"{what} needs at least one value; the list is empty")
    return [_finite(v, f"value {i + 1}") for i, v in enumerate(values)]


# --- scores (ISO 13528:2015 clause 9) ----------------------------------------------------------------------------


def z_score(x: float, x_pt: float, sigma_pt: float) -> float:
    """z = (x − x_pt)/σ_pt (ISO 13528:2015, 9.4).

    >>> round(z_score(24.140, 20.412143, 1.069840), 3)
    3.484
    """
    sigma = _finite(sigma_pt, "σ_pt")
    if sigma <= 0:
        raise ValueError(f"σ_pt must be positive because z divides by it, got {sigma_pt!r}")
    return (_finite(x, "x") - _finite(x_pt, "x_pt")) / sigma


def z_prime_score(x: float, x_pt: float, sigma_pt: float, u_x_pt: float) -> float:
    """z′ = (x − x_pt)/√(σ_pt² + u²(x_pt)) (ISO 13528:2015, 9.5); use it instead of z when u(x_pt) > 0.3·σ_pt
    (see :func:`z_prime_applies`).

    >>> round(z_prime_score(24.140, 20.412143, 1.069840, 0.445767), 3)
    3.216
    """
    sigma = _finite(sigma_pt, "σ_pt")
    if sigma <= 0:
        raise ValueError(f"σ_pt must be positive because z′ divides by √(σ_pt² + u²(x_pt)), got {sigma_pt!r}")
    u = _uncertainty(u_x_pt, "u(x_pt)")
    return (_finite(x, "x") - _finite(x_pt, "x_pt")) / math.hypot(sigma, u)


def zeta_score(x: float, u_x: float, x_pt: float, u_x_pt: float) -> float:
    """ζ = (x − x_pt)/√(u²(x) + u²(x_pt)) (ISO 13528:2015, 9.6), with standard uncertainties.

    >>> round(zeta_score(10.12, 0.05, 10.00, 0.025), 3)
    2.147
    """
    ux = _uncertainty(u_x, "u(x)")
    upt = _uncertainty(u_x_pt, "u(x_pt)")
    if ux == 0 and upt == 0:
        raise ValueError("u(x) and u(x_pt) are both zero: ζ divides by √(u²(x) + u²(x_pt))")
    return (_finite(x, "x") - _finite(x_pt, "x_pt")) / math.hypot(ux, upt)


def en_number(x: float, U_x: float, x_ref: float, U_ref: float, *, correlated: bool = False) -> float:
    """Normalised error En with expanded uncertainties (ISO 13528:2015, 9.7; JJF 1117).

    - ``correlated=False`` (the default): En = (x − x_ref)/√(U²(x) + U²(x_ref)), for a reference value
      independent of the laboratory's result.
    - ``correlated=True``: En = (x − x_ref)/√(U²(x) − U²(x_ref)), the JJF 1117 form for a reference value that is a
      weighted mean **including this laboratory's own result**; the minus sign removes the correlation between
      the two, and it needs U(x) > U(x_ref). Use it only in that case, and show which form was used
      (``EN_FORMULAS[correlated]``).

    Worked example (docs/reference/comparisons.md): x = 10.12, U = 0.10; x_ref = 10.00, U_ref = 0.05.

    >>> round(en_number(10.12, 0.10, 10.00, 0.05), 3)
    1.073
    >>> classify(en_number(10.12, 0.10, 10.00, 0.05), "en").value
    'unsatisfactory'
    """
    ux = _uncertainty(U_x, "U(x)")
    uref = _uncertainty(U_ref, "U(x_ref)")
    diff = _finite(x, "x") - _finite(x_ref, "x_ref")
    if correlated:
        if ux <= uref:
            raise ValueError(
                f"the correlated En needs U(x) > U(x_ref) (got {U_x!r} and {U_ref!r}): a reference value that "
                "includes this laboratory's result must be more certain than the result itself"
            )
        return diff / math.sqrt((ux - uref) * (ux + uref))
    if ux == 0 and uref == 0:
        raise ValueError("U(x) and U(x_ref) are both zero: En divides by √(U²(x) + U²(x_ref))")
    return diff / math.hypot(ux, uref)


def classify(score: float, kind: str, *, constants: ComparisonConstants | None = None) -> Performance:
    """Performance for a score (ISO 13528:2015, 9.4–9.7; CNAS-GL002):

    - z, z′, ζ: |s| ≤ 2.0 satisfactory; 2.0 < |s| < 3.0 questionable (有问题); |s| ≥ 3.0 unsatisfactory (不满意);
    - En: |En| ≤ 1.0 satisfactory; |En| > 1.0 unsatisfactory — there is no questionable band.

    Classify the unrounded score: a score printed as 2.00 may be 2.004, which is questionable.

    >>> classify(2.0, "z").value, classify(-2.5, "zeta").value, classify(3.0, "z_prime").value
    ('satisfactory', 'questionable', 'unsatisfactory')
    >>> classify(1.0, "en").value, classify(1.5, "en").value
    ('satisfactory', 'unsatisfactory')
    """
    try:
        score_kind = ScoreKind(kind)
    except ValueError:
        raise ValueError(f"unknown score kind {kind!r}: expected one of {', '.join(ScoreKind)}") from None
    magnitude = abs(_finite(score, "score"))
    satisfactory_max, unsatisfactory_min = (constants or default_constants()).bands[score_kind]
    if magnitude <= satisfactory_max:
        return Performance.SATISFACTORY
    if unsatisfactory_min is None or magnitude >= unsatisfactory_min:
        return Performance.UNSATISFACTORY
    return Performance.QUESTIONABLE


def z_prime_applies(sigma_pt: float, u_x_pt: float, *, constants: ComparisonConstants | None = None) -> bool:
    """True when u(x_pt) > 0.3·σ_pt, where ISO 13528 says to use z′ instead of z.

    >>> z_prime_applies(1.0, 0.3), z_prime_applies(1.0, 0.31)
    (False, True)
    """
    ratio = (constants or default_constants()).z_prime_ratio
    return _uncertainty(u_x_pt, "u(x_pt)") > ratio * _finite(sigma_pt, "σ_pt")


def homogeneity_sufficient(s_s: float, sigma_pt: float, *, constants: ComparisonConstants | None = None) -> bool:
    """True when the between-sample standard deviation s_s ≤ 0.3·σ_pt (CNAS-GL003 homogeneity criterion).

    >>> homogeneity_sufficient(0.03, 0.1), homogeneity_sufficient(0.031, 0.1)
    (True, False)
    """
    ratio = (constants or default_constants()).homogeneity_ratio
    return _uncertainty(s_s, "s_s") <= ratio * _finite(sigma_pt, "σ_pt")


# --- robust statistics (ISO 13528:2015 Annex C) ------------------------------------------------------------------


@dataclass(frozen=True)
class RobustEstimate:
    """Result of Algorithm A: robust mean x*, robust standard deviation s*, and u(x*) = 1.25·s*/√p."""

    mean: float
    sd: float
    iterations: int
    u_mean: float
    p: int
    stop: str
    u_mean_confidence: str
    history: tuple[tuple[float, float], ...]  # (x*, s*) at the start and after each iteration


def _third_figure_unchanged(old: float, new: float, old_sd: float, new_sd: float) -> bool:
    """No change in the third significant figure of s*, nor in the figure of x* at the same decimal place."""
    quantum = Decimal(1).scaleb(Decimal(repr(new_sd)).adjusted() - 2)

    def at_place(value: float) -> Decimal:
        return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_EVEN)

    return at_place(old_sd) == at_place(new_sd) and at_place(old) == at_place(new)


def algorithm_a(
    values: Sequence[float],
    *,
    stop: str = "third_significant_figure",
    tol: float = 1e-9,
    max_iter: int = 1000,
    constants: ComparisonConstants | None = None,
) -> RobustEstimate:
    """Robust mean and standard deviation by Algorithm A (ISO 13528:2015 Annex C.3; ISO 5725-5).

    1. x* = median(xᵢ); s* = 1.483·median|xᵢ − x*|.
    2. δ = 1.5·s*; winsorise the **original** values to [x* − δ, x* + δ].
    3. x* = mean of the winsorised values; s* = 1.134·their standard deviation (p − 1).
    4. Repeat 2–3 until the stopping rule holds.

    Stopping rules:

    - ``third_significant_figure`` (the standard's wording): stop when an iteration changes neither the third
      significant figure of s* nor the figure of x* at the same decimal place (both rounded half-to-even). It
      stops early on slowly converging data and depends on the unit the values are written in.
    - ``tolerance``: stop when both |Δx*| and |Δs*| are at most ``tol``·s*; this finds the fixed point and is
      invariant to the order, shift and scale of the data.

    ``iterations`` counts the winsorise-and-update steps; ``history`` lists (x*, s*) before the first and after
    each one, for a report that shows the iterations. u_mean = 1.25·s*/√p is the standard uncertainty of x*
    used as an assigned value (the 1.25 factor is unconfirmed; its confidence is carried in the result).

    Raises ``ValueError`` when s* is 0 (at least half the values are equal to the median), or when the
    tolerance rule is not met within ``max_iter`` iterations.

    Worked example (docs/reference/comparisons.md): the standard's rule stops at s* ≈ 1.054 after 6 iterations,
    the fixed point is s* = 1.069840.

    >>> data = [24.140, 20.155, 19.500, 20.300, 20.705, 17.570, 20.100, 20.940, 21.185]
    >>> quick = algorithm_a(data)
    >>> round(quick.mean, 4), round(quick.sd, 4), quick.iterations
    (20.4121, 1.0537, 6)
    """
    c = constants or default_constants()
    xs = _values(values, "Algorithm A")
    try:
        rule = StopRule(stop)
    except ValueError:
        raise ValueError(f"unknown stopping rule {stop!r}: expected one of {', '.join(StopRule)}") from None
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive whole number, got {max_iter!r}")

    p = len(xs)
    mean = statistics.median(xs)
    sd = c.mad_factor * statistics.median(abs(v - mean) for v in xs)
    if sd == 0:
        raise ValueError(
            "at least half of the values are equal to their median, so the robust standard deviation s* is 0 "
            "and Algorithm A cannot start"
        )
    history = [(mean, sd)]
    for iteration in range(1, max_iter + 1):
        delta = c.winsor_factor * sd
        low, high = mean - delta, mean + delta
        winsorised = [min(max(v, low), high) for v in xs]
        # fsum rounds the sum once, so the result does not depend on the order of the values.
        new_mean = math.fsum(winsorised) / p
        new_sd = c.sd_factor * math.sqrt(math.fsum((w - new_mean) ** 2 for w in winsorised) / (p - 1))
        if new_sd == 0:
            raise ValueError("the winsorised values are all equal, so s* is 0 and Algorithm A cannot continue")
        if rule is StopRule.THIRD_SIGNIFICANT_FIGURE:
            done = _third_figure_unchanged(mean, new_mean, sd, new_sd)
        else:
            done = abs(new_mean - mean) <= tol * new_sd and abs(new_sd - sd) <= tol * new_sd
        mean, sd = new_mean, new_sd
        history.append((mean, sd))
        if done:
            return RobustEstimate(
                mean=mean,
                sd=sd,
                iterations=iteration,
                u_mean=c.u_mean_factor * sd / math.sqrt(p),
                p=p,
                stop=rule.value,
                u_mean_confidence=c.u_mean_confidence,
                history=tuple(history),
            )
    raise ValueError(
        f"Algorithm A did not converge within max_iter={max_iter} iterations with tol={tol}; raise max_iter or tol"
    )


def made(values: Sequence[float], *, constants: ComparisonConstants | None = None) -> float:
    """Scaled median absolute deviation MADe = 1.483·median|xᵢ − median(x)| (ISO 13528:2015 C.2.2).

    >>> round(made([24.140, 20.155, 19.500, 20.300, 20.705, 17.570, 20.100, 20.940, 21.185]), 5)
    0.94912
    """
    c = constants or default_constants()
    xs = _values(values, "MADe")
    centre = statistics.median(xs)
    return c.made_factor * statistics.median(abs(v - centre) for v in xs)


def _quartile(ordered: list[float], k: int, convention: Quartiles) -> float:
    p = len(ordered)
    position = (p + 1) * k / 4 if convention is Quartiles.N_PLUS_1 else 1 + (p - 1) * k / 4
    position = min(max(position, 1.0), float(p))  # type 6 runs past the ends for p < 3
    below = math.floor(position)
    fraction = position - below
    if fraction == 0:
        return ordered[below - 1]
    return ordered[below - 1] + fraction * (ordered[below] - ordered[below - 1])


def niqr(
    values: Sequence[float], *, quartiles: str | None = None, constants: ComparisonConstants | None = None
) -> float:
    """Normalised interquartile range nIQR = 0.7413·(Q3 − Q1) (ISO 13528:2015 C.2.3; CNAS-GL002).

    Quartile convention (the standard leaves it open and providers differ; confidence unconfirmed):

    - ``n_plus_1`` (default): Q1 and Q3 at positions (p + 1)/4 and 3(p + 1)/4 of the sorted values, linear
      interpolation between neighbours, clamped to the first and last value (Hyndman–Fan type 6; Minitab;
      Excel QUARTILE.EXC);
    - ``n_minus_1``: positions 1 + (p − 1)/4 and 1 + 3(p − 1)/4 (type 7; Excel QUARTILE.INC; NumPy's default).

    >>> data = [24.140, 20.155, 19.500, 20.300, 20.705, 17.570, 20.100, 20.940, 21.185]
    >>> round(niqr(data), 5), round(niqr(data, quartiles="n_minus_1"), 5)
    (0.93589, 0.62269)
    """
    c = constants or default_constants()
    xs = sorted(_values(values, "nIQR"))
    try:
        convention = c.default_quartiles if quartiles is None else Quartiles(quartiles)
    except ValueError:
        raise ValueError(f"unknown quartile convention {quartiles!r}: expected one of {', '.join(Quartiles)}") from None
    return c.niqr_factor * (_quartile(xs, 3, convention) - _quartile(xs, 1, convention))


__all__ = [
    "EN_FORMULAS",
    "ComparisonConstants",
    "Performance",
    "Quartiles",
    "RobustEstimate",
    "ScoreKind",
    "StopRule",
    "algorithm_a",
    "classify",
    "default_constants",
    "en_number",
    "homogeneity_sufficient",
    "made",
    "niqr",
    "z_prime_applies",
    "z_prime_score",
    "z_score",
    "zeta_score",
]
