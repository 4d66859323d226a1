"""Plausible readings for the demo's verification and calibration records, per catalog item.

The table is data, in ``data/readings.toml``: each row gives the unit, the rounding interval and the points (label,
nominal reference value, MPE at that point) of a typical verification of that kind of instrument. The MPEs follow
the usual figures of the procedures (class Ⅲ scales: 0.5 e / 1 e / 1.5 e by load; fuel dispensers ±0.3 %; water
meters ±5 % below Q2 and ±2 % above; sphygmomanometers ±0.5 kPa; pressure gauges: class × span) but are a demo's,
not a procedure's: nothing in the platform reads this table except the demo history (:mod:`jiliang.demo.history`).

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

from . import datafile


@dataclass(frozen=True)
class Readings:
    unit: str
    step: str
    # (label, reference, mpe)
    points: tuple[tuple[str, str, str], ...]


DATA_FILE = datafile.DATA_DIR / "readings.toml"

_KEYS = {"unit": str, "step": str, "points": list}


def load(path: Path = DATA_FILE) -> dict[str, Readings]:
    """Read and check the table: every key known, every point a [label, reference, mpe] of strings."""
    table = {}
    for code, row in datafile.read(path, {"readings"})["readings"].items():
        where = f"readings.{code}"
        fields = datafile.fields(row, _KEYS, where)
        table[code] = Readings(fields["unit"], fields["step"], datafile.rows(fields["points"], (str, str, str), where))
    return table


TABLE = load()

GENERIC = Readings(
    "", "0.01", (("示值 20 %", "20.00", "0.50"), ("示值 50 %", "50.00", "1.00"), ("示值 100 %", "100.00", "2.00"))
)

_RANGE = re.compile(r"\(\s*([-\d.]+)\s*～\s*([-\d.]+)\s*\)\s*MPa")
_CLASS = re.compile(r"([\d.]+)\s*级")


def _pressure_gauge(measuring_range: str, accuracy_class: str) -> Readings | None:
    """A pressure gauge (item 44): five points over its span, MPE = class % × span, in MPa."""
    found, grade = _RANGE.search(measuring_range or ""), _CLASS.search(accuracy_class or "")
    if not found or not grade:
        return None
    low, high = Decimal(found.group(1)), Decimal(found.group(2))
    span = high - low
    mpe = (span * Decimal(grade.group(1)) / 100).quantize(Decimal("0.0001"))
    points = tuple(
        (f"{low + span * k / 4:g} MPa", str((low + span * k / 4).quantize(Decimal("0.001"))), str(mpe))
        for k in range(5)
    )
    return Readings("MPa", "0.001", points)


def readings_for(code: str | None, measuring_range: str = "", accuracy_class: str = "") -> Readings:
    if code == "44":
        gauge = _pressure_gauge(measuring_range, accuracy_class)
        if gauge is not None:
            return gauge
    return TABLE.get(code or "", GENERIC)


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
