"""GB 17167-2006 《用能单位能源计量器具配备和管理通则》: configuration rates and accuracy classes of the energy
meters of one energy-using unit, and conversion to tonnes of coal equivalent (GB/T 2589-2020).

What is confirmed (project reference notes): the standard is in force since 2007-01-01, clauses 4.3.2-4.3.5 and
4.3.8 are mandatory; 能源计量器具配备率 = installed ÷ required × 100 %; three levels are checked: the unit's inputs
and outputs (进出用能单位, ``unit``), its main secondary units (进出主要次级用能单位, ``secondary``) and its main
equipment (主要用能设备, ``equipment``). A secondary unit or a device is *main* for an energy when its consumption
reaches the limit of Table 1 or Table 2.

**Tables 1-4 are unconfirmed** (from memory). They are data, in ``data/gb17167_2006.json``, with the confidence of
each table and of each conflicting value; ``check`` reports the confidence of every table it used. An
administrator's corrected copy is passed as ``tables=tables_from_data(...)``.

How ``check`` counts, per energy and level: every metering point of the unit's boundary is required; a point of a
secondary unit (or a device) is required when that unit's (device's) consumption of the point's energy reaches
Table 1 (Table 2); seasonal-heating steam or hot water is exempt at secondary units (Table 3 note). A required point
counts as installed when at least one meter is on it, so a meter on a point that is not required does not raise the
rate. The rate passes when installed × 100 ≥ Table 3's rate × required, compared exactly (unrounded). Every meter's
class is judged against Table 4, and a meter whose verification or calibration is not valid fails.

Worked example (ours): a plant with one metered electricity supply, a workshop of 50 kW (main: Table 1 limit
10 kW) with its own meter, and a 2 t/h coal boiler (main: Table 2 limit 1 t/h) without a coal scale:

>>> plant = EnergyUsingUnit(
...     name="示例工厂",
...     electricity_user_class="III",
...     points=(MeteringPoint("electricity", (Meter("E1", "ac_energy_meter", "1.0", valid=True),), "进线"),),
...     secondary_units=(
...         SecondaryUnit("一车间", {"electricity": 50}, (MeteringPoint("electricity", (Meter("E2", "ac_energy_meter", "1.0", valid=True),)),)),
...     ),
...     equipment=(Equipment("1号锅炉", {"coal": 2}, (MeteringPoint("coal"),)),),
... )
>>> result = check(plant)
>>> [(r.level, r.energy, r.required, r.installed, r.rate, r.required_rate, r.passed) for r in result.rates]
[('unit', 'electricity', 1, 1, 100.0, 100.0, True), ('secondary', 'electricity', 1, 1, 100.0, 100.0, True), ('equipment', 'coal', 1, 0, 0.0, 90.0, False)]
>>> result.passed, [(t.key, t.confidence) for t in result.tables][:2]
(False, [('table1', 'unconfirmed'), ('table2', 'unconfirmed')])
>>> round(to_tce(10_000, "electricity", "kWh"), 4)  # 10 000 kWh × 0.1229 kgce/kWh
1.229
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLES_FILE = DATA_DIR / "gb17167_2006.json"
TCE_FILE = DATA_DIR / "tce_gbt2589_2020.json"
CONFIDENCES = frozenset({"confirmed", "recomputed", "unconfirmed", "conflict"})


class Level(StrEnum):
    UNIT = "unit"  # 进出用能单位
    SECONDARY = "secondary"  # 进出主要次级用能单位
    EQUIPMENT = "equipment"  # 主要用能设备


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
# Tables


@dataclass(frozen=True)
class TableInfo:
    """One table used by a check: where it comes from and how sure we are of it. ``conflicts`` lists the values
    of the table that are in conflict, with the alternative."""

    key: str
    title: str
    standard: str
    edition: str
    confidence: str
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnergyType:
    key: str
    name: str
    group: str  # the column of Tables 1 and 2
    table3_row: str | None  # the row of Table 3, None when Table 3 has none
    note: str = ""


@dataclass(frozen=True)
class Limit:
    """A limit of Table 1 or 2 for one group of energies."""

    group: str
    value: Decimal
    unit: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class ClassRequirement:
    """A row of Table 4. ``levels``/``energies``/``user_class`` ``None`` means the row is not restricted by it."""

    instrument: str
    use: str
    name: str
    accuracy_class: Decimal
    levels: frozenset[str] | None
    energies: frozenset[str] | None
    user_class: str | None
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class UserClass:
    name: str
    monthly_kwh_min: Decimal
    capacity_kva_min: Decimal


@dataclass(frozen=True)
class Gb17167Tables:
    """The four tables and the electricity user classes, as loaded from data (see ``tables_from_data``)."""

    standard: str
    edition: str
    energy_types: Mapping[str, EnergyType]
    table1: Mapping[str, Limit]
    table2: Mapping[str, Limit]
    table3: Mapping[str, Mapping[str, Decimal | None]]
    seasonal_exempt_levels: frozenset[str]
    seasonal_exempt_energies: frozenset[str]
    table4: tuple[ClassRequirement, ...]
    user_classes: tuple[UserClass, ...]
    info: Mapping[str, TableInfo]

    def energy(self, key: str) -> EnergyType:
        """The energy type ``key``; ``ValueError`` naming the known ones when it is unknown."""
        try:
            return self.energy_types[key]
        except (KeyError, TypeError):
            known = ", ".join(self.energy_types)
            raise ValueError(f"unknown energy type {key!r}; known: {known}") from None

    def limit(self, energy: str, level: str) -> Limit:
        """The Table 1 (``secondary``) or Table 2 (``equipment``) limit for ``energy``, with its unit.

        >>> default_tables().limit("coal", "equipment").value, default_tables().limit("coal", "equipment").unit
        (Decimal('1'), 't/h')
        """
        table = {Level.SECONDARY.value: self.table1, Level.EQUIPMENT.value: self.table2}.get(level)
        if table is None:
            raise ValueError(f"only secondary units and equipment have limits, not {level!r}")
        return table[self.energy(energy).group]

    def required_rate(self, energy: str, level: str) -> Decimal | None:
        """Table 3's required rate in percent, ``None`` when the table sets none.

        >>> default_tables().required_rate("steam", "equipment"), default_tables().required_rate("other", "unit")
        (Decimal('70'), None)
        """
        row = self.energy(energy).table3_row
        if level not in set(Level):
            raise ValueError(f"unknown level {level!r}; expected unit, secondary or equipment")
        return None if row is None else self.table3[row][level]


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} must be a number, got {value!r}")
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


def _confidence(value: Any, what: str) -> str:
    if value not in CONFIDENCES:
        raise ValueError(f"{what}: unknown confidence {value!r}; expected one of {', '.join(sorted(CONFIDENCES))}")
    return str(value)


def tables_from_data(data: Mapping[str, Any]) -> Gb17167Tables:
    """Build the tables from data shaped like ``data/gb17167_2006.json`` (an administrator's corrected copy, say),
    checking that every energy type points at existing rows."""
    standard, edition = data["standard"], data["edition"]
    tables = data["tables"]
    energy_types = {
        key: EnergyType(
            key=key, name=e["name"], group=e["group"], table3_row=e.get("table3_row"), note=e.get("note", "")
        )
        for key, e in data["energy_types"].items()
    }
    conflicts: dict[str, list[str]] = {}

    def limits(key: str) -> dict[str, Limit]:
        table_confidence = _confidence(tables[key]["confidence"], key)
        result = {}
        for group, row in tables[key]["rows"].items():
            confidence = _confidence(row.get("confidence", table_confidence), f"{key} {group}")
            if confidence == "conflict":
                alternatives = ", ".join(str(v) for v in row.get("alternatives", []))
                conflicts.setdefault(key, []).append(f"{group}: {row['limit']} {row['unit']} (or {alternatives})")
            result[group] = Limit(
                group, _number(row["limit"], f"{key} {group}"), row["unit"], confidence, row.get("note", "")
            )
        return result

    table1, table2 = limits("table1"), limits("table2")
    table3 = {
        row_key: {
            level.value: (
                None if row.get(level.value) is None else _number(row[level.value], f"table3 {row_key} {level}")
            )
            for level in Level
        }
        for row_key, row in tables["table3"]["rows"].items()
    }
    for energy in energy_types.values():
        if energy.group not in table1 or energy.group not in table2:
            raise ValueError(f"energy type {energy.key!r}: group {energy.group!r} is missing from Table 1 or Table 2")
        if energy.table3_row is not None and energy.table3_row not in table3:
            raise ValueError(f"energy type {energy.key!r}: Table 3 has no row {energy.table3_row!r}")
    exempt = tables["table3"].get("seasonal_heating_exempt", {})

    table4_confidence = _confidence(tables["table4"]["confidence"], "table4")
    table4 = []
    for row in tables["table4"]["rows"]:
        confidence = _confidence(row.get("confidence", table4_confidence), f"table4 {row['use']}")
        if confidence == "conflict":
            alternatives = ", ".join(str(v) for v in row.get("alternatives", []))
            conflicts.setdefault("table4", []).append(
                f"{row['instrument']} {row['use']}: {row['class']} (or {alternatives})"
            )
        table4.append(
            ClassRequirement(
                instrument=row["instrument"],
                use=row["use"],
                name=row.get("name", ""),
                accuracy_class=_number(row["class"], f"table4 {row['use']}"),
                levels=frozenset(row["levels"]) if "levels" in row else None,
                energies=frozenset(row["energies"]) if "energies" in row else None,
                user_class=row.get("user_class"),
                confidence=confidence,
                note=row.get("note", ""),
            )
        )
    user_classes = tuple(
        UserClass(row["class"], _number(row["monthly_kwh_min"], "monthly kWh"), _number(row["capacity_kva_min"], "kVA"))
        for row in tables["electricity_user_classes"]["rows"]
    )
    info = {
        key: TableInfo(
            key=key,
            title=tables[key]["title"],
            standard=standard,
            edition=edition,
            confidence=_confidence(tables[key]["confidence"], key),
            conflicts=tuple(conflicts.get(key, ())),
        )
        for key in ("table1", "table2", "table3", "table4", "electricity_user_classes")
    }
    return Gb17167Tables(
        standard=standard,
        edition=edition,
        energy_types=energy_types,
        table1=table1,
        table2=table2,
        table3=table3,
        seasonal_exempt_levels=frozenset(exempt.get("levels", ())),
        seasonal_exempt_energies=frozenset(exempt.get("energies", ())),
        table4=tuple(table4),
        user_classes=user_classes,
        info=info,
    )


@cache
def default_tables() -> Gb17167Tables:
    """The tables shipped in ``data/gb17167_2006.json``."""
    return tables_from_data(json.loads(TABLES_FILE.read_text(encoding="utf-8")))


def electricity_user_class(
    *,
    monthly_kwh: float | None = None,
    capacity_kva: float | None = None,
    single_phase: bool = False,
    tables: Gb17167Tables | None = None,
) -> str:
    """The electricity user class (I-V) of Table 4's note: V for a single-phase supply; otherwise the first class
    whose monthly consumption or contracted capacity limit is reached (I: 5 000 000 kWh or 10 000 kVA, II:
    1 000 000 kWh or 2 000 kVA, III: 100 000 kWh or 315 kVA), IV below them. Unconfirmed data.

    >>> electricity_user_class(monthly_kwh=1_200_000), electricity_user_class(capacity_kva=250)
    ('II', 'IV')
    """
    if single_phase:
        return "V"
    if monthly_kwh is None and capacity_kva is None:
        raise ValueError("give the monthly consumption (kWh), the capacity (kVA) or single_phase=True")
    kwh = None if monthly_kwh is None else _number(monthly_kwh, "monthly consumption")
    kva = None if capacity_kva is None else _number(capacity_kva, "capacity")
    for row in (tables or default_tables()).user_classes:
        if (kwh is not None and kwh >= row.monthly_kwh_min) or (kva is not None and kva >= row.capacity_kva_min):
            return row.name
    raise ValueError("the user-class table has no class for these values (its last row should start at 0)")


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


# --------------------------------------------------------------------------------------------------------------
# Tonnes of coal equivalent (GB/T 2589-2020)


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


@cache
def default_tce_table() -> TceTable:
    """The coefficients shipped in ``data/tce_gbt2589_2020.json``."""
    return tce_table_from_data(json.loads(TCE_FILE.read_text(encoding="utf-8")))


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
