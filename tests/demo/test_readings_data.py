"""The demo's readings table, whatever form it is kept in, loads to exactly what the demo history has always drawn
from (the demo is deterministic: the same seed gives the same records)."""

from __future__ import annotations

import hashlib

import pytest

from jiliang.demo import readings
from tests.builders.demo import assert_edit_refused

# sha256 of repr() of the table, recorded from the Python literal before it became data; a change to a row changes
# the demo's records, and must change this on purpose.
TABLE_DIGEST = "46611756d132c00f28530d0d37fe3b0464f572b4536069c10882e03c0c024c39"


def test_table_is_the_one_the_demo_was_built_from():
    assert hashlib.sha256(repr(readings.TABLE).encode()).hexdigest() == TABLE_DIGEST


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('unit = "℃"\n', 'unit = "℃"\ncolour = "red"\n', "readings.01: unknown keys ['colour']"),
        ('step = "0.01"', "step = 0.01", "readings.01: step must be str"),
        ('["37 ℃", "37.00", "0.10"]', '["37 ℃", "37.00"]', "readings.01: expected rows of [str, str, str]"),
        ('[readings."01"]', '[reading."01"]', "unknown top-level keys ['reading']"),
    ],
)
def test_loader_refuses_data_that_would_draw_different_readings(tmp_path, old, new, message):
    assert_edit_refused(readings, tmp_path, old, new, message)
