"""Net content of prepackaged goods (定量包装商品净含量), JJF 1070.

Governing texts: 《定量包装商品计量监督管理办法》 (总局令第 70 号, which keeps the tolerable deficiency tables of the
2005 办法, 附表3; identical to OIML R 87) and JJF 1070 《定量包装商品净含量计量检验规则》 (2005, replaced by 2023
with Amendment No. 1). Every number below comes from ``data/netcontent_jjf1070.json``, which carries the edition,
source and confidence of each table; nothing regulatory is a literal in this file.

Units: mass in g, volume in mL, length in m, area in m², count in units; the contents of a sample are in the
unit of the nominal quantity.

Worked example (docs/reference/netcontent.md, example B): Qn = 200 g, a batch of 30, so 10 units are weighed.

>>> verdict = evaluate(
...     nominal=200, quantity="mass", batch_size=30,
...     contents=[201.2, 199.5, 190.5, 200.8, 202.1, 198.7, 200.3, 199.9, 201.0, 200.6],
... )
>>> verdict.tolerance, verdict.t1_limit, verdict.t1_count, round(verdict.mean_limit, 4)
(9.0, 191.0, 1, 196.6212)
>>> verdict.mean_ok, verdict.units_ok, verdict.passed
(True, False, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from typing import Any

from .shipped import shipped

DATA_FILE = "netcontent_jjf1070.json"
DEFAULT_EDITION = "2005"

# Enough digits that the mean, the standard deviation and Qn − λ·s of 125 units are exact to far below any
# balance's resolution, so a verdict at the edge does not depend on binary floating point.
_PRECISION = 34


class Quantity(StrEnum):
    MASS = "mass"
    VOLUME = "volume"
    LENGTH = "length"
    AREA = "area"
    COUNT = "count"


class Rounding(StrEnum):
    HALF_EVEN = "half_even"  # GB/T 8170
    HALF_UP = "half_up"


_DECIMAL_ROUNDING = {Rounding.HALF_EVEN: ROUND_HALF_EVEN, Rounding.HALF_UP: ROUND_HALF_UP}


# --- the tables, as loaded from data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeficiencyBand:
    """One row of the mass/volume table: ``lower < Qn <= upper`` gives T as a percentage of Qn or in g (mL)."""

    lower: Decimal
    upper: Decimal
    percent: Decimal | None
    absolute: Decimal | None

    def deficiency(self, nominal: Decimal) -> Decimal:
        if self.percent is not None:
            return nominal * self.percent / 100
        assert self.absolute is not None
        return self.absolute


@dataclass(frozen=True)
class PlanRow:
    batch_min: int
    batch_max: int | None  # None: no upper bound
    sample_size: int | None  # None: every unit of the batch
    lambda_: Decimal | None  # None: no mean check
    allowed_t1: int
    allowed_t2: int


@dataclass(frozen=True)
class PlanTable:
    edition: str
    label: str
    source: str
    confidence: str
    rows: tuple[PlanRow, ...]


@dataclass(frozen=True)
class NetContentTables:
    """The JJF 1070 tables in force. Build one with :func:`default_tables` (the shipped data file) or
    :meth:`from_dict` (the same schema, e.g. a table an administrator corrected), and pass it as ``tables=``."""

    mass_volume: tuple[DeficiencyBand, ...]
    rounding_steps: tuple[tuple[Decimal | None, Decimal], ...]  # (upper bound of Qn or None, step)
    length_threshold: Decimal
    length_percent: Decimal
    area_percent: Decimal
    count_threshold: Decimal
    count_percent: Decimal
    deficiency_confidence: str
    rounding_step_confidence: str
    rounding_method_confidence: str
    plans: Mapping[str, PlanTable] = field(default_factory=dict)

    @property
    def max_mass_volume(self) -> Decimal:
        return self.mass_volume[-1].upper

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NetContentTables:
        """Parse the schema of ``data/netcontent_jjf1070.json``; a malformed table raises ``ValueError``."""
        try:
            td = data["tolerable_deficiency"]
            bands: list[DeficiencyBand] = []
            lower = Decimal(0)
            for row in td["mass_volume"]:
                upper = Decimal(row["upper"])
                percent = Decimal(row["percent"]) if "percent" in row else None
                absolute = Decimal(row["absolute"]) if "absolute" in row else None
                if (percent is None) == (absolute is None):
                    raise ValueError(f"band up to {upper} needs exactly one of percent and absolute")
                if upper <= lower:
                    raise ValueError(f"bands must ascend: {upper} follows {lower}")
                bands.append(DeficiencyBand(lower, upper, percent, absolute))
                lower = upper
            steps = tuple(
                (None if row["upper"] is None else Decimal(row["upper"]), Decimal(row["step"]))
                for row in td["rounding_steps"]["bands"]
            )
            plans = {}
            for edition, plan in data["sampling_plans"].items():
                rows = tuple(
                    PlanRow(
                        batch_min=int(row["batch_min"]),
                        batch_max=None if row["batch_max"] is None else int(row["batch_max"]),
                        sample_size=None if row["sample_size"] == "all" else int(row["sample_size"]),
                        lambda_=None if row["lambda"] is None else Decimal(row["lambda"]),
                        allowed_t1=int(row["allowed_t1"]),
                        allowed_t2=int(row["allowed_t2"]),
                    )
                    for row in plan["rows"]
                )
                plans[edition] = PlanTable(edition, plan["edition"], plan["source"], plan["confidence"], rows)
            return cls(
                mass_volume=tuple(bands),
                rounding_steps=steps,
                length_threshold=Decimal(td["length"]["threshold"]),
                length_percent=Decimal(td["length"]["above_percent"]),
                area_percent=Decimal(td["area"]["percent"]),
                count_threshold=Decimal(td["count"]["threshold"]),
                count_percent=Decimal(td["count"]["above_percent"]),
                deficiency_confidence=td["confidence"],
                rounding_step_confidence=td["rounding_steps"]["confidence"],
                rounding_method_confidence=td["rounding_method"]["confidence"],
                plans=plans,
            )
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"malformed net content tables: {exc!r}") from exc


# The tables shipped in ``jiliang/metrology/data/netcontent_jjf1070.json``.
default_tables = shipped(DATA_FILE, NetContentTables.from_dict)


# --- tolerable deficiency ----------------------------------------------------------------------------------------


def _decimal(value: object, name: str) -> Decimal:
    """An exact decimal for a number given as int, float or Decimal (a float by its shortest repr: 0.1 → 0.1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def _quantity(quantity: str) -> Quantity:
    try:
        return Quantity(quantity)
    except ValueError:
        choices = ", ".join(q.value for q in Quantity)
        raise ValueError(f"unknown quantity {quantity!r}: expected one of {choices}") from None


def _rounding(rounding: str) -> Rounding:
    try:
        return Rounding(rounding)
    except ValueError:
        raise ValueError(f"unknown rounding {rounding!r}: expected half_even or half_up") from None


def tolerable_deficiency_exact(
    nominal: int | float | Decimal,
    quantity: str = "mass",
    *,
    rounding: str | None = "half_even",
    tables: NetContentTables | None = None,
) -> Decimal:
    """T as an exact decimal; ``rounding=None`` gives the table value before rounding (used to check continuity).

    Rules (办法 附表3, docs/reference/netcontent.md):

    - mass and volume, 0 < Qn ≤ 50 000 g (mL): the band table; T rounded to 0.1 g (mL) for Qn ≤ 1 kg (L) and to
      1 g (mL) above, half-to-even (GB/T 8170) or half-up;
    - length: T = 0 for Qn ≤ 5 m, else 2 % of Qn (no rounding rule is given, so none is applied);
    - area: 3 % of Qn (likewise unrounded);
    - count: T = 0 for Qn ≤ 50, else 1 % of Qn rounded **up** to a whole number.

    >>> tolerable_deficiency_exact(150, rounding=None), tolerable_deficiency_exact(150)
    (Decimal('6.75'), Decimal('6.8'))
    """
    t = tables or default_tables()
    kind = _quantity(quantity)
    method = None if rounding is None else _rounding(rounding)
    qn = _decimal(nominal, "nominal quantity")
    if qn <= 0:
        raise ValueError(f"nominal quantity must be positive, got {nominal!r}")

    if kind is Quantity.LENGTH:
        return Decimal(0) if qn <= t.length_threshold else qn * t.length_percent / 100
    if kind is Quantity.AREA:
        return qn * t.area_percent / 100
    if kind is Quantity.COUNT:
        if qn != qn.to_integral_value():
            raise ValueError(f"a nominal count must be a whole number, got {nominal!r}")
        if qn <= t.count_threshold:
            return Decimal(0)
        raw = qn * t.count_percent / 100
        return raw if method is None else raw.to_integral_value(rounding=ROUND_CEILING)

    if qn > t.max_mass_volume:
        raise ValueError(
            f"nominal quantity {nominal!r} g (mL) is above {t.max_mass_volume} g (mL), the end of the tolerable "
            "deficiency table: JJF 1070 gives no T there"
        )
    band = next(b for b in t.mass_volume if qn <= b.upper)
    raw = band.deficiency(qn)
    if method is None:
        return raw
    step = next(s for upper, s in t.rounding_steps if upper is None or qn <= upper)
    return raw.quantize(step, rounding=_DECIMAL_ROUNDING[method])


def tolerable_deficiency(
    nominal: int | float | Decimal,
    quantity: str = "mass",
    *,
    rounding: str = "half_even",
    tables: NetContentTables | None = None,
) -> float:
    """Tolerable deficiency T (允许短缺量) for nominal quantity Qn (办法 附表3; JJF 1070), rounded as the note to
    the table requires. See :func:`tolerable_deficiency_exact` for the rules.

    Worked examples (docs/reference/netcontent.md, "T vectors"): Qn = 150 g gives 4.5 % × 150 = 6.75 → 6.8 g;
    the rounding method only matters at Qn = 5 g and 3.5 kg.

    >>> tolerable_deficiency(150), tolerable_deficiency(4500), tolerable_deficiency(120, "count")
    (6.8, 68.0, 2.0)
    >>> tolerable_deficiency(5), tolerable_deficiency(5, rounding="half_up")
    (0.4, 0.5)
    >>> tolerable_deficiency(3500), tolerable_deficiency(3500, rounding="half_up")
    (52.0, 53.0)
    """
    return float(tolerable_deficiency_exact(nominal, quantity, rounding=rounding, tables=tables))


# --- sampling plan -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplingPlan:
    """The row of the JJF 1070 sampling plan (计量检验抽样方案) for one batch."""

    edition: str
    batch_size: int
    sample_size: int
    lambda_: float | None  # None: no mean check (N ≤ 10)
    allowed_t1: int
    allowed_t2: int
    confidence: str
    source: str

    @property
    def has_mean_check(self) -> bool:
        return self.lambda_ is not None


def _plan_row(batch_size: int, edition: str, tables: NetContentTables) -> tuple[PlanTable, PlanRow]:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise ValueError(f"batch size must be a whole number of units, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    plan = tables.plans.get(edition)
    if plan is None:
        raise ValueError(f"unknown sampling plan edition {edition!r}: expected one of {', '.join(tables.plans)}")
    for row in plan.rows:
        if row.batch_min <= batch_size and (row.batch_max is None or batch_size <= row.batch_max):
            return plan, row
    raise ValueError(f"the {edition} sampling plan has no row for a batch of {batch_size}")


def sampling_plan(
    batch_size: int, *, edition: str = DEFAULT_EDITION, tables: NetContentTables | None = None
) -> SamplingPlan:
    """Sample size n, λ and the allowed T1/T2 errors for a batch of N units (JJF 1070, 计量检验抽样方案).

    λ is the published constant (never recomputed: the 2005 table says 0.848 for n = 13 where
    t₀.₉₉₅(12)/√13 gives 0.847). Batches of 1 to 10 are checked unit by unit, with no mean check.

    >>> plan = sampling_plan(200)
    >>> plan.sample_size, plan.lambda_, plan.allowed_t1, plan.allowed_t2
    (50, 0.379, 3, 0)
    >>> sampling_plan(7).sample_size, sampling_plan(7).lambda_
    (7, None)
    """
    t = tables or default_tables()
    plan, row = _plan_row(batch_size, edition, t)
    return SamplingPlan(
        edition=plan.edition,
        batch_size=batch_size,
        sample_size=batch_size if row.sample_size is None else row.sample_size,
        lambda_=None if row.lambda_ is None else float(row.lambda_),
        allowed_t1=row.allowed_t1,
        allowed_t2=row.allowed_t2,
        confidence=plan.confidence,
        source=plan.source,
    )


# --- verdict -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetContentVerdict:
    """Everything a JJF 1070 report shows for one batch, with the confidence of each table used."""

    passed: bool
    units_ok: bool
    mean_ok: bool | None  # None: no mean check (N ≤ 10)
    t1_count: int
    t2_count: int
    t1_units: tuple[int, ...]  # 0-based positions in ``contents``
    t2_units: tuple[int, ...]
    mean: float
    std: float | None  # None for a single unit
    mean_limit: float | None  # Qn − λ·s; None when there is no mean check
    tolerance: float  # T
    t1_limit: float  # Qn − T
    t2_limit: float  # Qn − 2T
    nominal: float
    quantity: str
    batch_size: int
    sample_size: int
    lambda_: float | None
    allowed_t1: int
    allowed_t2: int
    edition: str
    edition_label: str
    rounding: str
    confidence: Mapping[str, str]


def evaluate(
    *,
    nominal: int | float | Decimal,
    quantity: str,
    batch_size: int,
    contents: Sequence[int | float | Decimal],
    edition: str = DEFAULT_EDITION,
    rounding: str = "half_even",
    tables: NetContentTables | None = None,
) -> NetContentVerdict:
    """The JJF 1070 verdict on a batch from the actual contents of its sample.

    - A unit below Qn − T is a T1 error and one below Qn − 2T a T2 error; a shortfall of exactly T (or 2T) is
      not (strict inequalities). The counts are exclusive: a T2 unit is not counted again as T1.
    - Unit criterion: T1 errors ≤ the plan's allowance and no T2 error.
    - Mean criterion (not for N ≤ 10): q̄ ≥ Qn − λ·s, with s the sample standard deviation (n − 1).
    - The batch passes only if both hold.

    Comparisons are exact (decimal arithmetic on the figures as written), so a unit sitting on a limit is
    judged the way a person with a calculator would judge it.

    Worked example (docs/reference/netcontent.md, example B) in the module docstring; example A is in the tests.
    """
    t = tables or default_tables()
    method = _rounding(rounding)
    plan, row = _plan_row(batch_size, edition, t)
    tolerance = tolerable_deficiency_exact(nominal, quantity, rounding=method.value, tables=t)
    qn = _decimal(nominal, "nominal quantity")

    if len(contents) == 0:
        raise ValueError("the sample is empty: give the actual content of every unit sampled")
    n = batch_size if row.sample_size is None else row.sample_size
    if len(contents) != n:
        raise ValueError(
            f"the sample has {len(contents)} units but the {edition} plan for a batch of {batch_size} needs {n}"
        )
    values = [_decimal(q, f"content of unit {i + 1}") for i, q in enumerate(contents)]
    for i, q in enumerate(values):
        if q < 0:
            raise ValueError(f"content of unit {i + 1} must not be negative, got {contents[i]!r}")

    t1_limit = qn - tolerance
    t2_limit = qn - 2 * tolerance
    t2_units = tuple(i for i, q in enumerate(values) if q < t2_limit)
    t1_units = tuple(i for i, q in enumerate(values) if t2_limit <= q < t1_limit)
    units_ok = len(t1_units) <= row.allowed_t1 and len(t2_units) <= row.allowed_t2

    with localcontext() as ctx:
        ctx.prec = _PRECISION
        mean = sum(values, Decimal(0)) / n
        std = (sum(((q - mean) ** 2 for q in values), Decimal(0)) / (n - 1)).sqrt() if n > 1 else None
        if row.lambda_ is None:
            mean_limit = None
            mean_ok = None
        else:
            assert std is not None  # a plan with a mean check samples at least 10 units
            mean_limit = qn - row.lambda_ * std
            mean_ok = mean >= mean_limit

    return NetContentVerdict(
        passed=units_ok and mean_ok is not False,
        units_ok=units_ok,
        mean_ok=mean_ok,
        t1_count=len(t1_units),
        t2_count=len(t2_units),
        t1_units=t1_units,
        t2_units=t2_units,
        mean=float(mean),
        std=None if std is None else float(std),
        mean_limit=None if mean_limit is None else float(mean_limit),
        tolerance=float(tolerance),
        t1_limit=float(t1_limit),
        t2_limit=float(t2_limit),
        nominal=float(qn),
        quantity=_quantity(quantity).value,
        batch_size=batch_size,
        sample_size=n,
        lambda_=None if row.lambda_ is None else float(row.lambda_),
        allowed_t1=row.allowed_t1,
        allowed_t2=row.allowed_t2,
        edition=plan.edition,
        edition_label=plan.label,
        rounding=method.value,
        confidence={
            "tolerable_deficiency": t.deficiency_confidence,
            "rounding_step": t.rounding_step_confidence,
            "rounding_method": t.rounding_method_confidence,
            "sampling_plan": plan.confidence,
        },
    )


def band_edges(tables: NetContentTables | None = None) -> tuple[float, ...]:
    """The inner edges of the mass/volume table (50, 100, 200, … 15 000 g), for checks and displays.

    >>> band_edges()[:3]
    (50.0, 100.0, 200.0)
    """
    t = tables or default_tables()
    return tuple(float(b.upper) for b in t.mass_volume[:-1])


__all__ = [
    "NetContentTables",
    "NetContentVerdict",
    "Quantity",
    "Rounding",
    "SamplingPlan",
    "band_edges",
    "default_tables",
    "evaluate",
    "sampling_plan",
    "tolerable_deficiency",
    "tolerable_deficiency_exact",
]
