"""The demo's data files (``jiliang/demo/data/*.toml``): a file edited in one place, for the tests that check its
loader refuses what would build a different or broken city."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest


def assert_edit_refused(module: ModuleType, tmp_path: Path, old: str, new: str, message: str) -> None:
    """``module.DATA_FILE`` with its first ``old`` replaced by ``new`` is refused by ``module.load`` with
    ``message``; ``old`` must be in the shipped file, so that the test edits what it means to."""
    text = module.DATA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / module.DATA_FILE.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        module.load(path)
