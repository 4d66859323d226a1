"""The instruments of the demo city: drawn as plain rows per owner, written in batches without the ORM's per-value
preparation, into a table whose secondary indexes are rebuilt once at the end."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models

from jiliang.catalog.models import CatalogItem
from jiliang.core import clock
from jiliang.core.models import Organization
from jiliang.instruments.models import Instrument, new_public_key
from jiliang.instruments.services import DESCRIPTION_FIELDS, derive
from jiliang.metrology import due

from . import names
from .kinds import CATEGORY_SHARES, KINDS, Kind
from .owners import OwnerPlan, apportion

Category = Organization.Category
BATCH_SIZE = 5_000


# Target due-state mix by verification mode: (valid, due_soon, overdue, never).
STATE_MIX = {
    due.Mode.PERIODIC: (0.78, 0.06, 0.10, 0.06),
    due.Mode.FIRST_ONLY_FIXED_LIFE: (0.90, 0.02, 0.05, 0.03),
    due.Mode.FIRST_ONLY_SCRAP: (0.93, 0.0, 0.0, 0.07),
}
STATUS_MIX = ((Instrument.Status.IN_USE, 0.95), (Instrument.Status.STOPPED, 0.03), (Instrument.Status.SCRAPPED, 0.02))


class Draw:
    """``randint`` and ``choice`` with one ``random()`` call each: the row loop runs 10^6 times, and the
    library's rejection sampling made up a third of the seed's time. Deterministic like the stream it reads."""

    __slots__ = ("random",)

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, seq: tuple | list) -> Any:
        return seq[int(self.random() * len(seq))]


@functools.lru_cache(maxsize=64)
def _interval_ago(today: date, months: int) -> date:
    return due.add_months(today, -months)


def _last_verified(draw: Draw, item: CatalogItem | None, mandatory: bool, today: date) -> date | None:
    """A last-verification date that puts a mandatory instrument in a chosen due state (most valid, some due
    within 30 days, some overdue, some never verified). The state itself is then derived, not assumed."""
    if not mandatory or item is None or item.mode not in STATE_MIX:
        return None if draw.random() < 0.4 else today - timedelta(days=draw.between(0, 730))
    valid, soon, overdue, _never = STATE_MIX[item.mode]
    roll = draw.random()
    if item.mode == due.Mode.FIRST_ONLY_SCRAP or not item.interval_months:
        return today - timedelta(days=draw.between(0, 1500)) if roll < valid else None
    # Verified exactly one interval ago means due yesterday.
    base = _interval_ago(today, item.interval_months)
    if roll < valid:
        return base + timedelta(days=draw.between(32, max(32, (today - base).days)))
    if roll < valid + soon:
        return base + timedelta(days=draw.between(1, 30))
    if roll < valid + soon + overdue:
        return base - timedelta(days=draw.between(0, 540))
    return None


def _location(draw: Draw, kind: Kind, plan: OwnerPlan) -> str:
    county = plan.county
    if kind.location == "home":
        return (
            f"{county.name}{draw.pick(names.ROADS)}{draw.between(1, 299)}号"
            f"{draw.between(1, 30)}栋{draw.between(1, 6)}-{draw.between(1, 18)}0{draw.between(1, 4)}"
        )
    if kind.location == "building":
        return f"{county.name}{draw.pick(names.ROADS)}{draw.between(1, 399)}号"
    if kind.location == "taxi":
        return f"{county.plate}·T{draw.between(0, 9999):04d}"
    category = plan.organization.category
    if category == Category.HOSPITAL:
        return draw.pick(names.DEPARTMENTS)
    if category == Category.FACTORY:
        return draw.pick(names.FACTORY_PLACES)
    if category == Category.SCHOOL:
        return draw.pick(names.SCHOOL_PLACES)
    if plan.profile.places:
        return draw.pick(plan.profile.places).replace("{n}", str(draw.between(1, 60)))
    return ""


# The columns the maker draws, in this order; the writer adds the rest (ids, timestamps, defaults).
# ``last_verified_on`` is no column: the writer makes it a declared verification record.
DRAWN_COLUMNS = (
    "owner_id",
    "region_id",
    "catalog_item_id",
    *DESCRIPTION_FIELDS,
    "status",
    "registered_on",
    "mandatory",
    "last_verified_on",
    "due_on",
)


class InstrumentMaker:
    """Draws one owner's instruments as rows (tuples in :data:`DRAWN_COLUMNS` order).

    ``mandatory`` and ``due_on`` come from :func:`derive`, run once per distinct (catalog row, usage, last
    verification) on one reused probe instance: building a model instance per row would cost more than writing
    the row.
    """

    def __init__(self, rng: random.Random, catalog: dict[str, CatalogItem], today: date) -> None:
        self.rng = rng
        self.catalog = catalog
        self.today = today
        self.soon_days = settings.JILIANG_DUE_SOON_DAYS
        self._probe = Instrument()
        self._derived: dict[tuple[str | None, str, date | None], tuple[bool, date | None]] = {}

    def derived(self, item: CatalogItem | None, usage: str, last: date | None) -> tuple[bool, date | None]:
        """``(mandatory, due_on)`` as :func:`derive` sets them, remembered per distinct input."""
        key = (item.code if item else None, usage, last)
        found = self._derived.get(key)
        if found is None:
            probe = self._probe
            probe.usage = usage
            derive(probe, item, last)
            found = self._derived[key] = (probe.mandatory, probe.due_on)
        return found

    def for_owner(self, plan: OwnerPlan) -> Iterator[tuple]:
        rng, today = self.rng, self.today
        draw = Draw(rng)
        owner = plan.organization
        mix = plan.profile.mix
        picks = rng.choices(range(len(mix)), weights=[w for _k, _u, w in mix], k=plan.instruments)
        statuses = [s for s, _w in STATUS_MIX]
        status_picks = rng.choices(statuses, weights=[w for _s, w in STATUS_MIX], k=plan.instruments)
        serials: set[str] = set()  # membership only
        asset_prefix = "ZC" if owner.category in (Category.HOSPITAL, Category.FACTORY, Category.SCHOOL) else ""
        in_use = Instrument.Status.IN_USE
        for seq, (pick, status) in enumerate(zip(picks, status_picks, strict=True), start=1):
            kind_key, usage, _weight = mix[pick]
            kind = KINDS[kind_key]
            item = self.catalog[kind.catalog] if kind.catalog else None
            maker, serial_prefix = draw.pick(kind.makers)
            model, measuring_range, accuracy = draw.pick(kind.variants)
            mandatory, _due = self.derived(item, usage, None)
            last = _last_verified(draw, item, mandatory, today)
            mandatory, due_on = self.derived(item, usage, last)
            if last is not None and item is not None and item.mode != due.Mode.PERIODIC:
                # Initial-only instruments (utility meters) are registered when installed, just after verification.
                registered = min(today, last + timedelta(days=draw.between(0, 20)))
            elif last is None and draw.random() < 0.6:
                registered = today - timedelta(days=draw.between(0, 90))
            else:
                registered = today - timedelta(days=draw.between(0, 8 * 365))
            year = min(last or registered, registered).year - draw.between(0, 1)
            while True:
                serial = f"{serial_prefix}{year % 100:02d}{draw.between(0, 999_999):06d}"
                if serial not in serials:
                    serials.add(serial)
                    break
            state = due.due_state(
                due_on,
                today=today,
                mandatory=mandatory and status == in_use,
                verified=last is not None,
                soon_days=self.soon_days,
            )
            plan.states[state] = plan.states.get(state, 0) + 1
            yield (
                owner.pk,
                owner.region_id,
                item.id if item else None,
                usage,
                kind.name,
                maker,
                model,
                serial,
                f"{asset_prefix}{registered.year}{seq:05d}" if asset_prefix else "",
                accuracy,
                measuring_range,
                _location(draw, kind, plan),
                str(status),
                registered,
                mandatory,
                last,
                due_on,
            )


class InstrumentWriter:
    """Writes drawn rows: ``COPY`` on PostgreSQL, ``executemany`` of one prepared INSERT on SQLite.

    ``bulk_create`` spends most of its time preparing each value through the model fields (measured about 7×
    slower than this on SQLite, see bench/bench_seed.py); the rows here are already plain values. Columns the
    maker does not draw get their model default (timestamps: now), so a new column with a default does not
    break the seed.

    A drawn last-verification date becomes a declared verification record (the owner's statement from before
    the platform) and the instrument's ``last_verification``. The writer numbers both rows itself (from the
    tables' largest ids), so each instrument row carries its record's id and no UPDATE is needed; records go in
    first, so the deferred foreign-key checks find their instrument by an indexed column. :meth:`finish` moves
    PostgreSQL's sequences past the ids used.
    """

    def __init__(self) -> None:
        from jiliang.verification.models import Service, VerificationRecord

        self.record_model = VerificationRecord
        now = clock.now()
        self.last_index = DRAWN_COLUMNS.index("last_verified_on")
        self.due_index = DRAWN_COLUMNS.index("due_on")
        drawn = [name for name in DRAWN_COLUMNS if name != "last_verified_on"]
        self.insert_sql, self.copy_sql, self.tail, self.date_indexes = self._statements(
            Instrument, ["id", *drawn, "last_verification_id", "public_key"], now, {}
        )
        self.record_insert_sql, self.record_copy_sql, self.record_tail, _dates = self._statements(
            VerificationRecord,
            ["id", "instrument_id", "performed_on", "next_due_on"],
            now,
            {
                "kind": Service.VERIFICATION.value,
                "source": VerificationRecord.Source.DECLARED.value,
                "conclusion": VerificationRecord.Conclusion.PASS.value,
            },
        )
        self.vendor = connection.vendor
        with connection.cursor() as cursor:
            self.next_id = self._max_id(cursor, Instrument) + 1
            self.next_record_id = self._max_id(cursor, VerificationRecord) + 1

    @staticmethod
    def _max_id(cursor: Any, model: type[models.Model]) -> int:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return cursor.fetchone()[0] or 0

    @staticmethod
    def _statements(
        model: type[models.Model], drawn: list[str], now: Any, constants: dict[str, Any]
    ) -> tuple[str, str, tuple, list[int]]:
        """INSERT and COPY statements for ``drawn`` columns then every other one (with its constant)."""
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in drawn if name not in by_attname]
        if unknown:
            raise RuntimeError(f"{model.__name__} has no columns {unknown}")
        # The drawn columns first, then every other column with a constant already prepared for the database.
        rest = [f for name, f in by_attname.items() if name not in drawn]

        def constant(f: models.Field) -> Any:
            if f.attname in constants:
                return constants[f.attname]
            return now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()

        tail = tuple(f.get_db_prep_save(constant(f), connection) for f in rest)
        date_indexes = [
            i
            for i, name in enumerate(drawn)
            if isinstance(by_attname[name], models.DateField) and not isinstance(by_attname[name], models.DateTimeField)
        ]
        columns = [by_attname[name].column for name in drawn] + [f.column for f in rest]
        table = connection.ops.quote_name(model._meta.db_table)
        names_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        insert_sql = f"INSERT INTO {table} ({names_sql}) VALUES ({placeholders})"  # noqa: S608 (no user input)
        return insert_sql, f"COPY {table} ({names_sql}) FROM STDIN", tail, date_indexes

    def _prepared(self, rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
        """The instrument rows and the declared-record rows, numbered and in database form."""
        adapt_date = connection.ops.adapt_datefield_value
        dates, tail, record_tail = self.date_indexes, self.tail, self.record_tail
        last_index, due_index = self.last_index, self.due_index
        instruments, records = [], []
        for row in rows:
            instrument_id = self.next_id
            self.next_id += 1
            last = row[last_index]
            record_id = None
            if last is not None:
                record_id = self.next_record_id
                self.next_record_id += 1
                records.append((record_id, instrument_id, adapt_date(last), adapt_date(row[due_index]), *record_tail))
            values = [instrument_id, *row[:last_index], *row[last_index + 1 :], record_id, new_public_key()]
            for i in dates:
                values[i] = adapt_date(values[i])
            instruments.append((*values, *tail))
        return instruments, records

    def write(self, rows: list[tuple]) -> None:
        instruments, records = self._prepared(rows)
        with connection.cursor() as cursor:
            for sql, copy_sql, batch in (
                (self.record_insert_sql, self.record_copy_sql, records),
                (self.insert_sql, self.copy_sql, instruments),
            ):
                if not batch:
                    continue
                if self.vendor == "postgresql":
                    with cursor.cursor.copy(copy_sql) as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    cursor.executemany(sql, batch)

    def finish(self) -> None:
        """After the last :meth:`write`: the next ids the database hands out follow the ones written here."""
        from django.core.management.color import no_style

        statements = connection.ops.sequence_reset_sql(no_style(), [Instrument, self.record_model])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def allocate_instruments(rng: random.Random, plans: list[OwnerPlan], total: int) -> None:
    categories = [c for c, _o, _i in CATEGORY_SHARES]
    by_category = {c: [p for p in plans if p.organization.category == c] for c in categories}
    present = [c for c in categories if by_category[c]]
    shares = [next(i for c2, _o, i in CATEGORY_SHARES if c2 == c) for c in present]
    for category, n in zip(present, apportion(total, shares), strict=True):
        group = by_category[category]
        weights = [p.profile.size * rng.lognormvariate(0.0, 0.7) for p in group]
        for plan, count in zip(group, apportion(n, weights, minimum=1), strict=True):
            plan.instruments = count


KEEP_INDEXED = ("last_verification_id",)


def _leads_with(sql: str, columns: tuple[str, ...]) -> bool:
    """Whether a CREATE INDEX statement's first column is one of ``columns``.

    >>> _leads_with('CREATE INDEX "x" ON "t" ("last_verification_id")', ("last_verification_id",))
    True
    >>> _leads_with('CREATE INDEX x ON public.t USING btree (owner_id, last_verification_id)', ("last_verification_id",))
    False
    """
    inside = sql[sql.index("(") + 1 :]
    first = inside.split(",")[0].split(")")[0].strip().strip('"')
    return first in columns


@contextmanager
def secondary_indexes_dropped(model: type[models.Model]) -> Iterator[None]:
    """Drop the table's secondary indexes for a bulk load into it and rebuild them afterwards: one sort per
    index instead of a random B-tree insert per row and index (about halves the 10^6 build on SQLite).

    The exact statements are read back from the database (``sqlite_master`` / ``pg_indexes``), so the rebuilt
    indexes are the migrated ones. Must run inside the caller's transaction: on an error the rollback restores
    them. Indexes that back a constraint on PostgreSQL (the primary key) are left alone.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("secondary_indexes_dropped must run inside transaction.atomic()")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                " WHERE i.schemaname = current_schema() AND i.tablename = %s AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint c"
                "  WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                [table],
            )
        indexes = sorted(cursor.fetchall()) if connection.vendor in ("sqlite", "postgresql") else []
        # An index that leads with a foreign key pointing at this table from a row written in the same load stays:
        # the verification records are written first, and without it SQLite scans the whole instrument table
        # for the pending foreign-key check of every record (quadratic: 10^4 instruments 2.7 s → 8.7 s).
        indexes = [(name, sql) for name, sql in indexes if not _leads_with(sql, KEEP_INDEXED)]
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    if connection.vendor == "postgresql":
        # PostgreSQL refuses CREATE INDEX on a table with pending (deferred) foreign-key checks: run them now.
        connection.check_constraints()
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
