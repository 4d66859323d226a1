"""Writing the good rows: COPY on PostgreSQL, one parametrized INSERT per batch on SQLite. The declared
verification records of the rows (the date typed in the file) are verification's to write, with this writer
(``jiliang.verification.services.declared.records_declare_bulk``, reached through ``instruments.hooks``)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connections, router
from django.db.models import Model

from ..models import Instrument
from ..services import DESCRIPTION_FIELDS

# Rows validated and written per batch; progress is reported after each batch.
BATCH_ROWS = 2000

# The fields a row of the file sets (with the derived ones); every other column gets one value for the import.
_ROW_FIELDS = ("catalog_item_id", *DESCRIPTION_FIELDS, "registered_on", "mandatory", "due_on")


class RowWriter:
    """Writes rows with COPY on PostgreSQL, with one parametrized INSERT per batch (``executemany``) on SQLite.

    ``bulk_create`` builds a model instance per row and then prepares every field of every instance in Python;
    for this table that is about 15 µs a row and most of an import's time. Here a row is a list of values already
    in database form. The columns come from the model, so a field added later is written with its default, and
    a row field of a type this class does not know is prepared by Django itself.
    """

    def __init__(
        self, constants: dict[str, Any], *, model: type[Model] = Instrument, row_fields: tuple[str, ...] = ()
    ) -> None:
        row_fields = row_fields or _ROW_FIELDS
        self.connection = connections[router.db_for_write(model)]
        by_name = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        missing = set(row_fields) - set(by_name)
        if missing:
            raise RuntimeError(f"{model.__name__} lost the fields {sorted(missing)}: update importing's row fields")
        # The row's own fields first, then those with one value for the whole import.
        others = [f for name, f in by_name.items() if name not in row_fields]
        fields = [by_name[name] for name in row_fields] + others
        quote = self.connection.ops.quote_name
        # Only quoted names from the model's own metadata go into the statements; every value is a parameter.
        table = quote(model._meta.db_table)
        names = ", ".join(quote(f.column) for f in fields)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        self._get = operator.itemgetter(*row_fields)
        self._tail = tuple(
            f.get_db_prep_save(constants[f.attname] if f.attname in constants else f.get_default(), self.connection)
            for f in others
        )
        # A unique column with a callable default (an instrument's public key) gets a fresh value on every row: the
        # tail above holds one value for the whole import.
        self._fresh = [
            (len(row_fields) + n, f.get_default)
            for n, f in enumerate(others)
            if f.unique and callable(f.default) and f.attname not in constants
        ]
        self._adapt = [
            (position, adapt)
            for position, name in enumerate(row_fields)
            if (adapt := self._adapter(by_name[name])) is not None
        ]
        self.written = 0
        self._copy: Any = None
        self._cursor: Any = None
        self._batch: list[Any] = []

    def _adapter(self, model_field: Any) -> Callable[[Any], Any] | None:
        """How to put a value of ``model_field`` in database form; None when the driver takes it as it is."""
        kind = model_field.get_internal_type()
        if kind in ("CharField", "TextField", "BooleanField", "ForeignKey"):
            return None  # already a str, bool or int (or None)
        if kind == "DateField":
            adapt = self.connection.ops.adapt_datefield_value
            sample = date(2000, 1, 2)
            return None if adapt(sample) is sample else adapt
        return lambda value: model_field.get_db_prep_save(value, connection=self.connection)

    def params(self, values: dict[str, Any]) -> Any:
        """The values of one row, in the statements' column order (``values`` has every name in _ROW_FIELDS)."""
        row = self._get(values) + self._tail
        if not self._adapt and not self._fresh:
            return row
        adapted = list(row)
        for position, fresh in self._fresh:
            adapted[position] = fresh()
        for position, adapt in self._adapt:
            if adapted[position] is not None:
                adapted[position] = adapt(adapted[position])
        return adapted

    @contextmanager
    def stream(self) -> Iterator[None]:
        """Rows given to :meth:`add` inside this block are written by its end (earlier, as they come)."""
        self.written = 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # One COPY for the whole file: the server inserts while the next rows are validated. psycopg's
                # COPY goes around Django's cursor wrapper, so its errors (IntegrityError) are translated here.
                with self.connection.wrap_database_errors, cursor.cursor.copy(self.copy_sql) as copy:
                    self._copy = copy
                    yield
            else:
                self._cursor, self._batch = cursor, []
                yield
                self._flush()

    def add(self, row: list[Any]) -> None:
        self.written += 1
        if self._copy is not None:
            self._copy.write_row(row)
            return
        self._batch.append(row)
        if len(self._batch) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._cursor.executemany(self.insert_sql, self._batch)
            self._batch = []


def _id_ranges(ids: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges
