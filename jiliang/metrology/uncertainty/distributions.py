"""The input quantities of an uncertainty budget and what each contributes (JJF 1059.1-2012 §4.2-4.3 = GUM 4.2,
4.3; JCGM 101 §6.4): a standard uncertainty and degrees of freedom for the GUM, a way to draw it for Monte Carlo.
Also the checks every part of the package shares, its error, and the coverage factor k = t_p(ν).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import GTC
import numpy as np

inf = math.inf


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
        _check_interval(self)
        object.__setattr__(self, "dof", _dof(self.dof))

    @property
    def u(self) -> float:
        return self.half_width / math.sqrt(3)

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.value - self.half_width, self.value + self.half_width, size)


def _check_interval(quantity: Rectangular | _Interval) -> None:
    object.__setattr__(quantity, "value", _finite(quantity.value, gettext_noop("估计值")))
    object.__setattr__(quantity, "half_width", _non_negative(quantity.half_width, gettext_noop("区间半宽度")))


@dataclass(frozen=True, slots=True)
class _Interval:
    """What the distributions on ``value ± half_width`` with an exactly known half-width share: the checks of the
    two, u = a/k with the distribution's divisor k (JJF 1059.1-2012 §4.3.3), and infinite degrees of freedom (GUM
    G.4.2). Rectangular, whose ``dof`` may be finite, shares the checks."""

    value: float
    half_width: float

    divisor: ClassVar[float]

    def __post_init__(self) -> None:
        _check_interval(self)

    @property
    def u(self) -> float:
        return self.half_width / self.divisor

    @property
    def dof(self) -> float:
        return inf


@dataclass(frozen=True, slots=True)
class Triangular(_Interval):
    """Symmetric triangular distribution on ``value ± half_width``: u = a/√6 (JJF 1059.1-2012 §4.3.3, GUM 4.3.9;
    JCGM 101 §6.4.5).

    >>> round(Triangular(0.0, math.sqrt(6)).u, 12)
    1.0
    """

    divisor = math.sqrt(6)

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.half_width == 0:
            return _constant(self.value, size)
        return rng.triangular(self.value - self.half_width, self.value, self.value + self.half_width, size)


@dataclass(frozen=True, slots=True)
class Arcsine(_Interval):
    """U-shaped (arcsine) distribution on ``value ± half_width``, e.g. a temperature cycling sinusoidally:
    u = a/√2 (JJF 1059.1-2012 §4.3.3; JCGM 101 §6.4.6, drawn as value + a·sin 2πΦ, Φ ~ R(0, 1)).

    >>> round(Arcsine(0.0, math.sqrt(2)).u, 12)
    1.0
    """

    divisor = math.sqrt(2)

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.value + self.half_width * np.sin(2 * math.pi * rng.random(size))


@dataclass(frozen=True, slots=True)
class Trapezoidal(_Interval):
    """Symmetric trapezoidal distribution on ``value ± half_width`` whose flat top spans ``±beta·half_width``:
    u = a·√((1 + β²)/6), i.e. the divisor √6/√(1 + β²) (JJF 1059.1-2012 §4.3.3, GUM 4.3.9; JCGM 101 §6.4.4, drawn as
    the sum of two rectangular variables). β = 0 is triangular, β = 1 rectangular.

    >>> round(Trapezoidal(0.0, 1.0, 0.5).u, 4)
    0.4564
    """

    beta: float

    def __post_init__(self) -> None:
        _Interval.__post_init__(self)
        beta = _finite(self.beta, gettext_noop("梯形顶宽比 β"))
        if not 0 <= beta <= 1:
            raise UncertaintyError(gettext_noop("梯形顶宽比 β 必须在 0 与 1 之间，实为 %(beta)s"), beta=beta)
        object.__setattr__(self, "beta", beta)

    @property
    def u(self) -> float:
        return self.half_width * math.sqrt((1 + self.beta**2) / 6)

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


def coverage_factor(level: float = 0.95, dof: float = inf) -> float:
    """The two-sided coverage factor k = t_p(ν) of Student's t distribution (GUM G.3.4, Table G.2;
    JJF 1059.1-2012 §4.5.3); for ν = ∞ the normal quantile z_p (GUM G.2.3). ``dof`` may be non-integer.

    >>> round(coverage_factor(0.99, 16), 3), round(coverage_factor(0.95), 3)
    (2.921, 1.96)
    """
    level = _level(level)
    dof = _dof(dof)
    return float(GTC.reporting.k_factor(dof, 100 * level))
