"""The supervision area's reference data: result categories, legal bases and the trades' checklists, from
jiliang/supervision/data/reference.toml as it stood when this migration was written (later additions are made by
the administrator, or by a migration of their own)."""

import tomllib
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "reference.toml"


def load(apps, schema_editor):
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    ResultCategory = apps.get_model("supervision", "ResultCategory")
    LegalBasis = apps.get_model("supervision", "LegalBasis")
    Checklist = apps.get_model("supervision", "Checklist")
    for row in data["result_categories"]:
        ResultCategory.objects.update_or_create(code=row["code"], defaults={k: row[k] for k in ("name", "order", "problem")})
    for row in data["legal_bases"]:
        LegalBasis.objects.update_or_create(
            code=row["code"],
            defaults={k: row.get(k, "") for k in ("law", "article", "text", "penalty", "source", "confidence")},
        )
    for row in data["checklists"]:
        mpe = row.get("test_draw_mpe_percent")
        Checklist.objects.update_or_create(
            trade=row["trade"],
            version=1,
            defaults={
                "name": row["name"],
                "items": row["items"],
                "source": row.get("source", ""),
                "test_draw_mpe_percent": Decimal(mpe) if mpe else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
