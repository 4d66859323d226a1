"""Measurement uncertainty: the GUM law of propagation (JJF 1059.1-2012 = JCGM 100, "GUM") through GTC, and the
Monte Carlo propagation of distributions (JJF 1059.2-2012 = JCGM 101) through NumPy.

A budget names its input quantities, says what is known about each (a distribution, or repeated readings), and
gives the measurement model once, as a Python function of those names. The same function runs on GTC uncertain
numbers (first-order propagation with degrees of freedom) and on NumPy arrays (Monte Carlo), so the model must be
written with operators and this module's ``sin``, ``cos``, ``sqrt``, ``exp`` and ``log`` (never ``math.*``) and must
not branch on the values of its arguments.

JCGM 101 §9.2.2: Y = X₁ + X₂ + X₃ + X₄ with Xᵢ ~ N(0, 1).

>>> budget = Budget(lambda x1, x2, x3, x4: x1 + x2 + x3 + x4, {f"x{i}": Normal(0.0, 1.0) for i in range(1, 5)})
>>> gum = evaluate_gum(budget)
>>> round(gum.u, 3), round(gum.U, 2)
(2.0, 3.92)
>>> mcm = evaluate_mcm(budget, trials=10**4, seed=1)
>>> round(mcm.u, 1)
2.0
>>> validate(gum, mcm, n_dig=1).validated
True

Error messages are Chinese message ids (this package imports no Django): every ``UncertaintyError`` carries its
``msgid`` and ``params`` so the web layer shows ``gettext(error.msgid) % error.params``; the ids are marked with
``gettext_noop`` so ``makemessages`` collects them.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Any

import GTC
import numpy as np
from GTC.lib import UncertainReal

__all__ = [
    "Arcsine",
    "Budget",
    "GumResult",
    "Input",
    "McmResult",
    "Normal",
    "Rectangular",
    "ReportedResult",
    "StudentT",
    "Trapezoidal",
    "Triangular",
    "TypeA",
    "UncertaintyError",
    "Validation",
    "adaptive_run_size",
    "cos",
    "coverage_factor",
    "evaluate_gum",
    "evaluate_mcm",
    "exp",
    "log",
    "numerical_tolerance",
    "sin",
    "sqrt",
    "validate",
]

inf = math.inf

# Monte Carlo draws and evaluates at most this many trials at a time, so that 10^7 trials of a ten-input model do
# not hold ten 80 MB arrays at once; only the model values are kept for the coverage interval.
CHUNK = 10**6
# A request for more trials than this is refused rather than allowed to exhaust the server's memory (the model
# values alone take 8 bytes a trial).
MAX_TRIALS = 2 * 10**7


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (Django's ``makemessages`` extracts this name)."""
    return message


class UncertaintyError(ValueError):
    """A budget, an input or an option that cannot be evaluated; the message says what is wrong, in Chinese.

    >>> str(UncertaintyError(gettext_noop("自由度必须不小于 1，实为 %(dof)s"), dof=0))
    '自由度必须不小于 1，实为 0'
    """

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


# --- checks shared by the input quantities ------------------------------------------------------------------------


def _finite(value: object, what: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UncertaintyError(gettext_noop("%(what)s必须是数，实为 %(got)r"), what=what, got=value) from None
    if not math.isfinite(number):
        raise UncertaintyError(gettext_noop("%(what)s必须是有限的数，实为 %(got)r"), what=what, got=value)
    return number


def _non_negative(value: object, what: str) -> float:
    number = _finite(value, what)
    if number < 0:
        raise UncertaintyError(gettext_noop("%(what)s不能为负，实为 %(got)s"), what=what, got=number)
    return number


def _dof(value: object) -> float:
    # GTC refuses fewer than one degree of freedom (ureal: "invalid dof"); ν ≥ 1 also keeps t_p(ν) finite.
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UncertaintyError(gettext_noop("自由度必须是数，实为 %(dof)r"), dof=value) from None
    if math.isnan(number) or number < 1:
        raise UncertaintyError(gettext_noop("自由度必须不小于 1，实为 %(dof)s"), dof=value)
    return number


def _level(level: object) -> float:
    number = _finite(level, gettext_noop("包含概率"))
    if not 0 < number < 1:
        raise UncertaintyError(gettext_noop("包含概率必须在 0 与 1 之间（如 0.95），实为 %(level)s"), level=level)
    return number


def _constant(value: float, size: int) -> np.ndarray:
    return np.full(size, value)


# --- input quantities (JJF 1059.1-2012 §4.2 Type A, §4.3 Type B = GUM 4.2, 4.3; JCGM 101 §6.4) --------------------


@dataclass(frozen=True, slots=True)
class Normal:
    """A quantity with estimate ``value`` and standard uncertainty ``u`` (GUM 4.3.4: a normal distribution).

    ``dof`` is the reliability of ``u`` for the Welch–Satterthwaite formula (GUM G.4.2, eq. G.3); it does not change
    the Monte Carlo draw, which is normal (JCGM 101 §6.4.7). To carry a finite ``dof`` into Monte Carlo as a
    t distribution (JCGM 101 §6.4.9.7), use ``StudentT``.

    >>> Normal(10.0, 0.2, dof=9).u
    0.2
    >>> round(Normal.from_expanded(10.0, 0.6, level=0.9973).u, 3)  # "99.73 %": divisor 3 (JJF 1059.1 §4.3.3)
    0.2
    """

    value: float
    u: float
    dof: float = inf

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, gettext_noop("估计值")))
        object.__setattr__(self, "u", _non_negative(self.u, gettext_noop("标准不确定度")))
        object.__setattr__(self, "dof", _dof(self.dof))

    @classmethod
    def from_expanded(
        cls, value: float, expanded: float, *, level: float | None = None, k: float | None = None, dof: float = inf
    ) -> Normal:
        """From a quoted expanded uncertainty: u = U/k, with k given or k = z_p for a normal level ``level``
        (JJF 1059.1-2012 §4.3.3.2, GUM 4.3.4: 99.73 % → 3, 99 % → 2.576, 95.45 % → 2, 95 % → 1.960, 90 % → 1.645).

        >>> round(Normal.from_expanded(0.0, 1.96, level=0.95).u, 4)
        1.0
        """
        expanded = _non_negative(expanded, gettext_noop("扩展不确定度"))
        if (level is None) == (k is None):
            raise UncertaintyError(gettext_noop("由扩展不确定度换算时，应给出包含概率或包含因子 k 之一"))
        divisor = coverage_factor(_level(level)) if k is None else _finite(k, gettext_noop("包含因子 k"))
        if divisor <= 0:
            raise UncertaintyError(gettext_noop("包含因子 k 必须为正，实为 %(k)s"), k=divisor)
        return cls(value, expanded / divisor, dof)

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.value + self.u * rng.standard_normal(size)


@dataclass(frozen=True, slots=True)
class Rectangular:
    """Equally probable anywhere in ``value ± half_width``: u = a/√3 (JJF 1059.1-2012 §4.3.3, GUM 4.3.7).

    ``dof`` only weighs u in Welch–Satterthwaite (GUM G.4.2); Monte Carlo draws a rectangular distribution
    (JCGM 101 §6.4.2).

    >>> round(Rectangular(0.0, math.sqrt(3)).u, 12)
    1.0
    """

    value: float
    half_width: float
    dof: float = inf

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, gettext_noop("估计值")))
        object.__setattr__(self, "half_width", _non_negative(self.half_width, gettext_noop("区间半宽度")))
        object.__setattr__(self, "dof", _dof(self.dof))

    @property
    def u(self) -> float:
        return self.half_width / math.sqrt(3)

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.value - self.half_width, self.value + self.half_width, size)


@dataclass(frozen=True, slots=True)
class Triangular:
    """Symmetric triangular distribution on ``value ± half_width``: u = a/√6 (JJF 1059.1-2012 §4.3.3, GUM 4.3.9;
    JCGM 101 §6.4.5).

    >>> round(Triangular(0.0, math.sqrt(6)).u, 12)
    1.0
    """

    value: float
    half_width: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, gettext_noop("估计值")))
        object.__setattr__(self, "half_width", _non_negative(self.half_width, gettext_noop("区间半宽度")))

    @property
    def u(self) -> float:
        return self.half_width / math.sqrt(6)

    @property
    def dof(self) -> float:
        return inf

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.half_width == 0:
            return _constant(self.value, size)
        return rng.triangular(self.value - self.half_width, self.value, self.value + self.half_width, size)


@dataclass(frozen=True, slots=True)
class Arcsine:
    """U-shaped (arcsine) distribution on ``value ± half_width``, e.g. a temperature cycling sinusoidally:
    u = a/√2 (JJF 1059.1-2012 §4.3.3; JCGM 101 §6.4.6, drawn as value + a·sin 2πΦ, Φ ~ R(0, 1)).

    >>> round(Arcsine(0.0, math.sqrt(2)).u, 12)
    1.0
    """

    value: float
    half_width: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, gettext_noop("估计值")))
        object.__setattr__(self, "half_width", _non_negative(self.half_width, gettext_noop("区间半宽度")))

    @property
    def u(self) -> float:
        return self.half_width / math.sqrt(2)

    @property
    def dof(self) -> float:
        return inf

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.value + self.half_width * np.sin(2 * math.pi * rng.random(size))


@dataclass(frozen=True, slots=True)
class Trapezoidal:
    """Symmetric trapezoidal distribution on ``value ± half_width`` whose flat top spans ``±beta·half_width``:
    u = a·√((1 + β²)/6), i.e. the divisor √6/√(1 + β²) (JJF 1059.1-2012 §4.3.3, GUM 4.3.9; JCGM 101 §6.4.4, drawn as
    the sum of two rectangular variables). β = 0 is triangular, β = 1 rectangular.

    >>> round(Trapezoidal(0.0, 1.0, 0.5).u, 4)
    0.4564
    """

    value: float
    half_width: float
    beta: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, gettext_noop("估计值")))
        object.__setattr__(self, "half_width", _non_negative(self.half_width, gettext_noop("区间半宽度")))
        beta = _finite(self.beta, gettext_noop("梯形顶宽比 β"))
        if not 0 <= beta <= 1:
            raise UncertaintyError(gettext_noop("梯形顶宽比 β 必须在 0 与 1 之间，实为 %(beta)s"), beta=beta)
        object.__setattr__(self, "beta", beta)

    @property
    def u(self) -> float:
        return self.half_width * math.sqrt((1 + self.beta**2) / 6)

    @property
    def dof(self) -> float:
        return inf

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        wide = self.half_width * (1 + self.beta) / 2
        narrow = self.half_width * (1 - self.beta) / 2
        return self.value + rng.uniform(-wide, wide, size) + rng.uniform(-narrow, narrow, size)


@dataclass(frozen=True, slots=True)
class StudentT:
    """A result quoted as estimate, standard uncertainty and degrees of freedom, with the t distribution the GUM
    assumes for it: the GUM uses u = ``scale`` with ν = ``dof`` (GUM G.3); Monte Carlo draws
    value + scale·t_ν (JCGM 101 §6.4.9.7), whose standard deviation is scale·√(ν/(ν − 2)) for ν > 2.

    >>> StudentT(1.0, 0.1, 4).u
    0.1
    """

    value: float
    scale: float
    dof: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, gettext_noop("估计值")))
        object.__setattr__(self, "scale", _non_negative(self.scale, gettext_noop("尺度参数")))
        object.__setattr__(self, "dof", _dof(self.dof))

    @property
    def u(self) -> float:
        return self.scale

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if math.isinf(self.dof):
            return self.value + self.scale * rng.standard_normal(size)
        return self.value + self.scale * rng.standard_t(self.dof, size)


@dataclass(frozen=True, slots=True)
class TypeA:
    """Repeated independent readings: estimate x̄, u(x̄) = s/√n, ν = n − 1 (JJF 1059.1-2012 §4.2 Type A evaluation,
    GUM 4.2.1-4.2.3, G.3.3). Monte Carlo draws x̄ + (s/√n)·t_(n−1) (JCGM 101 §6.4.9.2); note that this t
    distribution has no finite variance for n ≤ 3, so Monte Carlo wants n ≥ 4 readings.

    >>> a = TypeA([10.1, 10.3, 10.2, 10.4, 10.0])
    >>> round(a.value, 3), round(a.u, 4), a.dof
    (10.2, 0.0707, 4)
    """

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if isinstance(self.values, str | bytes) or not isinstance(self.values, Iterable):
            raise UncertaintyError(gettext_noop("A 类评定需要一组观测值，实为 %(got)r"), got=self.values)
        readings = tuple(_finite(v, gettext_noop("观测值")) for v in self.values)
        if not readings:
            raise UncertaintyError(gettext_noop("A 类评定的观测值列表为空"))
        if len(readings) < 2:
            raise UncertaintyError(gettext_noop("A 类评定至少需要 2 个观测值，实为 %(n)s 个"), n=len(readings))
        object.__setattr__(self, "values", readings)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def value(self) -> float:
        return math.fsum(self.values) / self.n

    @property
    def u(self) -> float:
        mean = self.value
        s2 = math.fsum((v - mean) ** 2 for v in self.values) / (self.n - 1)
        return math.sqrt(s2 / self.n)

    @property
    def dof(self) -> int:
        return self.n - 1

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.value + self.u * rng.standard_t(self.dof, size)


Input = Normal | Rectangular | Triangular | Arcsine | Trapezoidal | StudentT | TypeA
_INPUT_TYPES = (Normal, Rectangular, Triangular, Arcsine, Trapezoidal, StudentT, TypeA)
_KIND = {
    Normal: gettext_noop("正态分布"),
    Rectangular: gettext_noop("矩形分布"),
    Triangular: gettext_noop("三角分布"),
    Arcsine: gettext_noop("反正弦分布"),
    Trapezoidal: gettext_noop("梯形分布"),
    StudentT: gettext_noop("t 分布"),
    TypeA: gettext_noop("A 类评定"),
}


# --- the model's mathematics: one function, two kinds of argument -------------------------------------------------


def _dispatch(gtc_fn: Callable[[Any], Any], np_fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def fn(x: Any) -> Any:
        return gtc_fn(x) if isinstance(x, UncertainReal) else np_fn(x)

    fn.__name__ = np_fn.__name__
    fn.__doc__ = f"``{np_fn.__name__}`` of a GTC uncertain number (GUM), a NumPy array (Monte Carlo) or a float."
    return fn


sin = _dispatch(GTC.sin, np.sin)
cos = _dispatch(GTC.cos, np.cos)
sqrt = _dispatch(GTC.sqrt, np.sqrt)
exp = _dispatch(GTC.exp, np.exp)
log = _dispatch(GTC.log, np.log)


# --- the budget ---------------------------------------------------------------------------------------------------


class Budget:
    """The measurement model and what is known about its input quantities (JJF 1059.1-2012 §4.1, GUM 4.1).

    ``model`` is called with one keyword argument per input name. ``correlations`` maps a pair of input names to
    their correlation coefficient r (GUM 5.2.2); the matrix of coefficients must be positive semi-definite.

    >>> b = Budget(lambda m, v: m / v, {"m": Normal(10.0, 0.01), "v": Normal(2.0, 0.002)}, {("m", "v"): 0.5})
    >>> b.correlations
    {('m', 'v'): 0.5}
    """

    def __init__(
        self,
        model: Callable[..., Any],
        inputs: Mapping[str, Input],
        correlations: Mapping[tuple[str, str], float] | None = None,
    ) -> None:
        if not callable(model):
            raise UncertaintyError(gettext_noop("测量模型必须是可调用的函数"))
        if not isinstance(inputs, Mapping) or not inputs:
            raise UncertaintyError(gettext_noop("不确定度预算至少需要一个输入量"))
        for name, quantity in inputs.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise UncertaintyError(gettext_noop("输入量名称“%(name)s”不是合法的标识符"), name=name)
            if not isinstance(quantity, _INPUT_TYPES):
                raise UncertaintyError(
                    gettext_noop("输入量“%(name)s”不是可识别的输入量类型：%(got)r"), name=name, got=quantity
                )
        self.model = model
        self.inputs: dict[str, Input] = dict(inputs)
        self._check_signature()
        self.correlations = self._normalise_correlations(correlations or {})
        self._check_positive_semidefinite()

    def _check_signature(self) -> None:
        try:
            signature = inspect.signature(self.model)
        except (TypeError, ValueError):  # a builtin without a signature: the first call will tell
            return
        try:
            signature.bind(**dict.fromkeys(self.inputs, 0.0))
        except TypeError as exc:
            raise UncertaintyError(
                gettext_noop("测量模型的参数与输入量名称（%(names)s）不一致：%(reason)s"),
                names="、".join(self.inputs),
                reason=str(exc),
            ) from None

    def _normalise_correlations(self, correlations: Mapping[tuple[str, str], float]) -> dict[tuple[str, str], float]:
        if not isinstance(correlations, Mapping):
            raise UncertaintyError(gettext_noop("相关系数必须以“(输入量, 输入量) → r”的形式给出"))
        order = {name: i for i, name in enumerate(self.inputs)}
        result: dict[tuple[str, str], float] = {}
        for pair, r in correlations.items():
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise UncertaintyError(gettext_noop("相关系数的键必须是两个输入量名称，实为 %(pair)r"), pair=pair)
            for name in pair:
                if name not in order:
                    raise UncertaintyError(gettext_noop("相关系数引用了未知的输入量“%(name)s”"), name=name)
            first, second = sorted(pair, key=order.__getitem__)
            if first == second:
                raise UncertaintyError(gettext_noop("输入量“%(name)s”不能与自身设定相关系数"), name=first)
            coefficient = _finite(r, gettext_noop("相关系数"))
            if not -1 <= coefficient <= 1:
                raise UncertaintyError(
                    gettext_noop("“%(a)s”与“%(b)s”的相关系数必须在 −1 与 1 之间，实为 %(r)s"),
                    a=first,
                    b=second,
                    r=coefficient,
                )
            key = (first, second)
            if key in result and result[key] != coefficient:
                raise UncertaintyError(gettext_noop("“%(a)s”与“%(b)s”的相关系数给出了两个不同的值"), a=first, b=second)
            result[key] = coefficient
        return {key: r for key, r in result.items() if r != 0}

    def _check_positive_semidefinite(self) -> None:
        names = self.correlated_names()
        if len(names) < 2:
            return
        matrix = self.correlation_matrix(names)
        if np.linalg.eigvalsh(matrix).min() < -1e-10:
            raise UncertaintyError(
                gettext_noop("相关系数矩阵不是半正定的（%(names)s），这样的相关性不可能存在"), names="、".join(names)
            )

    def correlated_names(self) -> list[str]:
        """The inputs that take part in at least one non-zero correlation, in budget order."""
        named = {name for pair in self.correlations for name in pair}
        return [name for name in self.inputs if name in named]

    def correlation_matrix(self, names: list[str]) -> np.ndarray:
        """The correlation coefficients among ``names`` as a symmetric matrix with ones on the diagonal."""
        index = {name: i for i, name in enumerate(names)}
        matrix = np.eye(len(names))
        for (a, b), r in self.correlations.items():
            if a in index and b in index:
                matrix[index[a], index[b]] = matrix[index[b], index[a]] = r
        return matrix

    def correlated_groups(self) -> list[list[str]]:
        """Sets of inputs linked by non-zero correlations (connected components), each in budget order."""
        parent = {name: name for name in self.correlated_names()}

        def root(name: str) -> str:
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for a, b in self.correlations:
            parent[root(a)] = root(b)
        groups: dict[str, list[str]] = {}
        for name in parent:
            groups.setdefault(root(name), []).append(name)
        return list(groups.values())


# --- GUM: law of propagation with degrees of freedom, through GTC -------------------------------------------------


def coverage_factor(level: float = 0.95, dof: float = inf) -> float:
    """The two-sided coverage factor k = t_p(ν) of Student's t distribution (GUM G.3.4, Table G.2;
    JJF 1059.1-2012 §4.5.3); for ν = ∞ the normal quantile z_p (GUM G.2.3). ``dof`` may be non-integer.

    >>> round(coverage_factor(0.99, 16), 3), round(coverage_factor(0.95), 3)
    (2.921, 1.96)
    """
    level = _level(level)
    dof = _dof(dof)
    return float(GTC.reporting.k_factor(dof, 100 * level))


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


# --- Monte Carlo (JCGM 101) ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class McmResult:
    """The Monte Carlo evaluation of a budget (JCGM 101 §7.6, §7.7): ``value`` the mean of the model values,
    ``u`` their standard deviation, [``low``, ``high``] the coverage interval of probability ``level`` of kind
    ``interval`` ("symmetric" or "shortest"), from ``trials`` model values. For the adaptive procedure
    (JCGM 101 §7.9) ``runs`` is h, and ``converged`` says whether it stabilised before the cap on trials;
    ``converged`` is None for a fixed number of trials.
    """

    value: float
    u: float
    low: float
    high: float
    trials: int
    level: float
    interval: str
    runs: int = 1
    converged: bool | None = None


INTERVALS = ("symmetric", "shortest")


def _min_trials(level: float) -> int:
    # JCGM 101 §7.9.4 b): J = ⌈100/(1 − p)⌉ is the smallest number of trials the standard ever uses for one run;
    # with fewer, fewer than 100 model values fall outside the coverage interval and its endpoints mean little.
    return math.ceil(100 / (1 - level) - 1e-9)


def _coverage_interval(values: np.ndarray, level: float, kind: str) -> tuple[float, float]:
    """The coverage interval from M model values (JCGM 101 §7.7): q = pM (⌊pM + ½⌋ if not an integer); the
    probabilistically symmetric interval is [y₍r₎, y₍r+q₎] with r = (M − q)/2 (⌊(M − q + 1)/2⌋ if not an integer);
    the shortest is the [y₍r*₎, y₍r*+q₎] of least length (§7.7.2)."""
    m = values.size
    q = math.floor(level * m + 0.5)
    if kind == "symmetric":
        r = (m - q + 1) // 2  # = (M − q)/2 when M − q is even, ⌊(M − q + 1)/2⌋ when it is odd
        low, high = np.partition(values, [r - 1, r + q - 1])[[r - 1, r + q - 1]]
        return float(low), float(high)
    ordered = np.sort(values)
    widths = ordered[q:] - ordered[: m - q]
    start = int(np.argmin(widths))
    return float(ordered[start]), float(ordered[start + q])


def _check_mcm_correlations(budget: Budget) -> None:
    for name in budget.correlated_names():
        quantity = budget.inputs[name]
        if not isinstance(quantity, Normal):
            raise UncertaintyError(
                gettext_noop("蒙特卡洛法只支持正态分布输入量之间的相关（多元正态分布）：输入量“%(name)s”是%(kind)s"),
                name=name,
                kind=_KIND[type(quantity)],
            )


def _draw(budget: Budget, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    """Draws of every input; correlated normal inputs jointly from their multivariate normal (JCGM 101 §6.4.8)."""
    samples: dict[str, np.ndarray] = {}
    for group in budget.correlated_groups():
        normals = [budget.inputs[n] for n in group]
        sd = np.array([q.u for q in normals])
        cov = budget.correlation_matrix(group) * np.outer(sd, sd)
        # "eigh" also factors the singular matrices of r = ±1, which Cholesky refuses.
        joint = rng.multivariate_normal(np.array([q.value for q in normals]), cov, size, method="eigh")
        samples.update({n: joint[:, i] for i, n in enumerate(group)})
    for name, quantity in budget.inputs.items():
        if name not in samples:
            samples[name] = quantity._sample(rng, size) if quantity.u > 0 else _constant(quantity.value, size)
    return samples


def _model_values(budget: Budget, rng: np.random.Generator, trials: int) -> np.ndarray:
    out = np.empty(trials)
    for start in range(0, trials, CHUNK):
        size = min(CHUNK, trials - start)
        drawn = _draw(budget, rng, size)
        with np.errstate(all="ignore"):  # non-finite values are counted and refused just below
            y = np.asarray(budget.model(**{n: drawn[n] for n in budget.inputs}), dtype=float)
        if y.ndim == 0:
            y = np.broadcast_to(y, (size,))
        if y.shape != (size,):
            raise UncertaintyError(
                gettext_noop("测量模型必须对数组输入逐元素计算，得到的形状为 %(shape)s"), shape=y.shape
            )
        out[start : start + size] = y
    bad = int(np.count_nonzero(~np.isfinite(out)))
    if bad:
        raise UncertaintyError(
            gettext_noop("测量模型在 %(bad)s 次试验中得到非有限值（如除以零或对负数开方），请检查模型与输入量"), bad=bad
        )
    return out


def _summary(values: np.ndarray, level: float, kind: str) -> tuple[float, float, float, float]:
    low, high = _coverage_interval(values, level, kind)
    return float(values.mean()), float(values.std(ddof=1)), low, high


def adaptive_run_size(level: float = 0.95) -> int:
    """The number of trials of one run of the adaptive procedure, M = max(⌈100/(1 − p)⌉, 10⁴) (JCGM 101 §7.9.4 b).

    >>> adaptive_run_size(0.95), adaptive_run_size(0.999)
    (10000, 100000)
    """
    return max(_min_trials(_level(level)), 10**4)


def evaluate_mcm(
    budget: Budget,
    *,
    trials: int = 10**6,
    adaptive: bool = False,
    seed: int | None = None,
    level: float = 0.95,
    interval: str = "symmetric",
    n_dig: int = 2,
) -> McmResult:
    """Propagate the input distributions by Monte Carlo (JCGM 101 §7, JJF 1059.2-2012 §7), vectorised in NumPy.

    - ``trials``: M (JCGM 101 §7.2: 10⁶ usually suffices for 95 %; it recommends M ≥ 10⁴/(1 − p)). Fewer than
      ⌈100/(1 − p)⌉ are refused. With ``adaptive=True``, ``trials`` is instead the most trials the procedure may
      spend: JCGM 101 sets no limit, a cap keeps one request bounded, and ``converged`` tells whether it sufficed.
    - ``adaptive=True``: JCGM 101 §7.9.4: runs of M = max(⌈100/(1 − p)⌉, 10⁴) trials until twice the standard
      deviation of the mean over the runs of each of y, u(y), y_low and y_high is at most the numerical tolerance
      δ of u(y) for ``n_dig`` significant digits (§7.9.2); the result comes from all h·M values.
    - ``interval``: "symmetric" (probabilistically symmetric, §7.7.1) or "shortest" (§7.7.2).
    - ``seed``: a fixed seed repeats a run on one platform; compare across platforms only within δ.
    - Correlations: supported between ``Normal`` inputs, which are drawn jointly from their multivariate normal
      distribution (§6.4.8); a correlation that involves any other kind of input raises ``UncertaintyError``.

    JCGM 101 §9.2.3 with 10⁴ trials: the published 10⁶-trial interval is [−3.88, 3.88]; 10⁴ trials put each
    endpoint within about ±0.05 of it.

    >>> b = Budget(lambda a, b, c, d: a + b + c + d, {n: Rectangular(0.0, math.sqrt(3)) for n in "abcd"})
    >>> r = evaluate_mcm(b, trials=10**4, seed=3)
    >>> round(r.u, 1), r.trials, abs(r.low + 3.88) < 0.1, abs(r.high - 3.88) < 0.1
    (2.0, 10000, True, True)
    """
    if not isinstance(budget, Budget):
        raise UncertaintyError(gettext_noop("需要一个不确定度预算（Budget），实为 %(got)r"), got=budget)
    level = _level(level)
    if interval not in INTERVALS:
        raise UncertaintyError(
            gettext_noop("未知的包含区间类型“%(kind)s”：应为 symmetric（概率对称）或 shortest（最短）"), kind=interval
        )
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer):
        raise UncertaintyError(gettext_noop("试验次数必须是整数，实为 %(got)r"), got=trials)
    trials = int(trials)
    if trials > MAX_TRIALS:
        raise UncertaintyError(gettext_noop("试验次数不能超过 %(max)s，实为 %(got)s"), max=MAX_TRIALS, got=trials)
    if isinstance(n_dig, bool) or not isinstance(n_dig, int) or n_dig < 1:
        raise UncertaintyError(gettext_noop("有效位数 n_dig 必须是正整数，实为 %(got)r"), got=n_dig)
    _check_mcm_correlations(budget)
    rng = np.random.default_rng(seed)
    if not adaptive:
        if trials < _min_trials(level):
            raise UncertaintyError(
                gettext_noop("包含概率为 %(level)s 时试验次数至少为 %(min)s，实为 %(got)s"),
                level=level,
                min=_min_trials(level),
                got=trials,
            )
        value, u, low, high = _summary(_model_values(budget, rng, trials), level, interval)
        return McmResult(value=value, u=u, low=low, high=high, trials=trials, level=level, interval=interval)
    return _adaptive(budget, rng, cap=trials, level=level, interval=interval, n_dig=n_dig)


def _adaptive(
    budget: Budget, rng: np.random.Generator, *, cap: int, level: float, interval: str, n_dig: int
) -> McmResult:
    """JCGM 101 §7.9.4 steps b)-k)."""
    run = adaptive_run_size(level)
    if cap < 2 * run:
        raise UncertaintyError(
            gettext_noop("自适应蒙特卡洛法至少需要两轮、每轮 %(run)s 次试验，试验次数上限 %(got)s 不足"),
            run=run,
            got=cap,
        )
    chunks: list[np.ndarray] = []
    stats: list[tuple[float, float, float, float]] = []  # y, u(y), y_low, y_high of each run
    converged = False
    while len(chunks) * run + run <= cap:
        values = _model_values(budget, rng, run)
        chunks.append(values)
        stats.append(_summary(values, level, interval))
        h = len(chunks)
        if h < 2:
            continue
        table = np.array(stats)
        spread = table.std(axis=0, ddof=1) / math.sqrt(h)  # standard deviation of the mean over the runs, §7.9.4 g)
        means = table[:, 0]
        # u(y) from all h·M values (§7.9.4 h), pooled from the runs' means and variances without concatenating.
        pooled = ((run - 1) * np.sum(table[:, 1] ** 2) + run * np.sum((means - means.mean()) ** 2)) / (h * run - 1)
        delta = numerical_tolerance(math.sqrt(pooled), n_dig)
        if np.all(2 * spread <= delta):
            converged = True
            break
    everything = np.concatenate(chunks)
    value, u, low, high = _summary(everything, level, interval)
    return McmResult(
        value=value,
        u=u,
        low=low,
        high=high,
        trials=everything.size,
        level=level,
        interval=interval,
        runs=len(chunks),
        converged=converged,
    )


# --- validation of the GUM by Monte Carlo (JCGM 101 §8) -----------------------------------------------------------


def numerical_tolerance(u: float, n_dig: int = 2) -> float:
    """The numerical tolerance δ of a standard uncertainty (JCGM 101 §7.9.2): write u, rounded to ``n_dig``
    significant digits, as c × 10^ℓ with c an n_dig-digit integer; δ = ½ × 10^ℓ.

    >>> numerical_tolerance(2.0), numerical_tolerance(2.0, 3)  # 2.0 = 20 × 10⁻¹; 2.00 = 200 × 10⁻²
    (0.05, 0.005)
    >>> numerical_tolerance(0.0287), numerical_tolerance(0.0287, 1)  # 29 × 10⁻³; 3 × 10⁻²
    (0.0005, 0.005)
    """
    if isinstance(n_dig, bool) or not isinstance(n_dig, int) or n_dig < 1:
        raise UncertaintyError(gettext_noop("有效位数 n_dig 必须是正整数，实为 %(got)r"), got=n_dig)
    u = _non_negative(u, gettext_noop("标准不确定度"))
    if u == 0:
        return 0.0
    rounded = _round_significant(Decimal(repr(u)), n_dig, ROUND_HALF_EVEN)
    return float(Decimal("0.5").scaleb(rounded.adjusted() - n_dig + 1))


@dataclass(frozen=True, slots=True)
class Validation:
    """The comparison of a GUM coverage interval with a Monte Carlo one (JCGM 101 §8.1): ``d_low`` and ``d_high``
    the distances between the endpoints, ``delta`` the numerical tolerance, ``validated`` when both are ≤ δ."""

    d_low: float
    d_high: float
    delta: float
    validated: bool
    n_dig: int


def validate(gum: GumResult, mcm: McmResult, *, n_dig: int = 2) -> Validation:
    """Validate the GUM result by Monte Carlo (JCGM 101 §8.1, §8.2; JJF 1059.2-2012 §8): with y ± U_p from the GUM
    and [y_low, y_high] from Monte Carlo at the same coverage probability, d_low = |y − U_p − y_low| and
    d_high = |y + U_p − y_high|; the GUM is validated when both are at most δ, the numerical tolerance of the GUM's
    u(y) for ``n_dig`` significant digits (§7.9.2, §8.1.3). Report both results with the verdict.

    JCGM 101 §9.2.3 (GUM [−3.92, 3.92], Monte Carlo [−3.88, 3.88], u = 2.0): d = 0.04, so the GUM passes at
    n_dig = 2 (δ = 0.05) but not at n_dig = 3 (δ = 0.005).

    >>> gum = GumResult(value=0.0, u=2.0, dof=inf, k=1.96, U=3.92, level=0.95)
    >>> mcm = McmResult(value=0.0, u=2.0, low=-3.88, high=3.88, trials=10**6, level=0.95, interval="symmetric")
    >>> v = validate(gum, mcm)
    >>> round(v.d_low, 3), v.delta, v.validated
    (0.04, 0.05, True)
    >>> validate(gum, mcm, n_dig=3).validated
    False
    """
    if gum.level is None:
        raise UncertaintyError(
            gettext_noop("以给定包含因子 k 得到的 GUM 结果没有包含概率，不能与蒙特卡洛法的包含区间比较")
        )
    if not math.isclose(gum.level, mcm.level, rel_tol=0, abs_tol=1e-12):
        raise UncertaintyError(
            gettext_noop("GUM 结果（包含概率 %(gum)s）与蒙特卡洛结果（包含概率 %(mcm)s）的包含概率不同"),
            gum=gum.level,
            mcm=mcm.level,
        )
    delta = numerical_tolerance(gum.u, n_dig)
    d_low = abs(gum.value - gum.U - mcm.low)
    d_high = abs(gum.value + gum.U - mcm.high)
    return Validation(
        d_low=d_low, d_high=d_high, delta=delta, validated=d_low <= delta and d_high <= delta, n_dig=n_dig
    )
