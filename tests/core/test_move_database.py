"""``manage.py move_database``: a seeded city moved SQLite → SQLite, SQLite → PostgreSQL and back, with every row
equal, the audit chain verifying and a certificate's signature verifying on the target.

Everything runs as an operator would run it: ``manage.py`` in a child process against database files and databases
this module creates (never the test database), and the checks read the databases with ``sqlite3``/``psycopg``
directly, not through the command's own code.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
SEED_ARGS = ["seed_city", "--seed", "1", "--instruments", "300", "--today", "2026-06-15"]


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    json_columns: frozenset[str]


def _tables() -> list[Table]:
    """Every table a model of this code owns, as the command must copy it (found here independently)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        json_columns = frozenset(f.column for f in meta.local_concrete_fields if isinstance(f, models.JSONField))
        tables[meta.db_table] = Table(meta.db_table, meta.pk.column, json_columns)
    return sorted(tables.values(), key=lambda t: t.name)


def _manage(*args: str, database_url: str, key: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiliang.settings",
        "DATABASE_URL": database_url,
        "JILIANG_DEV": "1",
        "JILIANG_SIGNING_KEY_FILE": str(key),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _copy_sqlite(source: Path, target: Path) -> Path:
    # The backup API, not a file copy: a WAL database is more than its main file.
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


# -- reading a database directly --------------------------------------------------------------------------------


def _sqlite_rows(path: Path, table: Table) -> Iterator[tuple]:
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute(f'SELECT * FROM "{table.name}" ORDER BY "{table.pk}"')  # noqa: S608
        yield from cursor
    finally:
        connection.close()


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return {t.name: connection.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in _tables()}  # noqa: S608
    finally:
        connection.close()


def _pg_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        return {t.name: connection.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in _tables()}  # noqa: S608


def _sqlite_sequences(path: Path) -> dict[str, int]:
    """The last id each table has handed out (an absent row and 0 both mean none)."""
    connection = sqlite3.connect(path)
    try:
        return {name: seq for name, seq in connection.execute("SELECT name, seq FROM sqlite_sequence") if seq}
    finally:
        connection.close()


def _sqlite_max_id(path: Path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f'SELECT max(id) FROM "{table}"').fetchone()[0]  # noqa: S608
    finally:
        connection.close()


def _pg_next_id(url: str, table: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table]).fetchone()[0]


def _sqlite_last_hash(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        connection.close()


# -- what must hold on a target ---------------------------------------------------------------------------------


def _assert_audit_chain_verifies(database_url: str, key: Path) -> None:
    assert _ok(_manage("audit_verify", database_url=database_url, key=key)).strip() == "OK"


EXPORT = (
    "import json, sys; from jiliang.verification.models import Certificate; "
    "from jiliang.verification.formats.documents import signed_file; "
    "c = Certificate.objects.filter(supersedes__isnull=False).order_by('id').first(); "
    "sys.stdout.write(json.dumps(signed_file(c), ensure_ascii=False))"
)


def _assert_a_certificate_verifies(database_url: str, key: Path, workdir: Path, published: str) -> None:
    """Export a certificate (a correction, so that a self-reference moved too) from the target and verify its
    signature: against the target's own signing keys, and against the key the source published (pinned); a
    tampered copy must fail, so the check can fail."""
    signed = json.loads(_ok(_manage("shell", "--no-imports", "-c", EXPORT, database_url=database_url, key=key)))
    exported = workdir / f"{signed['certificate']['number']}.json"
    exported.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
    _ok(_manage("verify_certificate", str(exported), database_url=database_url, key=key))
    _ok(_manage("verify_certificate", str(exported), "--public-key", published, database_url=database_url, key=key))

    signed["certificate"]["valid_until"] = "2099-12-31"
    tampered = workdir / "tampered.json"
    tampered.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
    result = _manage("verify_certificate", str(tampered), "--public-key", published, database_url=database_url, key=key)
    assert result.returncode == 1, result.stdout


def _published_key(path: Path) -> str:
    """The source's one signing public key, read from its database file."""
    connection = sqlite3.connect(path)
    try:
        (public_key,) = connection.execute("SELECT public_key FROM verification_signingkey").fetchone()
        return public_key
    finally:
        connection.close()


IMPORT_JOBS = """
from jiliang.core.models import Organization
from jiliang.instruments.models import ImportJob
owner = Organization.objects.filter(kind="owner").order_by("id").first()
for n in range(3):
    ImportJob.objects.create(
        owner=owner, file_name=f"器具台账{n}.xlsx", file=f"imports/{n}.xlsx", status="done", total=2, done=2,
        report={"errors": [{"row": 2, "column": "出厂编号", "message": "重复"}], "ratio": 0.1 + n, "none": None},
    )
"""


# -- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("move")


@pytest.fixture(scope="module")
def key(workdir) -> Path:
    return workdir / "certificate-signing.pem"


@pytest.fixture(scope="module")
def migrated(workdir, key) -> Path:
    """A freshly migrated SQLite file, copied for every test that needs a fresh target."""
    path = workdir / "migrated.sqlite3"
    _ok(_manage("migrate", "--noinput", "-v0", database_url=_sqlite_url(path), key=key))
    return path


@pytest.fixture(scope="module")
def seeded(workdir, key, migrated) -> Path:
    """A small city with a year of history: audit events, certificates, corrections, revocations; an evaluation
    report (binary columns) and import jobs (UUID keys, JSON reports). Its newest indicator snapshot is then
    deleted, so that a sequence is ahead of its table's largest id."""
    path = _copy_sqlite(migrated, workdir / "seeded.sqlite3")
    url = _sqlite_url(path)
    _ok(_manage(*SEED_ARGS, database_url=url, key=key))
    _ok(_manage("evaluation_report", "--date", "2026-06-15", database_url=url, key=key))
    _ok(_manage("shell", "--no-imports", "-c", IMPORT_JOBS, database_url=url, key=key))
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM indicators_snapshot WHERE id = (SELECT max(id) FROM indicators_snapshot)")
    connection.close()
    assert _sqlite_sequences(path)["indicators_snapshot"] > _sqlite_max_id(path, "indicators_snapshot")
    counts = _sqlite_counts(path)
    assert counts["core_auditevent"] > 100
    assert counts["verification_certificate"] > 10
    assert counts["verification_certificaterevocation"] > 0
    assert counts["indicators_evaluation"] > 0
    assert counts["instruments_importjob"] == 3
    return path


@pytest.fixture
def fresh_sqlite(migrated, tmp_path) -> Path:
    return _copy_sqlite(migrated, tmp_path / "target.sqlite3")


def _postgres_reachable() -> str | None:
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except Exception as exc:  # any failure to connect means: not here
        return f"PostgreSQL is not reachable at 127.0.0.1:5432 ({type(exc).__name__}: {exc})"
    return None


@pytest.fixture(scope="module")
def postgres_server() -> None:
    # Module-scoped, so that it is asked before the city is seeded for nothing.
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def fresh_postgres(postgres_server, key) -> Iterator[str]:
    """A uniquely named, freshly migrated PostgreSQL database, dropped afterwards."""
    import psycopg

    name = f"jl_move_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER}/{name}"
    try:
        _ok(_manage("migrate", "--noinput", "-v0", database_url=url, key=key))
        yield url
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the moves ----------------------------------------------------------------------------------------------------


def test_sqlite_to_sqlite_copies_every_row_exactly(seeded, fresh_sqlite, key, workdir):
    """Every table's rows are byte for byte those of the source: timestamps to the microsecond, JSON as stored,
    decimals, primary keys; the chain and a certificate verify on the target."""
    out = _ok(
        _manage(
            "move_database",
            "--to",
            _sqlite_url(fresh_sqlite),
            "--chunk-size",
            "50",
            database_url=_sqlite_url(seeded),
            key=key,
        )
    )
    counts = _sqlite_counts(seeded)
    # The command's own comparison, one line per table: name, source rows, target rows.
    for table in _tables():
        assert re.search(rf"^{table.name} +{counts[table.name]} +{counts[table.name]} ", out, re.MULTILINE), table.name

    assert _sqlite_counts(fresh_sqlite) == _sqlite_counts(seeded)
    for table in _tables():
        assert list(_sqlite_rows(fresh_sqlite, table)) == list(_sqlite_rows(seeded, table)), table.name
    # Ids handed out and deleted in the source are not handed out again.
    assert _sqlite_sequences(fresh_sqlite) == _sqlite_sequences(seeded)
    _assert_audit_chain_verifies(_sqlite_url(fresh_sqlite), key)
    _assert_a_certificate_verifies(_sqlite_url(fresh_sqlite), key, workdir, _published_key(seeded))


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back(postgres_server, fresh_postgres, seeded, tmp_path, migrated, key, workdir):
    """SQLite → PostgreSQL: every count equal, the chain and a certificate verify there. Back again with --from
    into a fresh SQLite file: every row equal to the original (JSON compared as values: jsonb keeps no key order)."""
    source = _sqlite_counts(seeded)
    _ok(_manage("move_database", "--to", fresh_postgres, database_url=_sqlite_url(seeded), key=key))
    assert _pg_counts(fresh_postgres) == source
    _assert_audit_chain_verifies(fresh_postgres, key)
    _assert_a_certificate_verifies(fresh_postgres, key, workdir, _published_key(seeded))

    back = _copy_sqlite(migrated, tmp_path / "back.sqlite3")
    # DATABASE_URL names a third database: --from is what is read.
    _ok(
        _manage(
            "move_database",
            "--from",
            fresh_postgres,
            "--to",
            _sqlite_url(back),
            database_url=_sqlite_url(tmp_path / "unused.sqlite3"),
            key=key,
        )
    )
    assert not (tmp_path / "unused.sqlite3").exists()
    assert _sqlite_counts(back) == source
    for table in _tables():
        json_at = [i for i, c in enumerate(_columns(seeded, table.name)) if c in table.json_columns]
        assert [_parsed(r, json_at) for r in _sqlite_rows(back, table)] == [
            _parsed(r, json_at) for r in _sqlite_rows(seeded, table)
        ], table.name
    assert _sqlite_last_hash(back) == _sqlite_last_hash(seeded)
    assert _sqlite_sequences(back) == _sqlite_sequences(seeded)
    # Last, since it takes an id: PostgreSQL's sequence also went past the deleted row.
    assert _pg_next_id(fresh_postgres, "indicators_snapshot") == _sqlite_sequences(seeded)["indicators_snapshot"] + 1
    _assert_audit_chain_verifies(_sqlite_url(back), key)


def _columns(path: Path, table: str) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
    finally:
        connection.close()


def _parsed(row: tuple, json_at: list[int]) -> tuple:
    return tuple(json.loads(v) if i in json_at and v is not None else v for i, v in enumerate(row))


# -- what is refused, and what is rolled back ----------------------------------------------------------------------


def _refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    for text in expected:
        assert text in result.stderr, f"{text!r} not in\n{result.stderr}"


def test_refuses_a_target_at_another_migration_state(seeded, fresh_sqlite, key):
    _ok(_manage("migrate", "indicators", "0002", "-v0", database_url=_sqlite_url(fresh_sqlite), key=key))
    before = _sqlite_counts_present(fresh_sqlite)

    result = _manage("move_database", "--to", _sqlite_url(fresh_sqlite), database_url=_sqlite_url(seeded), key=key)

    _refused(result, "indicators.0003_snapshots_and_evaluations", "migrate")
    assert _sqlite_counts_present(fresh_sqlite) == before


def test_refuses_a_target_someone_has_used(seeded, tmp_path, key):
    """A copy of a live city is not a fresh target: its audit log and users would be overwritten."""
    used = _copy_sqlite(seeded, tmp_path / "used.sqlite3")

    result = _manage("move_database", "--to", _sqlite_url(used), database_url=_sqlite_url(seeded), key=key)

    _refused(result, "core_auditevent", "core_user")
    assert _sqlite_counts(used) == _sqlite_counts(seeded)


def test_refuses_a_target_whose_trigger_guarded_table_has_rows(seeded, fresh_sqlite, key):
    """Tables guarded by a trigger (issued records refuse DELETE) are found in the catalog, not from a list."""
    with sqlite3.connect(fresh_sqlite) as connection:
        connection.execute(
            "CREATE TRIGGER fee_immutable BEFORE DELETE ON verification_feeschedule "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    connection.close()

    result = _manage("move_database", "--to", _sqlite_url(fresh_sqlite), database_url=_sqlite_url(seeded), key=key)

    _refused(result, "verification_feeschedule")


def test_refuses_a_database_onto_itself_and_a_missing_file(seeded, tmp_path, key):
    _refused(
        _manage("move_database", "--to", _sqlite_url(seeded), database_url=_sqlite_url(seeded), key=key),
        str(seeded),
    )
    missing = tmp_path / "typo.sqlite3"
    _refused(
        _manage("move_database", "--to", _sqlite_url(missing), database_url=_sqlite_url(seeded), key=key),
        str(missing),
    )
    assert not missing.exists()


def test_a_copy_that_differs_is_rolled_back(seeded, fresh_sqlite, key):
    """A target that changes what it is given (here a trigger rewriting each audit event) fails the row-by-row
    comparison: the command exits non-zero and the target is left as it was, still fresh."""
    with sqlite3.connect(fresh_sqlite) as connection:
        connection.execute(
            "CREATE TRIGGER rewrite AFTER INSERT ON core_auditevent "
            "BEGIN UPDATE core_auditevent SET action = 'rewritten' WHERE id = NEW.id; END"
        )
    connection.close()
    before = _sqlite_counts(fresh_sqlite)

    result = _manage("move_database", "--to", _sqlite_url(fresh_sqlite), database_url=_sqlite_url(seeded), key=key)

    _refused(result, "core_auditevent")
    assert re.search(r"^core_auditevent +\d+ +\d+ +\S+", result.stdout, re.MULTILINE)
    assert _sqlite_counts(fresh_sqlite) == before
    assert before["core_auditevent"] == 0


def _sqlite_counts_present(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608
    finally:
        connection.close()
