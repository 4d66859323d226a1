"""The shipped plans' text in simplified characters, and the wording as quoted kept beside it.

The Yan'an plan was quoted from a traditional-character reprint; ``data/plans.json`` now carries the text converted
to simplified characters (``manage.py plans_simplify``) and the quoted wording in ``source_title_original`` and
``clause_quote_original``. This migration adds the two fields and refreshes the text of the shipped plans (the rows
without a city that migration 0002 created), matched by code; it creates nothing and touches no figures.
"""

import json
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "plans.json"

PLAN_TEXT = ("name", "source_title", "source_title_original", "note")
INDICATOR_TEXT = ("name", "clause", "clause_quote", "clause_quote_original", "note")


def refresh_text(apps, schema_editor):
    Plan = apps.get_model("indicators", "Plan")
    Indicator = apps.get_model("indicators", "Indicator")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for plan_data in data["plans"]:
        plan = Plan.objects.filter(code=plan_data["code"], region=None).first()
        if plan is None:
            continue
        Plan.objects.filter(pk=plan.pk).update(**{field: plan_data.get(field, "") for field in PLAN_TEXT})
        for item in plan_data["indicators"]:
            Indicator.objects.filter(plan=plan, code=item["code"]).update(
                **{field: item.get(field, "") for field in INDICATOR_TEXT}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_snapshots_and_evaluations"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="clause_quote_original",
            field=models.TextField(
                blank=True,
                help_text="所引版本的用字与显示的不同时（如繁体转载本），保留所引原文；页面显示简体",
                verbose_name="原文摘录（所引版本原文）",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="source_title_original",
            field=models.CharField(
                blank=True,
                help_text="所引版本的用字与显示的不同时（如繁体转载本），保留所引原文；页面显示简体",
                max_length=300,
                verbose_name="来源文件（所引版本原文）",
            ),
        ),
        migrations.RunPython(refresh_text, migrations.RunPython.noop),
    ]
