"""GB 17167-2006 Tables 1-4 and the electricity user classes of Table 4's note, as data: where each table comes
from and how sure we are of it (most of it is unconfirmed, see ``data/gb17167_2006.json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from ..shipped import DATA_DIR, shipped

TABLES_FILE = DATA_DIR / "gb17167_2006.json"
CONFIDENCES = frozenset({"confirmed", "recomputed", "unconfirmed", "conflict"})


class Level(StrEnum):
    UNIT = "unit"  # 进出用能单位
    SECONDARY = "secondary"  # 进出主要次级用能单位
    EQUIPMENT = "equipment"  # 主要用能设备


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


# The tables shipped in ``data/gb17167_2006.json``.
default_tables = shipped(TABLES_FILE.name, tables_from_data)


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
