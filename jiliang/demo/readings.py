"""Plausible readings for the demo's verification and calibration records, per catalog item, placed on the
instrument's own measuring range.

The table is data, in ``data/readings.toml``: each row names the procedure its points follow (the catalog item's
regulation), says where in it (``source``), and gives the unit, the rounding interval and the points of a typical
verification of that kind of instrument, each as (name, where, MPE):

- where: a number in the unit; ``min`` / ``max``, the ends of the instrument's measuring range; ``<k>e``, k
  verification scale intervals (a scale's ``e``, from its minimum capacity: class Ⅲ Min = 20 e); ``<f>span``, low +
  f × (high − low); ``<f>max``, f × high; ``nominal``, the single value a weight states ("20 kg");
- MPE: a number in the unit; ``<k>e``; ``bands`` (the row's bands: up to n e, k e); ``<p>%`` of the point's value;
  ``<p>%span`` of the range's span; ``class%span`` (the accuracy class, a pressure gauge's "1.6级", as % of the
  span); ``table`` (the row's MPE by accuracy class and nominal value, a weight's).

A point's label is its name and its value in the unit ("最大秤量 15 kg", "空秤 0 kg"), so the name never says one
value and the reference another. A fixed point outside the instrument's range is dropped; a point placed on the
range that falls on another is dropped too (the ends of the range kept), and such points are listed by load. An instrument whose range the row needs and cannot read gets no readings (``None``):
the demo history then leaves it alone rather than make figures up. Nothing in the platform reads this table except
the demo history (:mod:`jiliang.demo.history`); the MPEs follow the procedures where ``source`` cites them and are
otherwise the demo's.

Readings are drawn as whole multiples of the rounding interval, so the judgement (``jiliang.metrology.
verification.judge``) sees exactly the errors drawn: a passing point within 0.6 MPE, a failing one at 1.5–2.5 MPE.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jiliang.metrology.verification import Range, parse_range

from . import datafile


@dataclass(frozen=True)
class Rule:
    """How one catalog item's points are placed (a row of the table)."""

    procedure: str
    source: str
    unit: str
    step: str
    points: tuple[tuple[str, str, str], ...]
    e: str = ""
    bands: tuple[tuple[str, str], ...] = ()
    table: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Readings:
    unit: str
    step: str
    # (label, reference, mpe)
    points: tuple[tuple[str, str, str], ...]


DATA_FILE = datafile.DATA_DIR / "readings.toml"

_KEYS = {
    "procedure": str,
    "source": str,
    "unit": str,
    "step": str,
    "points": list,
    "e": str,
    "bands": list,
    "table": list,
}
_OPTIONAL = ("e", "bands", "table")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_WHERE = re.compile(rf"^(?:{_NUMBER}|min|max|nominal|{_NUMBER}e|{_NUMBER}span|{_NUMBER}max)$")
_MPE = re.compile(rf"^(?:{_NUMBER}|{_NUMBER}e|bands|{_NUMBER}%|{_NUMBER}%span|class%span|table)$")
_E = re.compile(r"^min/(\d+)$")


def load(path: Path = DATA_FILE) -> dict[str, Rule]:
    """Read and check the table: every key known, every point a [name, where, mpe] of strings in the forms the
    module docstring lists."""
    table = {}
    for code, row in datafile.read(path, {"readings"})["readings"].items():
        where = f"readings.{code}"
        fields = datafile.fields(row, _KEYS, where, optional=_OPTIONAL)
        points = datafile.rows(fields["points"], (str, str, str), where)
        for _name, at, mpe in points:
            if not _WHERE.match(at) or not _MPE.match(mpe):
                raise ValueError(f"{where}: cannot read the point ({at!r}, {mpe!r})")
        if fields.get("e", "") and not _E.match(fields["e"]):
            raise ValueError(f"{where}: e must be min/<n>, got {fields['e']!r}")
        table[code] = Rule(
            procedure=fields["procedure"],
            source=fields["source"],
            unit=fields["unit"],
            step=fields["step"],
            points=points,
            e=fields.get("e", ""),
            bands=datafile.rows(fields.get("bands", []), (str, str), where),
            table=datafile.rows(fields.get("table", []), (str, str, str), where),
        )
    return table


TABLE = load()

_NOMINAL = re.compile(rf"^\s*({_NUMBER})\s*(\S+)\s*$")
_CLASS = re.compile(r"([\d.]+)\s*级")


def _text(value: Decimal) -> str:
    """A value as a label shows it: no exponent, no trailing zeros ("0", "2.5", "1000")."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Place:
    """Where one instrument's points fall: its range (or nominal value), scale interval and accuracy class."""

    def __init__(self, rule: Rule, measuring_range: str, accuracy_class: str) -> None:
        self.rule = rule
        self.span: Range | None = parse_range(measuring_range)
        nominal = _NOMINAL.match(measuring_range or "")
        self.nominal = Decimal(nominal.group(1)) if nominal else None
        self.nominal_unit = nominal.group(2) if nominal else ""
        self.accuracy_class = accuracy_class.strip()
        found = _E.match(rule.e)
        # A scale's minimum capacity gives its interval; a range from zero states none.
        low = self.span.low if self.span is not None else Decimal(0)
        self.e = low / int(found.group(1)) if found and low > 0 else None

    def value(self, where: str) -> Decimal | None:
        if where in ("min", "max"):
            return None if self.span is None else (self.span.low if where == "min" else self.span.high)
        if where == "nominal":
            return self.nominal
        if where.endswith("span"):
            return None if self.span is None else self.span.low + Decimal(where[:-4]) * self.width
        if where.endswith("max"):
            return None if self.span is None else Decimal(where[:-3]) * self.span.high
        if where.endswith("e"):
            return None if self.e is None else Decimal(where[:-1]) * self.e
        return Decimal(where)

    @property
    def width(self) -> Decimal:
        assert self.span is not None
        return self.span.high - self.span.low

    def mpe(self, expression: str, value: Decimal) -> Decimal | None:
        if expression == "bands":
            if self.e is None:
                return None
            load = value / self.e
            return next((Decimal(k) * self.e for up_to, k in self.rule.bands if load <= Decimal(up_to)), None)
        if expression == "table":
            for accuracy, nominal, mpe in self.rule.table:
                if accuracy == self.accuracy_class and Decimal(nominal) == value:
                    return Decimal(mpe)
            return None
        if expression == "class%span":
            found = _CLASS.search(self.accuracy_class)
            if found is None or self.span is None:
                return None
            return self.width * Decimal(found.group(1)) / 100
        if expression.endswith("%span"):
            return None if self.span is None else self.width * Decimal(expression[:-5]) / 100
        if expression.endswith("%"):
            return abs(value) * Decimal(expression[:-1]) / 100
        if expression.endswith("e"):
            return None if self.e is None else Decimal(expression[:-1]) * self.e
        return Decimal(expression)

    def unit(self) -> str | None:
        """The readings' unit: the row's, or (row unit empty) the range's or nominal value's; None when the row's
        unit and the range's differ for a row that places points on the range."""
        own = self.span.unit if self.span is not None else self.nominal_unit
        on_range = any(not re.fullmatch(_NUMBER, at) for _n, at, _m in self.rule.points)
        if not self.rule.unit:
            return own or None
        if on_range and own and own != self.rule.unit:
            return None
        return self.rule.unit

    def step(self) -> Decimal | None:
        if self.rule.step.endswith("e"):
            return None if self.e is None else Decimal(self.rule.step[:-1]) * self.e
        return Decimal(self.rule.step)


def readings_for(code: str | None, measuring_range: str = "", accuracy_class: str = "") -> Readings | None:
    """The points of a verification of an instrument of catalog item ``code`` with this measuring range and
    accuracy class, or ``None`` when the table has no row for the item or the row cannot place its points on this
    instrument (see the module docstring)."""
    rule = TABLE.get(code or "")
    if rule is None:
        return None
    place = _Place(rule, measuring_range, accuracy_class)
    unit, step = place.unit(), place.step()
    if unit is None or step is None:
        return None
    comparable = place.span is not None and place.span.unit in ("", unit)
    placed: list[tuple[Decimal, str, str, bool]] = []
    for name, where, expression in rule.points:
        value = place.value(where)
        if value is None:
            return None
        on_range = not re.fullmatch(_NUMBER, where)
        if comparable and place.span is not None and not place.span.contains(value):
            if on_range:
                return None
            continue
        mpe = place.mpe(expression, value)
        if mpe is None:
            return None
        placed.append((value.quantize(step), name, _text(mpe.quantize(step / 100)), where in ("min", "max")))
    ends = {value for value, _name, _mpe, end in placed if end}
    on_range_only = all(not re.fullmatch(_NUMBER, where) for _n, where, _m in rule.points)
    if on_range_only:
        placed = sorted((p for p in placed if p[3] or p[0] not in ends), key=lambda p: p[0])
        placed = [p for i, p in enumerate(placed) if i == 0 or p[0] != placed[i - 1][0]]
    points = tuple((f"{name} {_text(value)} {unit}".strip(), str(value), mpe) for value, name, mpe, _end in placed)
    if not points:
        return None
    return Readings(unit, _text(step), points)


def draw_points(rng: random.Random, readings: Readings, *, fail: bool = False) -> list[dict[str, Any]]:
    """The points of one verification: within 0.6 MPE each, or (``fail``) one point at 1.5–2.5 MPE."""
    step = Decimal(readings.step)
    bad = rng.randrange(len(readings.points)) if fail else -1
    points = []
    for i, (label, reference, mpe) in enumerate(readings.points):
        ref, limit = Decimal(reference), Decimal(mpe)
        if i == bad:
            n = int(limit * Decimal(str(rng.uniform(1.5, 2.5))) / step) or 1
            n = max(n, int(limit / step) + 1)
            n = n if rng.random() < 0.5 else -n
        else:
            top = int(limit * Decimal("0.6") / step)
            n = rng.randint(-top, top)
        points.append({"label": label, "reference": ref, "indicated": ref + n * step, "mpe": limit})
    return points


def uncertainty(readings: Readings) -> str:
    """An expanded uncertainty (k = 2) for a calibration: a third of the largest MPE, in the unit."""
    largest = max(Decimal(mpe) for _label, _ref, mpe in readings.points)
    step = Decimal(readings.step)
    value = max((largest / 3 / step).quantize(Decimal("1")), Decimal(1)) * step
    return f"{value.normalize():f} {readings.unit}".strip()
