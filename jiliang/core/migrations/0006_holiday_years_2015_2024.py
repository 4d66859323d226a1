"""The years 2015, 2016 and 2018–2024 of the shipped calendar (jiliang/metrology/data/holidays_cn.json, entered from
memory of the State Council General Office notices and unconfirmed) added to the administrator's copy (HolidayYear),
so that clocks over the demo's Fuxin history (2015–2020) count its holidays. A year the administrator already entered
is left as it is."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

CALENDAR_JSON = Path(__file__).resolve().parents[2] / "metrology" / "data" / "holidays_cn.json"
YEARS = (2015, 2016, 2018, 2019, 2020, 2021, 2022, 2023, 2024)


def load(apps, schema_editor):
    HolidayYear = apps.get_model("core", "HolidayYear")
    data = json.loads(CALENDAR_JSON.read_text(encoding="utf-8"))
    for year in YEARS:
        entry = data["years"].get(str(year))
        if entry is None:
            continue
        HolidayYear.objects.get_or_create(
            year=year,
            defaults={
                "holidays": entry.get("holidays", []),
                "workdays": entry.get("workdays", []),
                "notice": entry.get("notice", ""),
                "document_number": entry.get("document_number") or "",
                "published": date.fromisoformat(entry["published"]) if entry.get("published") else None,
                "seen_in": entry.get("seen_in", ""),
                "confidence": "confirmed" if entry.get("confidence") == "confirmed" else "unconfirmed",
                "note": entry.get("note", ""),
            },
        )


def unload(apps, schema_editor):
    # Only the rows this migration could have made and nobody confirmed since.
    apps.get_model("core", "HolidayYear").objects.filter(year__in=YEARS, confidence="unconfirmed").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_organization_has_lab"),
    ]

    operations = [migrations.RunPython(load, unload)]
