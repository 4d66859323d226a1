"""The working-day calendar as data the administrator maintains (HolidayYear), seeded from the calendar shipped in
jiliang/metrology/data/holidays_cn.json (each year with its notice, where it was seen and its confidence)."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations, models

CALENDAR_JSON = Path(__file__).resolve().parents[2] / "metrology" / "data" / "holidays_cn.json"


def load(apps, schema_editor):
    HolidayYear = apps.get_model("core", "HolidayYear")
    data = json.loads(CALENDAR_JSON.read_text(encoding="utf-8"))
    for key, entry in data["years"].items():
        confidence = "confirmed" if entry.get("confidence") == "confirmed" else "unconfirmed"
        HolidayYear.objects.update_or_create(
            year=int(key),
            defaults={
                "holidays": entry.get("holidays", []),
                "workdays": entry.get("workdays", []),
                "notice": entry.get("notice", ""),
                "document_number": entry.get("document_number") or "",
                "published": date.fromisoformat(entry["published"]) if entry.get("published") else None,
                "seen_in": entry.get("seen_in", ""),
                "confidence": confidence,
                "note": entry.get("note", ""),
            },
        )


def unload(apps, schema_editor):
    apps.get_model("core", "HolidayYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_apitoken_expiry_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="HolidayYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="日历年份")),
                (
                    "holidays",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='每段假期一项，含假期内的周末，如 [{"name": "春节", "from": "2027-02-05", "to": "2027-02-11"}]',
                        verbose_name="放假安排",
                    ),
                ),
                (
                    "workdays",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='周六或周日上班的日期，如 ["2027-02-13"]',
                        verbose_name="调休上班日",
                    ),
                ),
                ("notice", models.CharField(max_length=200, verbose_name="通知标题")),
                ("document_number", models.CharField(blank=True, max_length=100, verbose_name="文号")),
                ("published", models.DateField(blank=True, null=True, verbose_name="发布日期")),
                (
                    "seen_in",
                    models.TextField(blank=True, help_text="在哪里见到通知全文（网址或文件）", verbose_name="所见出处"),
                ),
                (
                    "confidence",
                    models.CharField(
                        choices=[("confirmed", "已确认（见到通知全文）"), ("unconfirmed", "未确认（暂定）")],
                        max_length=16,
                        verbose_name="可信度",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="备注")),
            ],
            options={
                "verbose_name": "节假日安排",
                "verbose_name_plural": "节假日安排",
                "ordering": ["year"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 2000), ("year__lte", 2100)), name="holiday_year_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("confidence__in", ["confirmed", "unconfirmed"])),
                        name="holiday_year_confidence",
                    ),
                ],
            },
        ),
        migrations.RunPython(load, unload),
    ]
