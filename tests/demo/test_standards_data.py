"""The demo institutes' standard templates, whatever form they are kept in, load to exactly what the demo has always
built from (the demo is deterministic: ``seed_city --seed N`` gives the same city every time)."""

from __future__ import annotations

import hashlib

import pytest

from jiliang.demo import standards_data
from tests.builders.demo import assert_edit_refused

# sha256 of repr() of each exported structure, recorded from the Python literals before they became data; a
# change to a template changes the demo city, and must change these on purpose.
DIGESTS = {
    "TEMPLATES": "3d00d244e5d6a5559831fdf36c12986d5695ccfb4015493d2e0d58431c3bb09b",
    "SECOND_RANGES": "7c3c8a9d62e28f499c02af25dd5da981d9cc50b296c57f8757bbcfb7da99f96a",
    "UNCOVERED_ITEMS": "965b9a86a984f18f064c6e8d539adaef91915bf49521ebc150fcab2fd8488ae9",
    "PROCEDURE_NAMES": "6317aacb56d97216b63afdc147ed13deb5e22efd7d7b72f5ed420bd4b2947b7e",
}


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_exported_structure_is_the_one_the_demo_was_built_from(name):
    value = getattr(standards_data, name)

    assert hashlib.sha256(repr(value).encode()).hexdigest() == DIGESTS[name]


def test_templates_are_seventy_eight_with_unique_keys_and_codes():
    templates = standards_data.TEMPLATES

    assert len(templates) == 78
    assert len({t.key for t in templates}) == 78
    assert len({t.code for t in templates} | {code for code, _, _ in standards_data.SECOND_RANGES.values()}) == 78 + 17


def test_roles_are_the_two_the_institutes_builder_knows():
    roles = {piece.role for t in standards_data.TEMPLATES for piece in t.equipment}

    assert roles == {standards_data.STD, standards_data.AUX}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('key = "weights_e2"\n', 'key = "weights_e2"\ncolour = "red"\n', "unknown keys ['colour']"),
        ('shared = ["thermo_hygro"]', 'shared = ["thermo"]', "shared equipment ['thermo'] is not in [equipment]"),
        ('parent = "weights_e2"', 'parent = "weights_e3"', "parent or by names no template: ['weights_e3']"),
        ("months = 24", "months = true", "months must be int"),
        ('role = "standard"', 'role = "std"', "role must be"),
        ('key = "weights_f1"', 'key = "weights_e2"', "template keys repeat: ['weights_e2']"),
        ("pressure_precise = ", "pressure_precis = ", "second_ranges.pressure_precis"),
    ],
)
def test_loader_refuses_data_that_would_build_a_different_or_broken_city(tmp_path, old, new, message):
    assert_edit_refused(standards_data, tmp_path, old, new, message)
