"""Tonnes of coal equivalent (GB/T 2589-2020): the reference coefficients, as data with their confidence, and the
conversion of a quantity of an energy, in any unit pint knows, to tce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from ..shipped import DATA_DIR, shipped
from .tables import _confidence, _number

TCE_FILE = DATA_DIR / "tce_gbt2589_2020.json"


@dataclass(frozen=True)
class TceCoefficient:
    """A conversion coefficient to coal equivalent: ``value`` kgce per ``per`` (a unit pint understands), with the
    standard's range where it gives one, its source and confidence."""

    energy_type: str
    name: str
    value: Decimal
    per: str
    standard: str
    edition: str
    confidence: str
    range: tuple[Decimal, Decimal] | None = None
    calorific_value_kcal: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class TceTable:
    standard: str
    edition: str
    kj_per_kgce: Decimal
    kcal_per_kgce: Decimal
    definition_confidence: str
    coefficients: Mapping[str, TceCoefficient]


def tce_table_from_data(data: Mapping[str, Any]) -> TceTable:
    """Build the coefficient table from data shaped like ``data/tce_gbt2589_2020.json``. The coefficient for heat
    (``heat``, per GJ) is derived from the definition of the kilogram of coal equivalent."""
    standard, edition = data["standard"], data["edition"]
    definition = data["definition"]
    kj_per_kgce = _number(definition["kj_per_kgce"], "kJ per kgce")
    coefficients = {}
    for key, row in data["coefficients"].items():
        coefficients[key] = TceCoefficient(
            energy_type=key,
            name=row["name"],
            value=_number(row["value"], f"tce coefficient {key}"),
            per=row["per"],
            standard=standard,
            edition=edition,
            confidence=_confidence(row["confidence"], f"tce coefficient {key}"),
            range=tuple(_number(v, "range") for v in row["range"]) if "range" in row else None,  # type: ignore[arg-type]
            calorific_value_kcal=_number(row["calorific_value_kcal"], "calorific value")
            if "calorific_value_kcal" in row
            else None,
            note=row.get("note", ""),
        )
    coefficients["heat"] = TceCoefficient(
        energy_type="heat",
        name="热力",
        value=Decimal(1_000_000) / kj_per_kgce,
        per="GJ",
        standard=standard,
        edition=edition,
        confidence=_confidence(definition["confidence"], "tce definition"),
        note="1 GJ ÷ 29 307.6 kJ/kgce, from the definition of the kilogram of coal equivalent.",
    )
    return TceTable(
        standard=standard,
        edition=edition,
        kj_per_kgce=kj_per_kgce,
        kcal_per_kgce=_number(definition["kcal_per_kgce"], "kcal per kgce"),
        definition_confidence=_confidence(definition["confidence"], "tce definition"),
        coefficients=coefficients,
    )


# The coefficients shipped in ``data/tce_gbt2589_2020.json``.
default_tce_table = shipped(TCE_FILE.name, tce_table_from_data)


def tce_coefficient(energy_type: str, *, table: TceTable | None = None) -> TceCoefficient:
    """The reference coefficient of ``energy_type`` (``electricity``, ``raw_coal``, ``natural_gas``, ``diesel``,
    ``gasoline``, ``heat``), to show with its confidence.

    >>> c = tce_coefficient("natural_gas")
    >>> c.value, c.per, c.range, c.confidence
    (Decimal('1.2143'), 'm³', (Decimal('1.1'), Decimal('1.33')), 'unconfirmed')
    """
    coefficients = (table or default_tce_table()).coefficients
    try:
        return coefficients[energy_type]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown energy type {energy_type!r} for conversion to coal equivalent; known: {', '.join(coefficients)}"
        ) from None


@cache
def _units() -> Any:
    # Imported here: pint and its registry take a noticeable time to load, and only unit conversions need them.
    import pint

    return pint.UnitRegistry()


def _factor(unit: str, per: str) -> Decimal:
    """How many ``per`` one ``unit`` is (1 for the same unit), to 15 significant digits, which drops the last-bit
    noise of pint's floating-point conversions (1 kWh is 3.6 MJ, not 3.5999999999999996)."""
    if unit == per:
        return Decimal(1)
    import pint

    try:
        factor = float(_units().Quantity(1, unit).to(per).magnitude)
    except pint.errors.UndefinedUnitError:
        raise ValueError(f"unknown unit {unit!r}") from None
    except pint.errors.DimensionalityError:
        raise ValueError(f"a quantity in {unit!r} cannot be converted to {per!r}") from None
    return Decimal(f"{factor:.15g}")


def to_tce(
    quantity: float | int | Decimal,
    energy_type: str,
    unit: str,
    *,
    coefficient: float | Decimal | None = None,
    table: TceTable | None = None,
) -> float:
    """``quantity`` of ``energy_type``, measured in ``unit``, in tonnes of coal equivalent (GB/T 2589-2020).

    ``unit`` is any unit pint converts to the coefficient's (``kWh``, ``MWh``, ``t``, ``kg``, ``m³``, ``GJ``…).
    ``coefficient`` (kgce per the coefficient's unit) replaces the reference value when the unit has a measured
    calorific value.

    >>> to_tce(29.3076, "heat", "GJ")
    1.0
    >>> round(to_tce(2, "raw_coal", "t"), 4)  # 2 000 kg × 0.7143 kgce/kg
    1.4286
    >>> to_tce(1, "coal", "t")
    Traceback (most recent call last):
    ...
    ValueError: unknown energy type 'coal' for conversion to coal equivalent; known: electricity, raw_coal, natural_gas, diesel, gasoline, heat
    """
    entry = tce_coefficient(energy_type, table=table)
    amount = _number(quantity, "quantity")
    value = entry.value if coefficient is None else _number(coefficient, "coefficient")
    if value <= 0:
        raise ValueError(f"a coefficient must be positive, got {value}")
    return float(amount * value * _factor(unit, entry.per) / 1000)
