"""The last verification comes from the instrument's records: ``last_verified_on`` becomes a declared record.

For every instrument with a ``last_verified_on`` date, one ``VerificationRecord`` is created with
``source="declared"`` (the owner's own statement from before the platform: conclusion pass, kind verification,
no institute, ``next_due_on`` = the instrument's ``due_on``), and ``last_verification`` points at it. ``due_on``
does not change (the same date, the same catalog row).

Set-based, in id ranges of ``CHUNK`` instruments: one ``INSERT … SELECT`` and one ``UPDATE`` per range, on
SQLite and PostgreSQL alike, so 10^6 instruments take seconds, not the hours of a row-by-row loop.

Backwards restores ``last_verified_on`` from the record's date and leaves the records in place (on PostgreSQL
they cannot be deleted: migration verification 0002); migrating forward again reuses a declared record of the
same instrument and date instead of creating a second one.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

CHUNK = 50_000


def _insert_columns(record_model, connection) -> tuple[list[str], list[str], list]:
    """Columns, SELECT expressions and parameters for one declared record per instrument row ``i``."""
    qn = connection.ops.quote_name
    columns: list[str] = []
    expressions: list[str] = []
    params: list = []
    fixed = {
        "instrument": "i.id",
        "performed_on": "i.last_verified_on",
        "next_due_on": "i.due_on",
    }
    values = {
        "kind": "verification",
        "source": "declared",
        "conclusion": "pass",
        "created_at": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    for field in record_model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.name in fixed:
            expressions.append(fixed[field.name])
        elif field.name in values:
            expressions.append("%s")
            params.append(values[field.name])
        elif field.null:
            expressions.append("NULL")
        elif field.has_default() and not callable(field.default):
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.default, connection))
        elif isinstance(field, (models.CharField, models.TextField)):
            expressions.append("%s")
            params.append("")
        else:  # pragma: no cover - a new NOT NULL column without a default needs a value here
            raise RuntimeError(f"no value for VerificationRecord.{field.name} in a declared record")
    return columns, expressions, params


def forwards(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    VerificationRecord = apps.get_model("verification", "VerificationRecord")
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    instruments = qn(Instrument._meta.db_table)
    records = qn(VerificationRecord._meta.db_table)
    columns, expressions, params = _insert_columns(VerificationRecord, connection)
    same_declared = "r.instrument_id = {t}.id AND r.source = 'declared' AND r.performed_on = {t}.last_verified_on"
    insert = (
        f"INSERT INTO {records} ({', '.join(columns)}) "  # noqa: S608 - names from the model, values as parameters
        f"SELECT {', '.join(expressions)} FROM {instruments} i "
        "WHERE i.last_verified_on IS NOT NULL AND i.id >= %s AND i.id < %s "
        f"AND NOT EXISTS (SELECT 1 FROM {records} r WHERE {same_declared.format(t='i')}) "
        "ORDER BY i.id"
    )
    link = (
        f"UPDATE {instruments} SET last_verification_id = ("  # noqa: S608
        f"SELECT MAX(r.id) FROM {records} r WHERE {same_declared.format(t=instruments)}) "
        "WHERE last_verified_on IS NOT NULL AND id >= %s AND id < %s"
    )
    bounds = Instrument.objects.filter(last_verified_on__isnull=False).aggregate(
        lo=models.Min("id"), hi=models.Max("id")
    )
    if bounds["lo"] is None:
        return
    with connection.cursor() as cursor:
        for start in range(bounds["lo"], bounds["hi"] + 1, CHUNK):
            cursor.execute(insert, [*params, start, start + CHUNK])
            cursor.execute(link, [start, start + CHUNK])
        if connection.vendor == "postgresql":
            # Fire the deferred foreign-key checks now: PostgreSQL refuses to ALTER a table (the index and
            # column changes that follow) while it has pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def backwards(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    VerificationRecord = apps.get_model("verification", "VerificationRecord")
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    instruments = qn(Instrument._meta.db_table)
    records = qn(VerificationRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {instruments} SET last_verified_on = ("  # noqa: S608
            f"SELECT r.performed_on FROM {records} r WHERE r.id = {instruments}.last_verification_id) "
            "WHERE last_verification_id IS NOT NULL"
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0004_owner_indexes"),
        ("verification", "0002_immutable_on_postgresql"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="last_verification",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="verification.verificationrecord",
                verbose_name="最近有效检定",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveIndex(model_name="instrument", name="instr_owner_due_idx"),
        migrations.AddIndex(
            model_name="instrument",
            index=models.Index(
                fields=["owner", "mandatory", "status", "due_on", "last_verification"], name="instr_owner_due_idx"
            ),
        ),
        migrations.RemoveField(model_name="instrument", name="last_verified_on"),
    ]
