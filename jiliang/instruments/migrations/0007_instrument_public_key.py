"""Every instrument gets the random key of its public page (扫码查器具): the column is added empty, each existing
row gets a key of its own (a callable default on AddField would give every row the same one), then the column
becomes unique and required."""

from django.db import migrations, models

import jiliang.instruments.models

BATCH = 5000


def fill_keys(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    new_key = jiliang.instruments.models.new_public_key
    pending = Instrument.objects.filter(public_key__isnull=True).order_by("pk")
    while True:
        rows = list(pending.only("pk")[:BATCH])
        if not rows:
            break
        for row in rows:
            row.public_key = new_key()
        Instrument.objects.bulk_update(rows, ["public_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0006_stop_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="public_key",
            field=models.CharField(editable=False, max_length=32, null=True, verbose_name="公开查询码"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="instrument",
            name="public_key",
            field=models.CharField(
                default=jiliang.instruments.models.new_public_key,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="公开查询码",
            ),
        ),
    ]
