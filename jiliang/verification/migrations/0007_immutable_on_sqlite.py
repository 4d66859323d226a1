"""On SQLite, refuse UPDATE and DELETE of issued records and certificates in the database itself, as PostgreSQL
does since migration 0002 (same tables, same words in the error).

Why a condition on an application-defined function. SQLite has no TRUNCATE: ``manage.py flush`` — which the test
suite runs after every transactional test — deletes rows table by table, and a plain refusing trigger would stop
it. Each trigger therefore fires only ``WHEN jiliang_issued_rows_writable() = 0``. That function is not SQL's: the
application registers it on each of its SQLite connections (``jiliang.verification.immutable``), and it returns 1
only inside ``immutable.maintenance()`` in the calling thread, which only the project's ``flush`` command enters.
So the application's own code is refused like everyone else's, and a ``sqlite3`` shell — which has no such
function — cannot UPDATE or DELETE these rows at all ("no such function"). The alternatives were worse: no
trigger (what SQLite had: anyone with the file could edit a certificate), a trigger the test suite drops and
recreates around each flush (a window in which nothing is refused), or a flag in a table (which whoever can write
the file can set).

What this does not do: someone who holds the file can drop the triggers (``DROP TRIGGER``) or write the file
directly. Against that the public check believes only signed documents (``jiliang.portal.selectors``); the
triggers keep honest mistakes and casual edits out, and make a deliberate one a visible act.

A later migration that makes SQLite rebuild one of these tables (``ALTER TABLE`` that SQLite cannot do in place:
Django copies the table and drops the old one, and its triggers with it) must create the triggers again;
``tests/verification/test_immutable.py`` fails until it does.
"""

from django.db import migrations

TABLES = [
    "verification_verificationrecord",
    "verification_readingpoint",
    "verification_standarduse",
    "verification_certificate",
    "verification_certificaterevocation",
]
# The function jiliang.verification.immutable registers on every SQLite connection of the application.
FUNCTION = "jiliang_issued_rows_writable"


def trigger_sql(table: str, op: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} FOR EACH ROW WHEN {FUNCTION}() = 0"
        f" BEGIN SELECT RAISE(ABORT, '{op} of {table} refused: issued records and certificates are never edited"
        " or deleted; issue a correction that supersedes it'); END"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(trigger_sql(table, op), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("verification", "0006_signed_revocations")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
