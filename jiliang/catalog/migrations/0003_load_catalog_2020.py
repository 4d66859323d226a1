from django.db import migrations


def load(apps, schema_editor):
    from jiliang.catalog.loader import catalog_rows

    CatalogItem = apps.get_model("catalog", "CatalogItem")
    Historical = apps.get_model("catalog", "HistoricalCatalogItem")
    from django.utils import timezone

    now = timezone.now()
    for row in catalog_rows():
        item, created = CatalogItem.objects.update_or_create(code=row["code"], defaults=row)
        if created:
            # The first history row says where the row came from.
            Historical.objects.create(
                id=item.id,
                history_date=now,
                history_type="+",
                history_change_reason="loaded from catalog-2020.csv (市场监管总局公告 2020 年第 42 号)",
                **row,
                active=True,
            )


def unload(apps, schema_editor):
    from jiliang.catalog.loader import catalog_rows

    CatalogItem = apps.get_model("catalog", "CatalogItem")
    CatalogItem.objects.filter(code__in=[r["code"] for r in catalog_rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(load, unload)]
