"""Reading the demo's data files (``data/*.toml``): every key known and every value of its type, so that an edit
which would build a silently different city is refused when the file is read."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(path: Path, top_level: Collection[str]) -> dict[str, Any]:
    """The file's tables; a top-level key other than ``top_level`` is an error."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    unknown = sorted(set(data) - set(top_level))
    if unknown:
        raise ValueError(f"{path.name}: unknown top-level keys {unknown}")
    return data


def _typed(value: Any, kind: type) -> bool:
    # bool is an int: months = true must not pass as 1.
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def fields(row: Any, types: Mapping[str, type], where: str, optional: Collection[str] = ()) -> dict[str, Any]:
    """``row``'s keys, each of its type; an unknown or missing key is an error, not a silently different city."""
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a table, got {row!r}")
    unknown = sorted(set(row) - set(types))
    missing = sorted(set(types) - set(row) - set(optional))
    if unknown or missing:
        raise ValueError(f"{where}: unknown keys {unknown}, missing keys {missing}")
    for name, value in row.items():
        if not _typed(value, types[name]):
            raise ValueError(f"{where}: {name} must be {types[name].__name__}, got {value!r}")
    return dict(row)


def strings(values: list[Any], where: str) -> tuple[str, ...]:
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"{where}: expected a list of strings, got {values!r}")
    return tuple(values)


def rows(values: list[Any], types: tuple[type, ...], where: str) -> tuple[tuple[Any, ...], ...]:
    """A list of rows, each a list of one value of each of ``types`` in turn, as tuples."""
    for value in values:
        if not (
            isinstance(value, list)
            and len(value) == len(types)
            and all(_typed(item, kind) for item, kind in zip(value, types, strict=True))
        ):
            names = ", ".join(kind.__name__ for kind in types)
            raise ValueError(f"{where}: expected rows of [{names}], got {value!r}")
    return tuple(tuple(value) for value in values)
