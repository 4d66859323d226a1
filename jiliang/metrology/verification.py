"""Pass/fail judgement of a verification from its measured points.

At each point the error of indication is E = indicated − reference (JJF 1001-2011, 示值误差: the indication minus
the reference quantity value). E is rounded to the procedure's rounding interval, then the point passes when
|E| ≤ MPE (最大允许误差) at that point; the instrument passes when every point passes.

Rounding: GB/T 8170-2008 clause 3.3 (进舍规则: round half to even on the exact value; a negative number is rounded
by its absolute value) is the default, ``"half_even"``; ``"half_up"`` (四舍五入) is offered for procedures that
say so. JJF 1027-1991 (测量误差及数据处理) is often cited for the same half-to-even rule in verification work; its
text was not checked here, hence the rule is a parameter. The interval may be any positive number (0.1, 0.5, 0.2,
20 …): the value is divided by the interval, rounded to a whole number by the rule and multiplied back (GB/T 8170
clauses 3.4.1 and 3.4.2 for 0.5 and 0.2 units).
All arithmetic is decimal: a float is taken by its shortest text (0.1 is 0.1), so no binary artefact decides a
borderline point.

Not covered here: the uncertainty of the verification itself (JJF 1094's condition U95 ≤ MPEV/3) is the
caller's to check; the verdict judges the errors as measured.

Worked example (ours): a pressure gauge of accuracy class 1.6 over 0-1.6 MPa, whose MPE is ±1.6 % of the span,
errors rounded to 0.001 MPa:

>>> gauge = Mpe.percent_of_full_scale(1.6, full_scale="1.6")
>>> verdict = judge(
...     [Point(indicated="0.4", reference="0.4168"), Point(indicated="0.8", reference="0.8262")],
...     mpe=gauge,
...     resolution="0.001",
... )
>>> [(str(p.rounded_error), str(p.mpe), p.passed) for p in verdict.points]
[('-0.017', '0.0256', True), ('-0.026', '0.0256', False)]
>>> verdict.passed, verdict.worst.index
(False, 1)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

Number = Decimal | int | float | str

ROUNDING_RULES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


class MpeKind(StrEnum):
    ABSOLUTE = "absolute"  # MPE = a, in the unit of the measurand
    PERCENT_OF_READING = "percent_of_reading"  # MPE = a % × |reading|
    PERCENT_OF_FULL_SCALE = "percent_of_full_scale"  # MPE = a % × full scale (span)
    LINEAR = "linear"  # MPE = a + b × |reading|


class Basis(StrEnum):
    """What "reading" means in a relative MPE. Most instruments state it of their indication; some procedures
    (flow meters, for instance) divide the error by the reference value instead."""

    INDICATED = "indicated"
    REFERENCE = "reference"


def to_decimal(value: Number, name: str = "value") -> Decimal:
    """``value`` as a finite Decimal; a float is taken by its shortest text, so 0.1 stays 0.1.

    >>> to_decimal(0.1), to_decimal("2.50"), to_decimal(3)
    (Decimal('0.1'), Decimal('2.50'), Decimal('3'))
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        elif isinstance(value, str):
            result = Decimal(value.strip())
        else:
            raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def round_to(value: Number, interval: Number, rule: str = "half_even") -> Decimal:
    """``value`` rounded to a multiple of ``interval`` by ``rule`` (``"half_even"``: GB/T 8170-2008 3.3, default;
    ``"half_up"``: 四舍五入). The examples are GB/T 8170's, from memory (unconfirmed):

    >>> round_to("1.050", "0.1"), round_to("0.35", "0.1"), round_to("2500", "1000"), round_to("-0.0365", "0.001")
    (Decimal('1.0'), Decimal('0.4'), Decimal('2000'), Decimal('-0.036'))
    >>> round_to("60.25", "0.5"), round_to("60.38", "0.5"), round_to("830", "20"), round_to("-930", "20")
    (Decimal('60.0'), Decimal('60.5'), Decimal('840'), Decimal('-920'))
    >>> round_to("0.35", "0.1", "half_up"), round_to("-0.25", "0.1", "half_up")
    (Decimal('0.4'), Decimal('-0.3'))
    """
    if rule not in ROUNDING_RULES:
        raise ValueError(f"unknown rounding rule {rule!r}; expected one of {', '.join(ROUNDING_RULES)}")
    step = to_decimal(interval, "rounding interval")
    if step <= 0:
        raise ValueError(f"the rounding interval must be positive, got {interval!r}")
    units = (to_decimal(value) / step).quantize(Decimal(1), rounding=ROUNDING_RULES[rule])
    return units * step


@dataclass(frozen=True)
class Mpe:
    """A maximum permissible error, as the procedure states it. ``a`` is an absolute value for ``absolute`` and
    ``linear``, and a percentage for the two ``percent_*`` kinds; ``b`` is the coefficient of the reading in
    ``linear`` (MPE = a + b·|reading|); ``full_scale`` is the span for ``percent_of_full_scale``. Use the
    constructors below rather than the fields.

    >>> Mpe.linear("0.02", "0.005").at(indicated=Decimal("10"), reference=Decimal("10.1"))
    Decimal('0.070')
    >>> Mpe(kind="fraction_of_moon", a=1)
    Traceback (most recent call last):
    ...
    ValueError: unknown MPE kind 'fraction_of_moon'; expected one of absolute, percent_of_reading, percent_of_full_scale, linear
    """

    kind: str
    a: Decimal
    b: Decimal = Decimal(0)
    full_scale: Decimal | None = None
    basis: str = Basis.INDICATED

    def __post_init__(self) -> None:
        if self.kind not in set(MpeKind):
            known = ", ".join(kind.value for kind in MpeKind)
            raise ValueError(f"unknown MPE kind {self.kind!r}; expected one of {known}")
        if self.basis not in set(Basis):
            raise ValueError(f"unknown MPE basis {self.basis!r}; expected indicated or reference")
        object.__setattr__(self, "a", to_decimal(self.a, "MPE"))
        object.__setattr__(self, "b", to_decimal(self.b, "MPE coefficient b"))
        if self.a < 0 or self.b < 0:
            raise ValueError("an MPE is a magnitude: give it without a sign (±0.5 is 0.5)")
        if self.kind == MpeKind.LINEAR:
            if self.a == 0 and self.b == 0:
                raise ValueError("an MPE of a + b·reading needs a or b above zero")
        elif self.a == 0:
            raise ValueError("an MPE of zero cannot be met by any measured error")
        if self.kind == MpeKind.PERCENT_OF_FULL_SCALE:
            if self.full_scale is None:
                raise ValueError("an MPE in percent of full scale needs the full scale (span)")
            object.__setattr__(self, "full_scale", to_decimal(self.full_scale, "full scale"))
            if self.full_scale <= 0:
                raise ValueError(f"the full scale must be positive, got {self.full_scale}")

    @classmethod
    def absolute(cls, a: Number) -> Mpe:
        """±a in the unit of the measurand."""
        return cls(kind=MpeKind.ABSOLUTE, a=to_decimal(a, "MPE"))

    @classmethod
    def percent_of_reading(cls, percent: Number, *, basis: str = Basis.INDICATED) -> Mpe:
        """±percent % of the reading (the indication, or the reference value with ``basis="reference"``)."""
        return cls(kind=MpeKind.PERCENT_OF_READING, a=to_decimal(percent, "MPE"), basis=basis)

    @classmethod
    def percent_of_full_scale(cls, percent: Number, *, full_scale: Number) -> Mpe:
        """±percent % of the full scale (span), the same at every point (an accuracy class such as 1.6)."""
        return cls(
            kind=MpeKind.PERCENT_OF_FULL_SCALE,
            a=to_decimal(percent, "MPE"),
            full_scale=to_decimal(full_scale, "full scale"),
        )

    @classmethod
    def linear(cls, a: Number, b: Number, *, basis: str = Basis.INDICATED) -> Mpe:
        """±(a + b·|reading|), b a plain coefficient (0.5 % of reading is b = 0.005)."""
        return cls(kind=MpeKind.LINEAR, a=to_decimal(a, "MPE"), b=to_decimal(b, "MPE coefficient b"), basis=basis)

    def at(self, *, indicated: Decimal, reference: Decimal) -> Decimal:
        """The MPE, as a positive absolute value, at a point."""
        reading = abs(indicated if self.basis == Basis.INDICATED else reference)
        if self.kind == MpeKind.ABSOLUTE:
            return self.a
        if self.kind == MpeKind.PERCENT_OF_READING:
            return self.a * reading / 100
        if self.kind == MpeKind.PERCENT_OF_FULL_SCALE:
            assert self.full_scale is not None  # checked in __post_init__
            return self.a * self.full_scale / 100
        return self.a + self.b * reading


@dataclass(frozen=True)
class Point:
    """One measured point: the instrument's indication and the reference (standard's) value, in the same unit.
    ``mpe`` overrides the MPE given to ``judge`` for this point (MPEs that change along the range)."""

    indicated: Decimal
    reference: Decimal
    mpe: Mpe | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicated", to_decimal(self.indicated, "indicated value"))
        object.__setattr__(self, "reference", to_decimal(self.reference, "reference value"))


@dataclass(frozen=True)
class PointResult:
    """The judgement of one point. ``error`` is exact; ``rounded_error`` is what is judged; ``usage`` is
    |rounded error| / MPE (1 means the error uses the whole MPE)."""

    index: int
    label: str
    indicated: Decimal
    reference: Decimal
    error: Decimal
    rounded_error: Decimal
    mpe: Decimal
    usage: Decimal
    passed: bool


@dataclass(frozen=True)
class Verdict:
    """The verdict of a verification: every point, the worst one (largest share of its MPE; the first on a tie)
    and whether all points pass. ``rounding`` and ``resolution`` say how the errors were rounded."""

    points: tuple[PointResult, ...]
    worst: PointResult
    passed: bool
    rounding: str
    resolution: Decimal | None = None
    failed: tuple[int, ...] = field(default=())


def judge(
    points: Iterable[Point],
    *,
    mpe: Mpe | None = None,
    resolution: Number | None = None,
    rounding: str = "half_even",
) -> Verdict:
    """Judge a verification: round each point's error to ``resolution`` by ``rounding``, compare it with the MPE.

    ``mpe`` applies to every point without its own; ``resolution`` ``None`` judges the exact error.
    Raises ``ValueError`` when there is no point, a point has no MPE, or the rounding rule is unknown.

    >>> judge([Point(indicated="10.05", reference="10")], mpe=Mpe.absolute("0.04"), resolution="0.1").passed
    True
    >>> judge([], mpe=Mpe.absolute(1))
    Traceback (most recent call last):
    ...
    ValueError: a verification needs at least one measured point
    """
    if rounding not in ROUNDING_RULES:
        raise ValueError(f"unknown rounding rule {rounding!r}; expected one of {', '.join(ROUNDING_RULES)}")
    step = None if resolution is None else to_decimal(resolution, "resolution")
    if step is not None and step <= 0:
        raise ValueError(f"the resolution (rounding interval) must be positive, got {resolution!r}")
    results: list[PointResult] = []
    for index, point in enumerate(points):
        if not isinstance(point, Point):
            raise ValueError(f"point {index} must be a Point, got {type(point).__name__}")
        rule = point.mpe or mpe
        if rule is None:
            raise ValueError(f"point {index} {point.label!r} has no MPE, and no default MPE was given")
        error = point.indicated - point.reference
        rounded = error if step is None else round_to(error, step, rounding)
        limit = rule.at(indicated=point.indicated, reference=point.reference)
        if limit <= 0:
            raise ValueError(f"point {index} {point.label!r}: the MPE at this point is zero (a relative MPE at zero)")
        results.append(
            PointResult(
                index=index,
                label=point.label,
                indicated=point.indicated,
                reference=point.reference,
                error=error,
                rounded_error=rounded,
                mpe=limit,
                usage=abs(rounded) / limit,
                passed=abs(rounded) <= limit,
            )
        )
    if not results:
        raise ValueError("a verification needs at least one measured point")
    worst = max(results, key=lambda r: (r.usage, -r.index))
    failed = tuple(r.index for r in results if not r.passed)
    return Verdict(
        points=tuple(results),
        worst=worst,
        passed=not failed,
        rounding=rounding,
        resolution=step,
        failed=failed,
    )


# ---- a record's MPE rule, as the record form states it and the certificate keeps it ---------------------------

# The kinds of rule a record states, and their Mpe kinds: ``percent`` is of the reading (the reference value by
# default), ``percent_fs`` of the full scale, ``linear`` a + b·reading.
RULE_KINDS = {
    "absolute": MpeKind.ABSOLUTE,
    "percent": MpeKind.PERCENT_OF_READING,
    "percent_fs": MpeKind.PERCENT_OF_FULL_SCALE,
    "linear": MpeKind.LINEAR,
}


def rule_normalized(rule: Mapping[str, Any]) -> dict[str, str]:
    """A record's MPE rule in its stored shape, every number a decimal string (a signed document holds no float):
    ``{"kind": "absolute", "a"}``, ``{"kind": "percent", "a", "basis"}``, ``{"kind": "percent_fs", "a",
    "full_scale"}`` or ``{"kind": "linear", "a", "b", "basis"}``. A relative rule is taken against the reference
    value unless it says ``"basis": "indicated"``: verification procedures mostly divide the error by the
    conventional true value (the standard's). Raises ``ValueError`` for a rule :class:`Mpe` refuses.

    >>> rule_normalized({"kind": "percent", "a": " 2 "})
    {'kind': 'percent', 'a': '2', 'basis': 'reference'}
    >>> rule_normalized({"kind": "percent_fs", "a": "1.6", "full_scale": "1.6", "basis": "indicated"})
    {'kind': 'percent_fs', 'a': '1.6', 'full_scale': '1.6'}
    >>> rule_normalized({"kind": "linear", "a": "0.02"})
    {'kind': 'linear', 'a': '0.02', 'b': '0', 'basis': 'reference'}
    >>> rule_normalized({"kind": "percent", "a": "0"})
    Traceback (most recent call last):
    ...
    ValueError: an MPE of zero cannot be met by any measured error
    """
    kind = str(rule.get("kind") or "")
    if kind not in RULE_KINDS:
        raise ValueError(f"unknown MPE rule kind {kind!r}; expected one of {', '.join(RULE_KINDS)}")
    out = {"kind": kind, "a": str(to_decimal(rule.get("a") or "", "MPE"))}
    if kind == "linear":
        out["b"] = str(to_decimal(rule.get("b") or "0", "MPE coefficient b"))
    if kind == "percent_fs":
        out["full_scale"] = str(to_decimal(rule.get("full_scale") or "", "full scale"))
    if kind in ("percent", "linear"):
        out["basis"] = str(rule.get("basis") or Basis.REFERENCE)
    rule_mpe(out)  # refuses what Mpe refuses
    return out


def rule_mpe(rule: Mapping[str, Any]) -> Mpe:
    """The :class:`Mpe` of a rule in the shape :func:`rule_normalized` gives.

    A gas meter's ±1.5 % of the reference volume, at a point of 100 L whose meter showed 101 L:

    >>> rule_mpe({"kind": "percent", "a": "1.5", "basis": "reference"}).at(
    ...     indicated=Decimal("101"), reference=Decimal("100"))
    Decimal('1.5')
    >>> rule_mpe({"kind": "linear", "a": "0.02", "b": "0.005", "basis": "indicated"}).at(
    ...     indicated=Decimal("10"), reference=Decimal("10.1"))
    Decimal('0.070')
    """
    kind = RULE_KINDS.get(str(rule.get("kind") or ""))
    if kind is None:
        raise ValueError(f"unknown MPE rule kind {rule.get('kind')!r}; expected one of {', '.join(RULE_KINDS)}")
    return Mpe(
        kind=kind,
        a=to_decimal(rule.get("a") or "", "MPE"),
        b=to_decimal(rule.get("b") or "0", "MPE coefficient b"),
        full_scale=to_decimal(rule.get("full_scale") or "", "full scale")
        if kind == MpeKind.PERCENT_OF_FULL_SCALE
        else None,
        basis=str(rule.get("basis") or Basis.REFERENCE),
    )


# A measuring range as a register states it: "(0.1～30) kg", "0~30 kg", "(-20～+20) m⁻¹", "3 kg ~ 30 kg".
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_RANGE = re.compile(
    rf"^\s*\(?\s*(?P<low>{_NUMBER})\s*(?P<unit1>[^\d\s～~至–—()+-][^\d～~至–—()]*?)?\s*(?:～|~|至|–|—|-)\s*"
    rf"(?P<high>{_NUMBER})\s*\)?\s*(?P<unit>[^\d\s()][^\d()]*?)?\s*$"
)


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal
    unit: str = ""

    def contains(self, value: Decimal) -> bool:
        return self.low <= value <= self.high


def parse_range(text: str) -> Range | None:
    """The range of a measuring range written as free text, or ``None`` when the text is not one plain range
    (several quantities, a single value, powers): a caller then says nothing rather than guess.

    >>> parse_range("(0.1～30) kg")
    Range(low=Decimal('0.1'), high=Decimal('30'), unit='kg')
    >>> parse_range("0~30 kg"), parse_range("(-20～+20) m⁻¹").low, parse_range("3 kg ~ 30 kg").high
    (Range(low=Decimal('0'), high=Decimal('30'), unit='kg'), Decimal('-20'), Decimal('30'))
    >>> parse_range("220 V，(0.01～100) A"), parse_range("20 kg"), parse_range("(0.1～10⁶) μSv/h"), parse_range("")
    (None, None, None, None)
    """
    found = _RANGE.match(text or "")
    if found is None:
        return None
    unit, unit1 = (found.group("unit") or "").strip(), (found.group("unit1") or "").strip()
    if unit1 and unit and unit1 != unit:
        return None
    low, high = Decimal(found.group("low")), Decimal(found.group("high"))
    if low > high:
        return None
    return Range(low, high, unit or unit1)
