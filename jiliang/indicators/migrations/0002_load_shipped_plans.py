"""Loads the shipped plans (Fuxin 2015–2020, Yan'an 2021–2035) from ``jiliang/indicators/data/plans.json``.

Idempotent: plans are matched by ``code`` and indicators by ``(plan, code)``, so running it again (or after the
file gains a correction) updates rather than duplicates. Reversing it leaves the rows in place: a city may have
entered figures against them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "plans.json"

PLAN_FIELDS = ("name", "name_en", "period_start", "period_end", "source_title", "source_issuer", "source_number")
INDICATOR_FIELDS = ("name", "name_en", "definition", "comparator", "unit", "deadline", "clause", "clause_quote")


def load_plans(apps, schema_editor):
    Plan = apps.get_model("indicators", "Plan")
    Indicator = apps.get_model("indicators", "Indicator")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for plan_data in data["plans"]:
        plan, _ = Plan.objects.update_or_create(
            code=plan_data["code"],
            defaults={
                **{field: plan_data[field] for field in PLAN_FIELDS},
                "region": None,
                "source_date": plan_data.get("source_date") or None,
                "note": plan_data.get("note", ""),
            },
        )
        for order, item in enumerate(plan_data["indicators"], start=1):
            Indicator.objects.update_or_create(
                plan=plan,
                code=item["code"],
                defaults={
                    **{field: item[field] for field in INDICATOR_FIELDS},
                    "target": Decimal(item["target"]),
                    "order": order,
                    "note": item.get("note", ""),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_plans_and_indicators")]

    operations = [migrations.RunPython(load_plans, migrations.RunPython.noop)]
