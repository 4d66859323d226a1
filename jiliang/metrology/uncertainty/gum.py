"""GUM: the law of propagation of uncertainty with effective degrees of freedom (JJF 1059.1-2012 = JCGM 100),
through GTC, and the rounding of a result for a certificate (JJF 1059.1-2012 §5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Any

import GTC
from GTC.lib import UncertainReal

from .budget import Budget
from .distributions import UncertaintyError, _finite, _level, coverage_factor, gettext_noop, inf


def _round_significant(x: Decimal, digits: int, rounding: str) -> Decimal:
    if x == 0:
        return x
    quantum = Decimal(1).scaleb(x.adjusted() - digits + 1)
    rounded = x.quantize(quantum, rounding=rounding)
    if rounded.adjusted() > x.adjusted():  # 9.96 → 10.0: one digit too many once the carry moved the point
        rounded = x.quantize(quantum.scaleb(1), rounding=rounding)
    return rounded


def _plain(x: Decimal) -> str:
    return format(x, "f")


@dataclass(frozen=True, slots=True)
class ReportedResult:
    """A GUM result rounded for a certificate: ``value`` to the decimal place of ``U`` (see ``GumResult.reported``)."""

    value: Decimal
    u: Decimal
    U: Decimal
    k: Decimal

    def __str__(self) -> str:
        return f"{_plain(self.value)}, U = {_plain(self.U)}, k = {_plain(self.k)}"


@dataclass(frozen=True, slots=True)
class GumResult:
    """The GUM evaluation of a budget.

    - ``value``: the estimate y = f(x₁, …, x_N) (GUM 4.1.4);
    - ``u``: the combined standard uncertainty u_c(y) (GUM 5.1.2, 5.2.2);
    - ``dof``: the effective degrees of freedom ν_eff by Welch–Satterthwaite (GUM G.4.1; for correlated inputs of
      one ensemble, Willink's generalisation in GTC), **unrounded**;
    - ``k``: the coverage factor; ``U`` = k·u_c (GUM 6.2.1, G.6.4);
    - ``level``: the coverage probability p that ``k`` was chosen for, or ``None`` when ``k`` was given;
    - ``contributions``: name → cᵢ·u(xᵢ), signed (GUM 5.1.3); ``sensitivities``: name → cᵢ = ∂f/∂xᵢ.
    """

    value: float
    u: float
    dof: float
    k: float
    U: float
    level: float | None
    contributions: dict[str, float] = field(default_factory=dict)
    sensitivities: dict[str, float] = field(default_factory=dict)

    def reported(self, *, digits: int = 2, round_up: bool = False) -> ReportedResult:
        """The result as JJF 1059.1-2012 §5 (= GUM 7.2.6) has it reported.

        Rounding rule: u and U keep ``digits`` significant figures (at most two; one is allowed) and are rounded
        half to even on their decimal digits, as GB/T 8170 rounds (四舍六入，逢五取偶) — or, with
        ``round_up=True``, always upwards, which JJF 1059.1 and GUM 7.2.6 allow so that the stated uncertainty is
        never smaller than the evaluated one. The value is then rounded, half to even, to the same decimal place as
        U. k is shown to two decimals. Floats are read through their shortest decimal form, so 0.0125 is
        exactly 0.0125 here (and becomes 0.012, not 0.013, unless rounding up).

        >>> r = GumResult(value=50.000837999, u=3.1664e-05, dof=16.75, k=2.921, U=9.249e-05, level=0.99)
        >>> print(r.reported())
        50.000838, U = 0.000092, k = 2.92
        >>> print(r.reported(round_up=True))
        50.000838, U = 0.000093, k = 2.92
        """
        if digits not in (1, 2):
            raise UncertaintyError(gettext_noop("不确定度的有效位数只能是 1 或 2 位，实为 %(d)s"), d=digits)
        rounding = ROUND_UP if round_up else ROUND_HALF_EVEN
        expanded = _round_significant(Decimal(repr(self.U)), digits, rounding)
        standard = _round_significant(Decimal(repr(self.u)), digits, rounding)
        value = Decimal(repr(self.value))
        if expanded != 0:
            place = int(expanded.as_tuple().exponent)
            value = value.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_EVEN)
        k = Decimal(repr(self.k)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        return ReportedResult(value=value, u=standard, U=expanded, k=k)


def _gtc_inputs(budget: Budget) -> dict[str, Any]:
    """One GTC elementary uncertain number per input, correlated ones declared as GTC requires (GTC 1.5
    ``set_correlation``: infinite-dof inputs as dependent, finite-dof inputs as an ensemble sharing one dof)."""
    numbers: dict[str, Any] = {}
    for group in budget.correlated_groups():
        members = [name for name in group if budget.inputs[name].u > 0]  # a zero u makes a constant: no effect
        dofs = {float(budget.inputs[name].dof) for name in members}
        if len(dofs) > 1:
            raise UncertaintyError(
                gettext_noop(
                    "相关的输入量（%(names)s）自由度不同：Welch–Satterthwaite 公式只适用于自由度相同的相关输入量"
                    "（如同一组重复观测），或自由度均为无穷大"
                ),
                names="、".join(group),
            )
        if dofs and math.isfinite(dof := dofs.pop()):
            created = GTC.multiple_ureal(
                [budget.inputs[n].value for n in members], [budget.inputs[n].u for n in members], dof, members
            )
            numbers.update(zip(members, created, strict=True))
        else:
            for name in members:
                quantity = budget.inputs[name]
                numbers[name] = GTC.ureal(quantity.value, quantity.u, inf, label=name, independent=False)
    for name, quantity in budget.inputs.items():
        if name not in numbers:
            numbers[name] = GTC.ureal(quantity.value, quantity.u, float(quantity.dof), label=name)
    for (a, b), r in budget.correlations.items():
        if budget.inputs[a].u > 0 and budget.inputs[b].u > 0:
            GTC.set_correlation(r, numbers[a], numbers[b])
    return numbers


def evaluate_gum(budget: Budget, *, level: float = 0.95, k: float | None = None) -> GumResult:
    """Evaluate ``budget`` by the law of propagation of uncertainty (JJF 1059.1-2012 §4.4 = GUM 5.1.2, 5.2.2 with
    correlations) and the Welch–Satterthwaite effective degrees of freedom (GUM G.4.1), through GTC.

    The coverage factor: when ``k`` is None, k = t_p(⌊ν_eff⌋), the two-sided Student t quantile at coverage
    probability ``level`` for ν_eff truncated to the next lower integer — GUM G.4.1 note 1 allows interpolation or
    truncation; truncation is what the GUM does in H.1 and is the conservative choice (k is never smaller).
    ``dof`` in the result stays unrounded. A given ``k`` (e.g. 2, JJF 1059.1's usual choice) is used as it is, and
    the result's ``level`` is then None, because a fixed k states no coverage probability.

    JCGM 101 §9.2.2 by the GUM: four independent N(0, 1) inputs summed, U₉₅ = 1.96 × 2.

    >>> from jiliang.metrology.uncertainty import Normal
    >>> r = evaluate_gum(Budget(lambda a, b, c, d: a + b + c + d, {n: Normal(0.0, 1.0) for n in "abcd"}))
    >>> round(r.value, 6) + 0.0, round(r.u, 6), r.dof, round(r.k, 3), round(r.U, 2)
    (0.0, 2.0, inf, 1.96, 3.92)
    >>> r.contributions["a"]
    1.0
    >>> evaluate_gum(Budget(lambda x: 2 * x, {"x": Normal(1.0, 0.1)}), k=2).U
    0.4
    """
    if not isinstance(budget, Budget):
        raise UncertaintyError(gettext_noop("需要一个不确定度预算（Budget），实为 %(got)r"), got=budget)
    level = _level(level)
    if k is not None:
        k = _finite(k, gettext_noop("包含因子 k"))
        if k <= 0:
            raise UncertaintyError(gettext_noop("包含因子 k 必须为正，实为 %(k)s"), k=k)
    numbers = _gtc_inputs(budget)
    y = budget.model(**numbers)
    if isinstance(y, UncertainReal):
        value, u, dof = float(y.x), float(y.u), float(y.df)
    else:
        value = _finite(y, gettext_noop("测量模型的结果"))
        u, dof = 0.0, inf
    if u == 0 or math.isnan(dof):
        dof = inf
    contributions: dict[str, float] = {}
    sensitivities: dict[str, float] = {}
    for name, number in numbers.items():
        uncertain = isinstance(y, UncertainReal) and budget.inputs[name].u > 0
        contributions[name] = float(GTC.reporting.u_component(y, number)) if uncertain else 0.0
        sensitivities[name] = float(GTC.reporting.sensitivity(y, number)) if uncertain else 0.0
    if k is None:
        factor = coverage_factor(level, dof if math.isinf(dof) else max(1.0, math.floor(dof)))
        result_level: float | None = level
    else:
        factor, result_level = k, None
    return GumResult(
        value=value,
        u=u,
        dof=dof,
        k=factor,
        U=factor * u,
        level=result_level,
        contributions=contributions,
        sensitivities=sensitivities,
    )
