"""The rows between the child and the server process, in ``marshal`` form (see :func:`encode`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

# The types python-calamine gives a cell. Dates and times have no marshal form: each becomes a tagged tuple.
_PLAIN = frozenset({str, float, int, bool, type(None)})
_TEMPORAL = {dt.date: "d", dt.datetime: "t", dt.time: "h", dt.timedelta: "s"}


def _temporal(cell: Any) -> Any:
    tag = _TEMPORAL.get(type(cell))
    if tag is None:
        return cell if type(cell) in _PLAIN else str(cell)
    if tag == "d":
        return ("d", cell.toordinal())
    if tag == "s":
        return ("s", cell.total_seconds())
    return (tag, cell.isoformat())


def encode(rows: list[list[Any]]) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The rows as columns in marshal form, and the columns that hold a date or a time.

    By column, because a column is mostly of one type: a column of text is handled by C loops alone, and marshal
    writes (and the server rebuilds) a dozen long tuples rather than one list per row. Equal strings become one
    object, so marshal writes each once and the server builds each once (a registry repeats names, makers and
    models on every row). A date becomes ``("d", ordinal)``.
    """
    seen: dict[str, str] = {}
    keep = seen.setdefault
    columns: list[tuple[Any, ...]] = []
    temporal: list[int] = []
    for index, column in enumerate(zip(*rows, strict=True)):
        types = set(map(type, column))
        if types == {str}:
            columns.append(tuple(map(keep, column, column)))
        elif types <= _PLAIN:
            columns.append(tuple(keep(c, c) if type(c) is str else c for c in column))
        else:
            temporal.append(index)
            columns.append(tuple(keep(c, c) if type(c) is str else _temporal(c) for c in column))
    return columns, temporal


def _decoded(cell: tuple[str, Any]) -> Any:
    tag, raw = cell
    if tag == "d":
        return dt.date.fromordinal(raw)
    if tag == "t":
        return dt.datetime.fromisoformat(raw)
    if tag == "h":
        return dt.time.fromisoformat(raw)
    return dt.timedelta(seconds=raw)


def _cached(cache: dict[tuple[str, Any], Any], cell: tuple[str, Any]) -> Any:
    found = cache.get(cell)
    if found is None:
        found = cache[cell] = _decoded(cell)
    return found


def decode(columns: list[tuple[Any, ...]], temporal: list[int]) -> list[tuple[Any, ...]]:
    """The rows (as tuples) with the values python-calamine gave."""
    columns = list(columns)
    cache: dict[tuple[str, Any], Any] = {}
    for index in temporal:
        columns[index] = tuple(_cached(cache, c) if type(c) is tuple else c for c in columns[index])
    return list(zip(*columns, strict=True))
