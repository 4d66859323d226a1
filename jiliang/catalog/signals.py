"""Sent after a catalog row is saved, so that apps holding derived values (instruments) recompute them."""

from django.dispatch import Signal

# Sent with sender=CatalogItem, item=<CatalogItem>, actor=<User | None>, inside the saving transaction.
catalog_item_changed = Signal()
