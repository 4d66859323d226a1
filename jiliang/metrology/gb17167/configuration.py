"""The check of one energy-using unit's meters against GB 17167-2006 clause 4.3: what the caller describes (the
unit, its secondary units and equipment, their metering points and meters) and what the check finds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from .tables import ClassRequirement, Gb17167Tables, Level, TableInfo, _number, default_tables


class Reason(StrEnum):
    """Why a row or a meter was not judged, or not judged as pass/fail (codes, translated by the caller)."""

    NOTHING_REQUIRED = "nothing_required"  # no point at this level reaches the thresholds
    NO_REQUIRED_RATE = "no_required_rate"  # Table 3 sets no rate for this energy at this level
    NOT_IN_TABLE4 = "not_in_table4"  # Table 4 has no row for this instrument
    NOT_AT_LEVEL = "not_at_level"  # Table 4 sets no class for this instrument at this level
    NO_ROW_FOR_ENERGY = "no_row_for_energy"  # Table 4 has no row of this instrument for this energy
    USER_CLASS_MISSING = "user_class_missing"  # the unit's electricity user class is needed and not given
    USE_AMBIGUOUS = "use_ambiguous"  # several Table 4 rows fit: the meter must name its use
    VALIDITY_UNKNOWN = "validity_unknown"  # whether the verification/calibration is valid is not known
    NOT_VALID = "not_valid"  # the verification/calibration is not valid


# Reasons that leave the verdict open (the others mean "no requirement applies").
UNDETERMINED = frozenset({Reason.USER_CLASS_MISSING, Reason.USE_AMBIGUOUS, Reason.VALIDITY_UNKNOWN})


# --------------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Meter:
    """An installed energy meter.

    ``instrument`` is a Table 4 instrument key (``ac_energy_meter``, ``dc_energy_meter``, ``weighing_instrument``,
    ``oil_flow_meter``, ``gas_flow_meter``, ``water_flow_meter``, ``temperature_instrument``,
    ``pressure_instrument``; another key, such as ``heat_meter``, is reported as not covered by Table 4).
    ``accuracy_class`` as marked on the meter: ``"0.5"``, ``"0.5S"``, ``"1级"`` or a number. ``use`` names the
    Table 4 row when the energy and the user class do not decide it (``fuel_static`` / ``fuel_dynamic`` for scales,
    ``pipe_le_250mm`` / ``pipe_gt_250mm`` for water, ``energy`` / ``mass_computation`` for temperature and pressure).
    ``valid``: whether its verification or calibration is valid today (``None``: not known).
    """

    id: str
    instrument: str
    accuracy_class: str | float
    use: str | None = None
    valid: bool | None = None


@dataclass(frozen=True)
class MeteringPoint:
    """A place where an energy crosses a boundary (of the unit, a secondary unit or a device), with the meters on
    it. ``energy`` is a key of the energy types (``electricity``, ``coal``, ``natural_gas``, ``steam``, …).
    ``seasonal_heating`` marks steam or hot water used only for seasonal heating (exempt at secondary units)."""

    energy: str
    meters: tuple[Meter, ...] = ()
    name: str = ""
    seasonal_heating: bool = False


@dataclass(frozen=True)
class SecondaryUnit:
    """A secondary energy-using unit (次级用能单位: a workshop, a building…) with its consumption of each energy in
    Table 1's unit (kW for electricity, t/a for coal, m³/a for gas, GJ/a for steam…; see ``limit``) and its
    metering points."""

    name: str
    consumption: Mapping[str, float | int | Decimal]
    points: tuple[MeteringPoint, ...] = ()


@dataclass(frozen=True)
class Equipment:
    """A device with its rated consumption of each energy in Table 2's unit (kW, t/h, m³/h, MW…) and its metering
    points."""

    name: str
    consumption: Mapping[str, float | int | Decimal]
    points: tuple[MeteringPoint, ...] = ()


@dataclass(frozen=True)
class EnergyUsingUnit:
    """The energy-using unit under check: its boundary points, secondary units and equipment.
    ``electricity_user_class`` (I-V, see ``electricity_user_class``) chooses the Table 4 class of its AC meters."""

    name: str
    points: tuple[MeteringPoint, ...] = ()
    secondary_units: tuple[SecondaryUnit, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    electricity_user_class: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Check


@dataclass(frozen=True)
class RateResult:
    """One energy at one level. ``required``: points that must be metered; ``installed``: those with a meter;
    ``rate``: installed ÷ required × 100 (unrounded, ``None`` when nothing is required); ``required_rate``: Table 3;
    ``passed``: ``None`` when no requirement applies (``reason`` says why)."""

    energy: str
    level: str
    points: int
    required: int
    installed: int
    rate: float | None
    required_rate: float | None
    passed: bool | None
    reason: str | None = None


@dataclass(frozen=True)
class MeterResult:
    """One meter against Table 4 and its verification. ``required_class`` ``None`` when no row applies;
    ``class_passed`` ``None`` when not judged; ``reasons`` lists the codes of ``Reason`` that apply."""

    meter: str
    level: str
    owner: str
    point: str
    energy: str
    instrument: str
    use: str | None
    accuracy_class: str
    required_class: Decimal | None
    class_passed: bool | None
    valid: bool | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """The check of one unit: every energy × level row, every meter, the tables used with their confidence, and the
    verdict: ``False`` when something fails, ``None`` when nothing fails but something could not be judged
    (``undetermined`` lists those meters), ``True`` otherwise."""

    unit: str
    rates: tuple[RateResult, ...]
    meters: tuple[MeterResult, ...]
    tables: tuple[TableInfo, ...]
    passed: bool | None
    undetermined: tuple[str, ...] = ()


_CLASS_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*S?\s*级?\s*$", re.IGNORECASE)


def parse_accuracy_class(value: str | float) -> Decimal:
    """The number of an accuracy class as marked: ``"0.5S"`` → 0.5, ``"1级"`` → 1.

    >>> parse_accuracy_class("0.5S"), parse_accuracy_class("2级"), parse_accuracy_class(1.0)
    (Decimal('0.5'), Decimal('2'), Decimal('1.0'))
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _number(value, "accuracy class")
    match = _CLASS_PATTERN.match(str(value))
    if not match:
        raise ValueError(f"accuracy class {value!r} is not a class number (such as 0.5, 0.5S or 1级)")
    return Decimal(match.group(1))


def _is_main(owner: SecondaryUnit | Equipment, energy: str, level: str, tables: Gb17167Tables) -> bool:
    kind = "secondary unit" if level == Level.SECONDARY else "equipment"
    if energy not in owner.consumption:
        raise ValueError(f"{kind} {owner.name!r}: no consumption given for {energy!r}, which one of its points meters")
    amount = _number(owner.consumption[energy], f"{kind} {owner.name!r} consumption of {energy}")
    return amount >= tables.limit(energy, level).value


def _requirement(
    meter: Meter, level: str, energy: str, user_class: str | None, tables: Gb17167Tables
) -> tuple[ClassRequirement | None, str | None]:
    rows = [row for row in tables.table4 if row.instrument == meter.instrument]
    if not rows:
        return None, Reason.NOT_IN_TABLE4
    if meter.use is not None:
        named = [row for row in rows if row.use == meter.use]
        if not named:
            known = ", ".join(row.use for row in rows)
            raise ValueError(f"meter {meter.id!r}: use {meter.use!r} unknown for {meter.instrument}; known: {known}")
        rows = named
    rows = [row for row in rows if row.levels is None or level in row.levels]
    if not rows:
        return None, Reason.NOT_AT_LEVEL
    if meter.use is None:
        rows = [row for row in rows if row.energies is None or energy in row.energies]
        if not rows:
            return None, Reason.NO_ROW_FOR_ENERGY
        if any(row.user_class is not None for row in rows):
            if user_class is None:
                return None, Reason.USER_CLASS_MISSING
            rows = [row for row in rows if row.user_class in (None, user_class)]
            if not rows:
                return None, Reason.NO_ROW_FOR_ENERGY
    if len(rows) > 1:
        return None, Reason.USE_AMBIGUOUS
    return rows[0], None


def check(unit: EnergyUsingUnit, *, tables: Gb17167Tables | None = None) -> CheckResult:
    """Check one energy-using unit against GB 17167-2006 clause 4.3 (configuration rates, Table 3; accuracy classes,
    Table 4; and whether each meter's verification or calibration is valid). See the module's docstring for how
    points are counted. Raises ``ValueError`` on an unknown energy type or user class, a missing consumption, a bad
    accuracy class or use, or a meter id used twice."""
    tables = tables or default_tables()
    user_classes = {row.name for row in tables.user_classes} | {"V"}
    if unit.electricity_user_class is not None and unit.electricity_user_class not in user_classes:
        raise ValueError(
            f"unknown electricity user class {unit.electricity_user_class!r}; expected one of {', '.join(sorted(user_classes))}"
        )
    located: list[tuple[str, str, MeteringPoint, bool]] = []
    for point in unit.points:
        tables.energy(point.energy)
        located.append((Level.UNIT.value, unit.name, point, True))
    parts: tuple[tuple[str, tuple[SecondaryUnit, ...] | tuple[Equipment, ...]], ...] = (
        (Level.SECONDARY.value, unit.secondary_units),
        (Level.EQUIPMENT.value, unit.equipment),
    )
    for part_level, owners in parts:
        for part in owners:
            for energy in part.consumption:
                tables.energy(energy)
            for point in part.points:
                tables.energy(point.energy)
                required = _is_main(part, point.energy, part_level, tables)
                if (
                    point.seasonal_heating
                    and part_level in tables.seasonal_exempt_levels
                    and point.energy in tables.seasonal_exempt_energies
                ):
                    required = False
                located.append((part_level, part.name, point, required))

    grouped: dict[tuple[str, str], list[tuple[MeteringPoint, bool]]] = {}
    for level, _, point, is_required in located:
        grouped.setdefault((level, point.energy), []).append((point, is_required))
    order = [(level.value, energy) for level in Level for energy in tables.energy_types]
    rates = [
        _rate(energy, level, grouped[level, energy], tables) for level, energy in order if (level, energy) in grouped
    ]

    meters: list[MeterResult] = []
    seen: set[str] = set()
    user_class_applied = False
    for level, owner, point, _ in located:
        for meter in point.meters:
            if meter.id in seen:
                raise ValueError(f"meter id {meter.id!r} is used twice")
            seen.add(meter.id)
            actual = parse_accuracy_class(meter.accuracy_class)
            row, reason = _requirement(meter, level, point.energy, unit.electricity_user_class, tables)
            user_class_applied = user_class_applied or (row is not None and row.user_class is not None)
            reasons = [str(reason)] if reason else []
            if meter.valid is None:
                reasons.append(Reason.VALIDITY_UNKNOWN.value)
            elif not meter.valid:
                reasons.append(Reason.NOT_VALID.value)
            meters.append(
                MeterResult(
                    meter=meter.id,
                    level=level,
                    owner=owner,
                    point=point.name,
                    energy=point.energy,
                    instrument=meter.instrument,
                    use=row.use if row else meter.use,
                    accuracy_class=str(meter.accuracy_class),
                    required_class=row.accuracy_class if row else None,
                    class_passed=(actual <= row.accuracy_class) if row else None,
                    valid=meter.valid,
                    reasons=tuple(reasons),
                )
            )

    failed = any(r.passed is False for r in rates) or any(m.class_passed is False or m.valid is False for m in meters)
    undetermined = tuple(m.meter for m in meters if UNDETERMINED.intersection(m.reasons))
    used = ["table1", "table2", "table3", "table4"]
    if user_class_applied:
        used.append("electricity_user_classes")
    return CheckResult(
        unit=unit.name,
        rates=tuple(rates),
        meters=tuple(meters),
        tables=tuple(tables.info[key] for key in used),
        passed=False if failed else (None if undetermined else True),
        undetermined=undetermined,
    )


def _rate(energy: str, level: str, points: list[tuple[MeteringPoint, bool]], tables: Gb17167Tables) -> RateResult:
    """The rate row of one energy at one level, from its points and whether each is required."""
    required = sum(1 for _, is_required in points if is_required)
    installed = sum(1 for point, is_required in points if is_required and point.meters)
    target = tables.required_rate(energy, level)
    row = RateResult(
        energy=energy,
        level=level,
        points=len(points),
        required=required,
        installed=installed,
        rate=None,
        required_rate=None if target is None else float(target),
        passed=None,
    )
    if required == 0:
        return replace(row, reason=Reason.NOTHING_REQUIRED.value)
    rate = Fraction(installed * 100, required)
    if target is None:
        return replace(row, rate=float(rate), reason=Reason.NO_REQUIRED_RATE.value)
    # Exact comparison: 18 of 19 (94.74 %) must fail a 95 % requirement, 19 of 20 must pass it.
    return replace(row, rate=float(rate), passed=rate >= Fraction(target))
