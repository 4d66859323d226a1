from django.db import migrations


def load(apps, schema_editor):
    """One Procedure per regulation code named in the catalog (JJG … / JJF …); names are filled in by admins."""
    CatalogItem = apps.get_model("catalog", "CatalogItem")
    Procedure = apps.get_model("catalog", "Procedure")
    codes = sorted({c.strip() for c in CatalogItem.objects.values_list("procedure", flat=True) if c and c.strip()})
    for code in codes:
        kind = code.split()[0] if code.split()[0] in ("JJG", "JJF") else "other"
        Procedure.objects.get_or_create(code=code, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_procedure")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
