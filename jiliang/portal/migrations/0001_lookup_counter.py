"""The public check's rate-limit counters (``jiliang.portal.models.LookupCounter``).

On PostgreSQL the table is UNLOGGED: a count is worth nothing after a crash (the table is emptied then, which
only gives every client a fresh minute), and a write that skips the write-ahead log also commits without waiting
for the disk, which keeps the busiest page's extra statement cheap.
"""

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE portal_lookupcounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE portal_lookupcounter SET LOGGED")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="LookupCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=64, verbose_name="计数对象")),
                ("window", models.BigIntegerField(verbose_name="时间窗")),
                ("count", models.IntegerField(verbose_name="次数")),
                ("expires", models.BigIntegerField(db_index=True, verbose_name="失效时间")),
            ],
            options={
                "verbose_name": "按编号查询计数",
                "verbose_name_plural": "按编号查询计数",
                "constraints": [
                    models.UniqueConstraint(fields=("key", "window"), name="portal_lookup_counter_key_window_uniq")
                ],
            },
        ),
        migrations.RunPython(unlogged, logged, elidable=False),
    ]
