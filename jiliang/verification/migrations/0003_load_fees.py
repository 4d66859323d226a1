"""Load the illustrative fee schedule (data/fees.csv; see data/README.md: not a price list)."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

FEES_CSV = Path(__file__).resolve().parent.parent / "data" / "fees.csv"
VALID_FROM = date(2020, 1, 1)


def fee_rows(path: Path = FEES_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.lstrip().startswith("#")]
    return [
        {
            "code": raw["code"].strip(),
            "service": raw["service"].strip(),
            "amount": Decimal(raw["amount"].strip()),
            "basis": raw["basis"].strip(),
        }
        for raw in csv.DictReader(lines)
    ]


def load(apps, schema_editor):
    CatalogItem = apps.get_model("catalog", "CatalogItem")
    FeeSchedule = apps.get_model("verification", "FeeSchedule")
    items = dict(CatalogItem.objects.values_list("code", "id"))
    for row in fee_rows():
        item_id = items.get(row["code"])
        if item_id is None:
            continue
        FeeSchedule.objects.update_or_create(
            catalog_item_id=item_id,
            service=row["service"],
            valid_from=VALID_FROM,
            defaults={"amount": row["amount"], "basis": row["basis"]},
        )


def unload(apps, schema_editor):
    FeeSchedule = apps.get_model("verification", "FeeSchedule")
    FeeSchedule.objects.filter(valid_from=VALID_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0002_immutable_on_postgresql"), ("catalog", "0005_load_procedures")]

    operations = [migrations.RunPython(load, unload)]
