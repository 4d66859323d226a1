"""Plausible readings for the demo's verification and calibration records, per catalog item.

Each row gives the unit, the rounding interval and the points (label, nominal reference value, MPE at that point)
of a typical verification of that kind of instrument. The MPEs follow the usual figures of the procedures (class
Ⅲ scales: 0.5 e / 1 e / 1.5 e by load; fuel dispensers ±0.3 %; water meters ±5 % below Q2 and ±2 % above;
sphygmomanometers ±0.5 kPa; pressure gauges: class × span) but are a demo's, not a procedure's: nothing in the
platform reads this table except the demo history (:mod:`jiliang.demo.history`).

Readings are drawn as whole multiples of the rounding interval, so the judgement (``jiliang.metrology.
verification.judge``) sees exactly the errors drawn: a passing point within 0.6 MPE, a failing one at 1.5–2.5 MPE.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Readings:
    unit: str
    step: str
    # (label, reference, mpe)
    points: tuple[tuple[str, str, str], ...]


TABLE: dict[str, Readings] = {
    "01": Readings("℃", "0.01", (("37 ℃", "37.00", "0.10"), ("41 ℃", "41.00", "0.10"))),
    "02": Readings(
        "kg",
        "0.005",
        (
            ("空秤 0.1 kg", "0.100", "0.0025"),
            ("2.5 kg", "2.500", "0.0025"),
            ("10 kg", "10.000", "0.005"),
            ("15 kg", "15.000", "0.0075"),
        ),
    ),
    "03": Readings(
        "kg",
        "0.05",
        (
            ("10 kg", "10.00", "0.025"),
            ("50 kg", "50.00", "0.05"),
            ("100 kg", "100.00", "0.05"),
            ("150 kg", "150.00", "0.075"),
        ),
    ),
    "04": Readings("kg", "0.005", (("1 kg", "1.000", "0.005"), ("5 kg", "5.000", "0.01"), ("10 kg", "10.000", "0.01"))),
    "05": Readings("t", "0.05", (("20 t", "20.00", "0.2"), ("60 t", "60.00", "0.6"))),
    "06": Readings("t", "0.01", (("累计 10 t", "10.00", "0.05"), ("累计 20 t", "20.00", "0.10"))),
    "08": Readings(
        "L",
        "0.01",
        (("大流量 20 L", "20.00", "0.06"), ("中流量 20 L", "20.00", "0.06"), ("小流量 20 L", "20.00", "0.06")),
    ),
    "09": Readings("kg", "0.01", (("大流量 10 kg", "10.00", "0.10"), ("小流量 5 kg", "5.00", "0.05"))),
    "10": Readings("kg", "0.01", (("大流量 10 kg", "10.00", "0.10"), ("小流量 5 kg", "5.00", "0.05"))),
    "11": Readings("kg", "0.01", (("大流量 20 kg", "20.00", "0.30"), ("小流量 10 kg", "10.00", "0.15"))),
    "12": Readings("kWh", "0.001", (("Imax 1 kWh", "1.000", "0.020"), ("0.1Imax 1 kWh", "1.000", "0.020"))),
    "13": Readings("kWh", "0.001", (("Imax 5 kWh", "5.000", "0.050"), ("0.2Imax 2 kWh", "2.000", "0.020"))),
    "14": Readings(
        "L", "0.01", (("Q1 10 L", "10.00", "0.50"), ("Q2 20 L", "20.00", "0.40"), ("Q3 100 L", "100.00", "2.00"))
    ),
    "15": Readings(
        "L", "0.1", (("Q1 50 L", "50.0", "2.5"), ("Q2 100 L", "100.0", "2.0"), ("Q3 500 L", "500.0", "10.0"))
    ),
    "16": Readings(
        "m³", "0.001", (("Q1 0.5 m³", "0.500", "0.025"), ("Q2 1 m³", "1.000", "0.020"), ("Q3 5 m³", "5.000", "0.100"))
    ),
    "17": Readings(
        "L", "0.1", (("qmin 50 L", "50.0", "1.5"), ("0.2qmax 100 L", "100.0", "1.5"), ("qmax 100 L", "100.0", "1.5"))
    ),
    "18": Readings("m³", "0.001", (("0.2qmax 1 m³", "1.000", "0.010"), ("qmax 2 m³", "2.000", "0.020"))),
    "19": Readings(
        "kWh",
        "0.0001",
        (("Ib cosφ=1", "1.0000", "0.0200"), ("Imax cosφ=1", "1.0000", "0.0200"), ("Ib cosφ=0.5L", "1.0000", "0.0250")),
    ),
    "20": Readings("kWh", "0.001", (("qp 1 kWh", "1.000", "0.040"), ("0.1qp 1 kWh", "1.000", "0.050"))),
    "21": Readings("km", "0.001", (("计程 1 km", "1.000", "0.010"), ("计程 3 km", "3.000", "0.030"))),
    "22": Readings(
        "kPa",
        "0.1",
        (("0 kPa", "0.0", "0.5"), ("10 kPa", "10.0", "0.5"), ("20 kPa", "20.0", "0.5"), ("30 kPa", "30.0", "0.5")),
    ),
    "23": Readings(
        "mmHg",
        "1",
        (
            ("50 mmHg", "50", "3"),
            ("100 mmHg", "100", "3"),
            ("150 mmHg", "150", "3"),
            ("200 mmHg", "200", "3"),
            ("250 mmHg", "250", "3"),
        ),
    ),
    "24": Readings("mmHg", "0.1", (("10 mmHg", "10.0", "2.0"), ("20 mmHg", "20.0", "2.0"), ("35 mmHg", "35.0", "3.5"))),
    "25": Readings(
        "m⁻¹",
        "0.01",
        (
            ("-10 m⁻¹", "-10.00", "0.09"),
            ("-5 m⁻¹", "-5.00", "0.06"),
            ("0 m⁻¹", "0.00", "0.06"),
            ("+5 m⁻¹", "5.00", "0.06"),
            ("+10 m⁻¹", "10.00", "0.09"),
        ),
    ),
    "26": Readings(
        "m⁻¹", "0.01", (("-10 m⁻¹", "-10.00", "0.25"), ("0 m⁻¹", "0.00", "0.25"), ("+10 m⁻¹", "10.00", "0.25"))
    ),
    "28": Readings("mV", "0.01", (("1 mV 定标", "1.00", "0.05"), ("2 mV", "2.00", "0.10"))),
    "31": Readings("%", "1", (("SpO₂ 70 %", "70", "3"), ("SpO₂ 85 %", "85", "2"), ("SpO₂ 97 %", "97", "2"))),
    "35": Readings("dB", "0.1", (("94 dB", "94.0", "0.7"), ("114 dB", "114.0", "0.7"))),
    "38": Readings("%LEL", "1", (("20 %LEL", "20", "5"), ("40 %LEL", "40", "5"), ("60 %LEL", "60", "5"))),
    "39": Readings("μmol/mol", "1", (("50 μmol/mol", "50", "5"), ("100 μmol/mol", "100", "10"))),
    "42": Readings("mg/m³", "1", (("SO₂ 1000 mg/m³", "1000", "50"), ("SO₂ 3000 mg/m³", "3000", "150"))),
    "43": Readings("mg/L", "0.1", (("COD 100 mg/L", "100.0", "10.0"), ("COD 500 mg/L", "500.0", "50.0"))),
    "45": Readings("%", "0.1", (("水分 12 %", "12.0", "0.5"), ("水分 18 %", "18.0", "0.5"))),
    "47": Readings("g", "0.1", (("折算质量", "20000.0", "1.0"),)),
}

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
