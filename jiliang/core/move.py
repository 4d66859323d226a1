"""Copy every row of every model's table from one database to another, values unchanged.

The machinery of ``manage.py move_database`` (the command's docstring says why it is built this way). Reads go
through the ORM of the source alias (its converters turn each backend's storage into the same Python values);
writes are one ``INSERT`` statement per table, executed for each chunk of rows (``executemany``) on the target
alias with each field's own ``get_db_prep_save`` and nothing else: no ``save()``, no ``pre_save()`` (which would
stamp ``auto_now`` fields with the time of the move), no signals (which would write history rows), primary keys
as they are. JSON columns travel as the text the source stores.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import zip_longest
from typing import Any, cast

import dj_database_url
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connections, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Cast, Collate

from . import audit
from .models import AuditEvent

VENDORS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class TablePlan:
    """One table to copy: the model that owns it and the columns a row is made of."""

    model: type[models.Model]
    fields: tuple[models.Field[Any, Any], ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def pk_fields(self) -> tuple[models.Field[Any, Any], ...]:
        pk = self.model._meta.pk
        if isinstance(pk, models.CompositePrimaryKey):
            # Columns of the table (the stubs allow a relation's reverse side as well).
            return cast(tuple[models.Field[Any, Any], ...], tuple(pk.fields))
        return (pk,)

    @property
    def auto_pk(self) -> models.Field[Any, Any] | None:
        pk = self.model._meta.pk
        return pk if isinstance(pk, models.AutoField) else None


@dataclass
class Comparison:
    plan: TablePlan
    source_rows: int = 0
    target_rows: int = 0
    first_difference: Any = None

    @property
    def equal(self) -> bool:
        return self.first_difference is None and self.source_rows == self.target_rows


@dataclass
class Readiness:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- databases ----------------------------------------------------------------------------------------------------


def add_database(alias: str, url: str) -> None:
    """Register ``url`` as connection ``alias`` for this process (the second database of a move)."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # As settings.py configures the default: a writer takes the lock at BEGIN and waits for it, not fail.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # configure_settings fills Django's per-connection defaults; it insists on a "default" key.
    connections.settings[alias] = connections.configure_settings({"default": config})["default"]


def describe(alias: str) -> str:
    """The database of ``alias`` without its password, for messages."""
    s = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return f"SQLite {s['NAME']}"
    where = f"{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}"
    user = f"{s['USER']}@" if s.get("USER") else ""
    return f"{vendor} {user}{where}/{s['NAME']}"


def same_database(a: str, b: str) -> bool:
    """Whether two aliases reach one database, however its address is spelt (``localhost`` or ``127.0.0.1``)."""
    return _identity(a) == _identity(b)


def _identity(alias: str) -> tuple[Any, ...]:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        return ("sqlite", os.path.realpath(str(connection.settings_dict["NAME"])))
    with connection.cursor() as cursor:
        # Readable by any user, unlike the data directory: one server (its start) and one database on it.
        cursor.execute("SELECT pg_postmaster_start_time(), inet_server_port(), current_database()")
        return (connection.vendor, *cursor.fetchone())


# -- what is copied -------------------------------------------------------------------------------------------------


def copy_plan() -> list[TablePlan]:
    """Every table a model owns, generically: each app's models, auto-created many-to-many tables, historical
    tables and third-party apps alike; parents before children so that a non-deferrable foreign key holds too."""
    plans: dict[str, TablePlan] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        # Proxies and swapped-out models have no table of their own; unmanaged ones are not ours to fill.
        if meta.proxy or meta.swapped or not meta.managed or meta.db_table in plans:
            continue
        fields = tuple(f for f in meta.local_concrete_fields if not getattr(f, "generated", False) and f.column)
        plans[meta.db_table] = TablePlan(model, fields)
    return _dependency_order(list(plans.values()))


def _dependency_order(plans: list[TablePlan]) -> list[TablePlan]:
    by_model = {p.model: p for p in plans}
    needs: dict[TablePlan, set[TablePlan]] = {}
    for plan in plans:
        targets = {f.related_model for f in plan.fields if f.is_relation and f.related_model is not None}
        needs[plan] = {by_model[m] for m in targets if m in by_model and m is not plan.model}
    ordered: list[TablePlan] = []
    done: set[TablePlan] = set()
    remaining = sorted(plans, key=lambda p: p.label)
    while remaining:
        ready = [p for p in remaining if needs[p] <= done]
        # A cycle of foreign keys: take the rest in name order; the target's deferred constraints hold them.
        batch = ready or remaining
        ordered.extend(batch)
        done.update(batch)
        remaining = [p for p in remaining if p not in done]
    return ordered


# -- before the move ----------------------------------------------------------------------------------------------


def check_ready(source: str, target: str, plans: list[TablePlan]) -> Readiness:
    """Everything that must hold before a row is written; each problem is a sentence for the operator."""
    from django.utils.translation import gettext as _

    ready = Readiness()
    for alias in (source, target):
        vendor = connections[alias].vendor
        if vendor not in VENDORS:
            ready.problems.append(_("不支持的数据库：%(db)s（只支持 SQLite 和 PostgreSQL）") % {"db": describe(alias)})
    if ready.problems:
        return ready
    if same_database(source, target):
        ready.problems.append(_("源数据库和目标数据库是同一个数据库：%(db)s") % {"db": describe(source)})
        return ready

    applied = {}
    for alias, which in ((source, _("源数据库")), (target, _("目标数据库"))):
        executor = MigrationExecutor(connections[alias])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            first = pending[0][0]
            ready.problems.append(
                _(
                    "%(which)s（%(db)s）没有迁移到当前代码的状态：还有 %(n)s 个迁移未执行（第一个：%(first)s）。"
                    "请先对它执行 python manage.py migrate"
                )
                % {"which": which, "db": describe(alias), "n": len(pending), "first": f"{first.app_label}.{first.name}"}
            )
        applied[alias] = {key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes}
    if ready.problems:
        return ready
    if applied[source] != applied[target]:
        differ = sorted(applied[source] ^ applied[target])
        ready.problems.append(
            _("源数据库与目标数据库已执行的迁移不同：%(names)s")
            % {"names": ", ".join(f"{a}.{n}" for a, n in differ[:10])}
        )
        return ready

    wanted = {p.table for p in plans}
    for alias, which in ((source, _("源数据库")), (target, _("目标数据库"))):
        present = set(connections[alias].introspection.table_names())
        missing = sorted(wanted - present)
        if missing:
            ready.problems.append(_("%(which)s缺少数据表：%(tables)s") % {"which": which, "tables": ", ".join(missing)})
        # django_migrations stays the target's own; sqlite_* are SQLite's internal tables (statistics, sequences).
        unowned = sorted(t for t in present - wanted - {"django_migrations"} if not t.startswith("sqlite_"))
        if alias == source and unowned:
            ready.notes.append(
                _("源数据库中以下数据表不属于任何模型，不复制：%(tables)s") % {"tables": ", ".join(unowned)}
            )
    if ready.problems:
        return ready

    # A fresh target holds only what migrations wrote: no one has logged an event or a user there, and tables
    # guarded by a trigger (issued records, which may refuse DELETE) are empty, so emptying the target is safe.
    guarded = {p.table for p in plans} & triggered_tables(target)
    must_be_empty = [p for p in plans if p.model in (AuditEvent, get_user_model()) or p.table in guarded]
    used = [f"{p.table} ({n})" for p in must_be_empty if (n := p.model._base_manager.using(target).count())]
    if used:
        ready.problems.append(
            _(
                "目标数据库不是新建并刚迁移的数据库，以下数据表已有数据：%(tables)s。"
                "请新建一个空数据库，执行 migrate 后再迁入"
            )
            % {"tables": ", ".join(used)}
        )
    return ready


def triggered_tables(alias: str) -> set[str]:
    """Tables with a trigger of their own (e.g. one that refuses UPDATE and DELETE of issued records)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
            )
        else:
            cursor.execute("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


# -- the move -------------------------------------------------------------------------------------------------------


def begin_source(alias: str) -> None:
    """First statement of the source's transaction: one snapshot for every table, and nothing written."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    # SQLite: a transaction in WAL mode reads one snapshot already.


def begin_target(alias: str) -> None:
    """Foreign keys are checked at commit (after :func:`check_foreign_keys`), not row by row."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django creates its foreign keys DEFERRABLE INITIALLY DEFERRED; this covers any other deferrable one.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            # Until commit, also for a foreign key not declared DEFERRABLE; reset by SQLite at commit.
            cursor.execute("PRAGMA defer_foreign_keys = ON")


def empty(alias: str, plans: list[TablePlan]) -> int:
    """Delete what the target's migrations wrote (content types, permissions, catalog, fees, plans): the
    source's rows replace them with the source's ids. Returns how many rows there were."""
    connection = connections[alias]
    rows = sum(p.model._base_manager.using(alias).count() for p in plans)
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), [p.table for p in plans], reset_sequences=False):
            cursor.execute(sql)
    return rows


def count(alias: str, plan: TablePlan) -> int:
    return plan.model._base_manager.using(alias).count()


def _rows(alias: str, plan: TablePlan, chunk_size: int) -> Iterator[tuple[Any, ...]]:
    """The table's rows in primary-key order, JSON as the text stored; the same order on every backend."""
    connection = connections[alias]
    columns = [
        Cast(models.F(f.attname), models.TextField()) if isinstance(f, models.JSONField) else f.attname
        for f in plan.fields
    ]
    order: list[Collate | models.F] = []
    for pk in plan.pk_fields:
        if pk.get_internal_type() in {"CharField", "TextField", "SlugField", "EmailField"}:
            # Byte order on both backends (PostgreSQL's default collation sorts text by locale).
            order.append(Collate(models.F(pk.attname), "C" if connection.vendor == "postgresql" else "BINARY"))
        else:
            order.append(models.F(pk.attname))
    queryset = plan.model._base_manager.using(alias).order_by(*order).values_list(*columns)
    return queryset.iterator(chunk_size=chunk_size)


def _json_text_adapter(alias: str) -> Callable[[str], Any]:
    if connections[alias].vendor == "postgresql":
        from django.db.backends.postgresql.psycopg_any import Jsonb

        # The text is already JSON: let the driver tag it as jsonb without parsing and dumping it again.
        return lambda text: Jsonb(text, dumps=lambda same: same)
    return lambda text: text


def copy_table(
    source: str,
    target: str,
    plan: TablePlan,
    *,
    chunk_size: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert every row of ``plan`` from ``source`` into ``target``; memory stays at one chunk."""
    connection = connections[target]
    ops = connection.ops
    json_text = _json_text_adapter(target)
    preps: list[Callable[[Any], Any]] = []
    for f in plan.fields:
        if isinstance(f, models.JSONField):
            preps.append(lambda v: None if v is None else json_text(v))
        else:
            preps.append(partial(f.get_db_prep_save, connection=connection))
    # Identifiers from the models' metadata, quoted by the backend; every value is a bound parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        ops.quote_name(plan.table),
        ", ".join(ops.quote_name(_column(f)) for f in plan.fields),
        ", ".join(["%s"] * len(plan.fields)),
    )
    done = 0
    with connection.cursor() as cursor:
        for rows in _batches(_rows(source, plan, chunk_size), chunk_size):
            # One short statement for many rows: sqlite3 loops in C, psycopg pipelines them; a multi-row VALUES
            # of thousands of literals costs more to compose than to run.
            cursor.executemany(sql, [[prep(v) for prep, v in zip(preps, row, strict=True)] for row in rows])
            done += len(rows)
            # With DEBUG on, Django keeps the last 9 000 statements with their parameters.
            connection.queries_log.clear()
            connections[source].queries_log.clear()
            if progress is not None:
                progress(done)
    return done


def _column(f: models.Field[Any, Any]) -> str:
    """The field's column: every field of a plan is concrete, so it has one (the stubs allow None)."""
    return cast(str, f.column)


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_foreign_keys(alias: str) -> None:
    """Raise IntegrityError now, with the table named, rather than at commit."""
    connections[alias].check_constraints()


def compare(source: str, target: str, plan: TablePlan, *, chunk_size: int) -> Comparison:
    """Both tables row by row in the same order, as Python values (JSON as parsed values: PostgreSQL's jsonb keeps
    neither key order nor spacing)."""
    import json

    json_at = [i for i, f in enumerate(plan.fields) if isinstance(f, models.JSONField)]
    pk_at = [i for i, f in enumerate(plan.fields) if f in plan.pk_fields]

    def values(row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not json_at:
            return row
        parsed = list(row)
        for i in json_at:
            if parsed[i] is not None:
                parsed[i] = json.loads(parsed[i])
        return tuple(parsed)

    result = Comparison(plan)
    # A row is a tuple, never None: None is what zip_longest gives once one side has no rows left.
    for a, b in zip_longest(_rows(source, plan, chunk_size), _rows(target, plan, chunk_size)):
        if a is not None:
            result.source_rows += 1
        if b is not None:
            result.target_rows += 1
        if result.first_difference is None and (a is None or b is None or values(a) != values(b)):
            row = a if a is not None else b
            assert row is not None  # zip_longest pads one side only
            result.first_difference = tuple(row[i] for i in pk_at) if len(pk_at) > 1 else row[pk_at[0]]
    connections[source].queries_log.clear()
    connections[target].queries_log.clear()
    return result


def verify_audit(alias: str) -> audit.Break | None:
    return audit.verify(AuditEvent.objects.using(alias).order_by("id").iterator(chunk_size=2000))


def last_audit_event(alias: str) -> tuple[int, str] | None:
    return AuditEvent.objects.using(alias).order_by("-id").values_list("id", "hash").first()


# -- sequences ------------------------------------------------------------------------------------------------------


def high_water_marks(alias: str, plans: list[TablePlan]) -> dict[str, int]:
    """The last id each auto-numbered table has handed out, deleted rows included, so that the target never
    hands an id out again (audit events and old links name objects by id)."""
    connection = connections[alias]
    marks: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for plan in plans:
                if plan.auto_pk is None:
                    continue
                cursor.execute(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass)",
                    [connection.ops.quote_name(plan.table), plan.auto_pk.column],
                )
                value = cursor.fetchone()[0]
                if value is not None:
                    marks[plan.table] = int(value)
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT name, seq FROM sqlite_sequence")
                marks = {name: int(seq) for name, seq in cursor.fetchall() if seq is not None}
    return marks


def reset_sequences(alias: str, plans: list[TablePlan], source_marks: dict[str, int]) -> None:
    """Each sequence to the largest id copied (Django's own reset), then up to the source's high-water mark."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [p.model for p in plans]):
            cursor.execute(sql)
        for plan in plans:
            if plan.auto_pk is None:
                continue
            column = connection.ops.quote_name(_column(plan.auto_pk))
            cursor.execute(f"SELECT MAX({column}) FROM {connection.ops.quote_name(plan.table)}")  # noqa: S608
            highest = max(cursor.fetchone()[0] or 0, source_marks.get(plan.table, 0))
            if connection.vendor == "postgresql":
                if highest:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), %s, true)",
                        [connection.ops.quote_name(plan.table), plan.auto_pk.column, highest],
                    )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [plan.table])
                if highest:
                    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [plan.table, highest])


def elapsed(start: float) -> float:
    return time.perf_counter() - start
