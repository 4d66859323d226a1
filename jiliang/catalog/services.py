"""Changes to the catalog: audited, with history (django-simple-history) and derived values recomputed."""

from __future__ import annotations

from django.db import transaction
from django.forms.models import model_to_dict

from jiliang.core import audit
from jiliang.core.models import User

from .models import CatalogItem
from .signals import catalog_item_changed

# Fields whose change alters which instruments are mandatory or when they fall due.
DERIVING_FIELDS = ("supervision", "usages", "mode", "interval_months", "active")


def catalog_item_save(*, actor: User | None, item: CatalogItem, reason: str = "") -> CatalogItem:
    """Create or correct a catalog row. The interval's confidence travels with it and is shown wherever used."""
    with transaction.atomic():
        before = model_to_dict(CatalogItem.objects.get(pk=item.pk)) if item.pk else {}
        item.full_clean()
        item._change_reason = reason or None  # recorded by simple_history
        item.save()
        after = model_to_dict(item)
        changes = audit.diff(before, after)
        audit.record(
            actor=actor,
            action="catalog_item.update" if before else "catalog_item.create",
            obj=item,
            changes={**changes, "reason": reason},
        )
        if not before or any(f in changes for f in DERIVING_FIELDS):
            catalog_item_changed.send(sender=CatalogItem, item=item, actor=actor)
    return item
