"""``manage.py move_database --to DATABASE_URL [--from DATABASE_URL] [--chunk-size N]``: move every row of every
table from one database to another (SQLite → PostgreSQL when a city grows, and back), values unchanged, so that
``audit_verify`` and every certificate's signature still hold on the target. The source is the configured database
(``DATABASE_URL``) unless ``--from`` names another. Operators' guide: ``docs/moving.md``.

Why not ``dumpdata``/``loaddata``: its JSON keeps timestamps to the millisecond, and the hash of each audit event
covers ``at`` to the microsecond, so the chain broke at event 1; it also saves through ``save()``, where
``auto_now`` fields take the time of the load.

How the move is made, and why:

- **The target** must be a database freshly migrated by this code: every migration the code has is applied on both
  sides, and the two applied sets are equal (otherwise: refused, naming the first missing migration). "Fresh" means
  nobody has used it: no audit event, no user, and no row in a table guarded by a trigger (the issued records,
  whose triggers refuse DELETE and UPDATE; whatever triggers exist are found in the catalog, not listed here).
  Anything else is refused before a row is written, with what was found.
- **Rows the target's migrations already wrote** (content types, permissions, the catalog, procedures, fees,
  shipped plans) are deleted first and replaced by the source's, so ids and every row end up the source's.
- **One transaction on each side.** The source is read in one transaction (PostgreSQL: REPEATABLE READ, READ ONLY;
  SQLite: a WAL snapshot), so every table comes from the same moment. The target is emptied, filled, checked
  and only then committed: if anything differs, it is rolled back and stays as it was.
- **Which tables**: ``apps.get_models(include_auto_created=True)``, so every app's tables, the auto-created
  many-to-many tables, django-simple-history's historical tables and any third-party app installed later come along
  without a list to keep up; proxies, swapped-out and unmanaged models have no table of their own. ``django_migrations``
  stays the target's own. Tables in the source that no model owns are named, not copied.
- **ORM to read, plain INSERTs to write.** The source's rows are read with ``values_list(...).iterator()`` on a
  second connection alias added at run time, so each backend's converters turn its storage (SQLite's text
  timestamps, PostgreSQL's timestamptz, numerics, booleans, UUIDs) into the same Python values; each value is
  written with its field's ``get_db_prep_save`` for the target's backend, one ``INSERT`` per table executed for
  each chunk of rows (``executemany``: sqlite3 loops in C, psycopg pipelines).
  Not ``bulk_create``: it runs ``pre_save()``, which stamps ``auto_now``/``auto_now_add`` fields with the time of the
  move. Not ``save()``: signals would write history rows and the issued models refuse it. Not raw cursors on both
  sides: each backend stores timestamps, booleans, decimals and UUIDs differently, and converting them by hand is
  what the ORM's field converters already do. JSON columns travel as the text the source stores (read with a cast
  to text, written as that text), so JSON is neither parsed nor re-encoded; only PostgreSQL's ``jsonb`` normalises
  key order and spacing, which the audit hash and the certificate signature do not depend on (both canonicalise).
  Decimals are exact, within SQLite's 15 significant digits when SQLite is one of the two.
- **Foreign keys**: tables are filled parents first (a topological order of the foreign keys), and the checks are
  deferred for cycles and self-references (a correcting certificate points to the certificate it supersedes):
  Django creates PostgreSQL foreign keys DEFERRABLE INITIALLY DEFERRED and ``SET CONSTRAINTS ALL DEFERRED`` covers
  the others that are deferrable; on SQLite ``PRAGMA defer_foreign_keys``. Every foreign key is then checked before
  commit, so a dangling reference is named instead of failing at COMMIT.
- **Triggers**: a fresh target has no issued rows, so emptying it fires no trigger; inserting is allowed by them.
- **Memory** stays at one chunk (``--chunk-size`` rows, 2000 by default): rows are streamed (server-side cursors on
  PostgreSQL, ``fetchmany`` on SQLite) and written batch by batch; DEBUG's query log is cleared after each batch.
- **Sequences**: after the copy each auto-numbered table's sequence is set to its largest id
  (``connection.ops.sequence_reset_sql``) and then raised to the source's high-water mark (SQLite's
  ``sqlite_sequence``, PostgreSQL's sequence), so an id the source handed out and deleted is never handed out again.
- **Checks before commit**: every table is read again on both sides in primary-key order and compared row by row
  (the counts come from the same pass); the audit chain is recomputed on the target with ``audit.verify()`` and its
  last hash compared with the source's. The per-table comparison is printed; any difference rolls back and exits
  non-zero.

Progress is printed per table, and every 100 000 rows within one.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.utils.translation import gettext as _

from jiliang.core import move

SOURCE = "move_source"
TARGET = "move_target"
PROGRESS_EVERY = 100_000


class _Differs(Exception):
    """The copy is not equal to the source: roll the target back."""


class Command(BaseCommand):
    help = (
        "Move every row of every table from the configured database (or --from) to a freshly migrated database "
        "(--to), values unchanged; checks row by row and the audit chain before committing. See docs/moving.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, dest="target_url", help="the target, e.g. postgres://…/jiliang")
        parser.add_argument(
            "--from", dest="source_url", default="", help="the source (default: the configured DATABASE_URL)"
        )
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="rows read and written at a time (memory stays at one chunk)"
        )

    def handle(self, *args: Any, target_url: str, source_url: str, chunk_size: int, **options: Any) -> None:
        if chunk_size < 1:
            raise CommandError(_("--chunk-size 必须是正整数"))
        start = time.perf_counter()
        source = DEFAULT_DB_ALIAS
        if source_url:
            move.add_database(SOURCE, source_url)
            source = SOURCE
        move.add_database(TARGET, target_url)
        self._connect(source)
        self._connect(TARGET)

        plans = move.copy_plan()
        ready = move.check_ready(source, TARGET, plans)
        for note in ready.notes:
            self.stdout.write(self.style.WARNING(note))
        if ready.problems:
            raise CommandError("\n".join(ready.problems))
        self.stdout.write(_("源数据库：%(db)s") % {"db": move.describe(source)})
        self.stdout.write(_("目标数据库：%(db)s") % {"db": move.describe(TARGET)})

        with transaction.atomic(using=source):
            move.begin_source(source)
            sizes = {p.table: move.count(source, p) for p in plans}
            marks = move.high_water_marks(source, plans)
            try:
                with transaction.atomic(using=TARGET):
                    move.begin_target(TARGET)
                    self._copy(source, plans, sizes, chunk_size)
                    self._check(source, plans, chunk_size)
                    move.reset_sequences(TARGET, plans, marks)
            except _Differs as exc:
                raise CommandError(
                    _("目标数据库与源数据库不一致，已回滚，目标数据库保持迁入前的样子：%(what)s") % {"what": exc}
                ) from exc
            except DatabaseError as exc:
                raise CommandError(
                    _("迁入失败，已回滚，目标数据库保持迁入前的样子：%(error)s") % {"error": exc}
                ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已完成：%(tables)s 张数据表、%(rows)s 行，用时 %(s).1f 秒。每张表的行数和逐行比对都与源数据库"
                    "一致，审计链校验通过。"
                )
                % {"tables": len(plans), "rows": sum(sizes.values()), "s": move.elapsed(start)}
            )
        )

    def _connect(self, alias: str) -> None:
        settings = connections[alias].settings_dict
        if connections[alias].vendor == "sqlite" and not Path(str(settings["NAME"])).exists():
            # Connecting would create an empty file: say what is wrong instead.
            raise CommandError(_("数据库文件不存在：%(name)s") % {"name": settings["NAME"]})
        try:
            connections[alias].ensure_connection()
        except DatabaseError as exc:
            raise CommandError(
                _("无法连接数据库 %(db)s：%(error)s") % {"db": move.describe(alias), "error": exc}
            ) from exc

    def _copy(self, source: str, plans: list[move.TablePlan], sizes: dict[str, int], chunk_size: int) -> None:
        emptied = move.empty(TARGET, plans)
        self.stdout.write(_("已清空目标数据库中迁移写入的 %(rows)s 行（将由源数据库的行替代）") % {"rows": emptied})
        total = sum(sizes.values())
        self.stdout.write(_("复制 %(tables)s 张数据表，共 %(rows)s 行……") % {"tables": len(plans), "rows": total})
        for n, plan in enumerate(plans, 1):
            started = time.perf_counter()
            size = sizes[plan.table]
            reported = [0]

            def progress(
                done: int, plan: move.TablePlan = plan, size: int = size, reported: list[int] = reported
            ) -> None:
                if done // PROGRESS_EVERY > reported[0] and done < size:
                    reported[0] = done // PROGRESS_EVERY
                    self.stdout.write(f"    {plan.table}: {done} / {size}")

            copied = move.copy_table(source, TARGET, plan, chunk_size=chunk_size, progress=progress)
            self.stdout.write(f"  [{n}/{len(plans)}] {plan.table}: {copied} ({time.perf_counter() - started:.1f} s)")

    def _check(self, source: str, plans: list[move.TablePlan], chunk_size: int) -> None:
        try:
            move.check_foreign_keys(TARGET)
        except IntegrityError as exc:
            raise _Differs(_("外键不成立：%(error)s") % {"error": exc}) from exc

        self.stdout.write(_("逐行比对源数据库与目标数据库……"))
        comparisons = [move.compare(source, TARGET, plan, chunk_size=chunk_size) for plan in plans]
        width = max(len(c.plan.table) for c in comparisons)
        # Outside the f-string: xgettext (and so makemessages) does not see calls inside one.
        table, source_rows, target_rows, outcome = _("数据表"), _("源"), _("目标"), _("结果")
        self.stdout.write(f"{table:<{width}}  {source_rows:>9}  {target_rows:>9}  {outcome}")
        for c in comparisons:
            if c.equal:
                verdict = _("一致")
            else:
                verdict = _("不一致（第一个不同的主键：%(pk)s）") % {"pk": c.first_difference}
            self.stdout.write(f"{c.plan.table:<{width}}  {c.source_rows:>9}  {c.target_rows:>9}  {verdict}")
        differing = [c.plan.table for c in comparisons if not c.equal]
        if differing:
            raise _Differs(_("以下数据表不一致：%(tables)s") % {"tables": ", ".join(differing)})

        broken = move.verify_audit(TARGET)
        if broken is not None:
            raise _Differs(
                _("审计链在目标数据库中断于事件 %(id)s：%(reason)s") % {"id": broken.event_id, "reason": broken.reason}
            )
        last = move.last_audit_event(TARGET)
        if last != move.last_audit_event(source):
            raise _Differs(_("目标数据库审计链的最后一个事件与源数据库不同"))
        if last is None:
            self.stdout.write(_("审计链：没有事件"))
        else:
            self.stdout.write(
                _("审计链：校验通过，最后一个事件 %(id)s 的哈希 %(hash)s 与源数据库相同")
                % {"id": last[0], "hash": last[1]}
            )
