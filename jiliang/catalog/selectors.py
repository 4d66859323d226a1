"""Who sees what of the catalog. The catalog itself is public reference data; how sure we are of a row's
interval (``CatalogItem.confidence``: 未核实, 来源冲突…) is an internal data-quality flag, shown only to those who
can correct the row, never beside every due date of an owner or a regulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiliang.core.selectors import scope_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiliang.core.models import User


def confidence_visible_to(user: User | AnonymousUser | None) -> bool:
    """Whether ``user`` sees the catalog's data-confidence flags: the platform's admin, and staff who may correct
    catalog rows in the admin (the reviewers). Deny by default: anyone else, and anyone not signed in, does not."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or scope_of(user).is_admin:
        return True
    return bool(user.is_staff and user.has_perm("catalog.change_catalogitem"))
