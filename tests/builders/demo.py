"""The demo's data files (``jiliang/demo/data/*.toml``): a file edited in one place, for the tests that check its
loader refuses what would build a different or broken city; and what a metrologist checks in a reading point."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from jiliang.metrology.verification import parse_range


def assert_edit_refused(module: ModuleType, tmp_path: Path, old: str, new: str, message: str) -> None:
    """``module.DATA_FILE`` with its first ``old`` replaced by ``new`` is refused by ``module.load`` with
    ``message``; ``old`` must be in the shipped file, so that the test edits what it means to."""
    text = module.DATA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / module.DATA_FILE.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        module.load(path)


# A name that says what value the point is: the empty scale (zero), the largest and the smallest load.
NAMED_POINTS = {"空秤": "zero", "零点": "zero", "最大秤量": "high", "满量程": "high", "最小秤量": "low"}
_NUMBER = r"[-+]?\d+(?:\.\d+)?"


def point_problems(label: str, reference: Decimal, unit: str, measuring_range: str) -> list[str]:
    """What a metrologist would not sign in one point of a record: a reference outside the instrument's measuring
    range (when the register states one plain range in the record's unit), a name whose value is not the reference
    (空秤 not 0, 最大秤量 not the top of the range, "… 10 kg" not 10)."""
    span = parse_range(measuring_range)
    comparable = span is not None and span.unit in ("", unit)
    where = f"{measuring_range} {label!r} = {reference} {unit}"
    problems = []
    if comparable and span is not None and not span.contains(reference):
        problems.append(f"outside the range: {where}")
    for name, meaning in NAMED_POINTS.items():
        if name not in label:
            continue
        if meaning == "zero" and reference != 0:
            problems.append(f"{name} is not zero: {where}")
        if comparable and span is not None and meaning in ("high", "low"):
            expected = span.high if meaning == "high" else span.low
            if reference != expected:
                problems.append(f"{name} is not {expected}: {where}")
    stated = re.search(rf"({_NUMBER})\s*{re.escape(unit)}$", label) if unit else None
    if stated and Decimal(stated.group(1)) != reference:
        problems.append(f"the name states {stated.group(1)}: {where}")
    return problems
