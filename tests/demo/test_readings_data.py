"""The demo's readings table: the loader refuses what it cannot read, every kind of instrument the demo registers
gets points a metrologist would sign (within its range, named for their values, under its catalog item's
procedure), and the table is pinned (the demo is deterministic: the same seed gives the same records)."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal

import pytest

from jiliang.demo import readings
from jiliang.demo.kinds import KINDS
from tests.builders.demo import NAMED_POINTS, assert_edit_refused, point_problems

# sha256 of repr() of the table; a change to a row changes the demo's records, and must change this on purpose.
TABLE_DIGEST = "91b266413d730eac852e3adb1e810106562cff6ac75b841e897610e1574ff700"


def test_table_is_the_one_the_demo_was_built_from():
    assert hashlib.sha256(repr(readings.TABLE).encode()).hexdigest() == TABLE_DIGEST


VARIANTS = [
    (key, kind.catalog, measuring_range, accuracy)
    for key, kind in KINDS.items()
    for _model, measuring_range, accuracy in kind.variants
    if kind.catalog in readings.TABLE
]


@pytest.mark.parametrize(("key", "code", "measuring_range", "accuracy"), VARIANTS)
def test_every_registered_kind_gets_points_within_its_range_and_named_for_their_values(
    key, code, measuring_range, accuracy
):
    found = readings.readings_for(code, measuring_range, accuracy)
    assert found is not None, key
    assert found.points
    problems = []
    for label, reference, mpe in found.points:
        problems += point_problems(label, Decimal(reference), found.unit, measuring_range)
        assert Decimal(mpe) > 0 and Decimal(mpe) >= Decimal(found.step) / 2, (label, mpe, found.step)
    assert not problems, problems


def test_a_scale_is_tested_from_its_minimum_to_its_maximum_capacity_at_the_loads_where_the_mpe_changes():
    # JJG 539, class Ⅲ: Min = 20 e, so the (0.02～6) kg price scale of the demo has e = 1 g.
    found = readings.readings_for("02", "(0.02～6) kg", "Ⅲ")
    assert found is not None and found.unit == "kg" and found.step == "0.0001"
    assert [(label, Decimal(ref), Decimal(mpe)) for label, ref, mpe in found.points] == [
        ("最小秤量 0.02 kg", Decimal("0.02"), Decimal("0.0005")),
        ("500e 0.5 kg", Decimal("0.5"), Decimal("0.0005")),
        ("2000e 2 kg", Decimal("2"), Decimal("0.001")),
        ("3 kg", Decimal("3"), Decimal("0.0015")),
        ("最大秤量 6 kg", Decimal("6"), Decimal("0.0015")),
    ]
    # A truck scale of the same catalog item is weighed in its own unit.
    truck = readings.readings_for("03", "(1～150) t", "Ⅲ")
    assert truck is not None and truck.unit == "t" and truck.points[-1][:2] == ("最大秤量 150 t", "150.000")


def test_no_points_rather_than_made_up_ones():
    assert readings.readings_for("30", "—", "—") is None  # no row for the item
    assert readings.readings_for("02", "30 kg", "Ⅲ") is None  # a scale without a readable range
    assert readings.readings_for("02", "(0～30) kg", "Ⅲ") is None  # nor a minimum capacity to give its interval
    assert readings.readings_for("47", "20 kg", "F1") is None  # a weight of a class the table does not give


def test_every_row_names_its_catalog_items_procedure_and_no_point_is_named_for_a_value_it_is_not():
    path = readings.DATA_FILE.parents[2] / "catalog" / "data" / "catalog-2020.csv"
    with path.open(encoding="utf-8") as file:
        procedures = {row["code"]: row["procedure"] for row in csv.DictReader(file)}
    for code, rule in readings.TABLE.items():
        assert rule.procedure == procedures[code], code
        assert rule.source.strip(), code
        for name, where, _mpe in rule.points:
            # A named end of the range is placed there, never at a number.
            for word, meaning in NAMED_POINTS.items():
                if word in name:
                    assert where == {"zero": "0", "high": "max", "low": "min"}[meaning], (code, name, where)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('unit = "℃"\n', 'unit = "℃"\ncolour = "red"\n', "readings.01: unknown keys ['colour']"),
        ('step = "0.01"', "step = 0.01", "readings.01: step must be str"),
        ('["", "37.00", "0.10"]', '["", "37.00"]', "readings.01: expected rows of [str, str, str]"),
        ('["", "37.00", "0.10"]', '["", "body", "0.10"]', "readings.01: cannot read the point ('body', '0.10')"),
        ('e = "min/20"', 'e = "max/20"', "readings.02: e must be min/<n>"),
        ('[readings."01"]', '[reading."01"]', "unknown top-level keys ['reading']"),
    ],
)
def test_loader_refuses_data_that_would_draw_different_readings(tmp_path, old, new, message):
    assert_edit_refused(readings, tmp_path, old, new, message)
