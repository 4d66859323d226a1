"""The data files shipped in ``jiliang/metrology/data/``: the tables the rules read, each with its source and how sure
we are of it (``data/README.md``). A module's default table is read from its file once, at its first use."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

DATA_DIR = Path(__file__).resolve().parent / "data"

T = TypeVar("T")


def shipped(name: str, build: Callable[[Any], T]) -> Callable[[], T]:
    """A function returning ``build`` of the JSON file ``name`` in ``data/``; the file is read at its first call.

    >>> first_year = shipped("holidays_cn.json", lambda data: min(data["years"]))
    >>> first_year(), first_year() is first_year()
    ('2015', True)
    """

    @cache
    def load() -> T:
        return build(json.loads((DATA_DIR / name).read_text(encoding="utf-8")))

    return load
