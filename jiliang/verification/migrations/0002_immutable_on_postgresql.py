"""On PostgreSQL, refuse UPDATE and DELETE of issued records and certificates in the database itself.

The services never update or delete them; this trigger makes a hand-written UPDATE in psql fail too. TRUNCATE
(what a test database flush does) is not a row event and is not refused. SQLite gets no trigger: its test flush
deletes rows one table at a time, and the services are the guard there.
"""

from django.db import migrations

TABLES = [
    "verification_verificationrecord",
    "verification_readingpoint",
    "verification_standarduse",
    "verification_certificate",
    "verification_certificaterevocation",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION jiliang_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% of % refused: issued records and certificates are never edited or deleted; issue a correction that supersedes it', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the body holds "%" placeholders of RAISE, not of the driver.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jiliang_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS jiliang_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
