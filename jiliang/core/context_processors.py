"""What every page's template gets: the navigation menu (declared by the apps, see :mod:`jiliang.core.nav`) and who
the actor is."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import nav
from .names import display_name
from .selectors import scope_of


def _as_dict(item: nav.Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": item.label, "url": item.url, "active": item.active}
    if item.badge is not None:
        entry["badge"] = item.badge
    return entry


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu for the actor's role, and who the actor is; anonymous visitors get none.

    ``nav_groups`` is the menu as drawn (``{"label", "items"}`` per group, the home page's group without a label);
    ``nav_items`` is the same items in one list."""
    user = getattr(request, "user", None)
    scope = scope_of(user)
    if not scope.role or user is None:
        return {"nav_items": [], "nav_groups": []}
    groups: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for group, entries in nav.menu(user, request.path):
        drawn = [_as_dict(entry) for entry in entries]
        groups.append({"key": group.value if group else "", "label": group.label if group else None, "items": drawn})
        items.extend(drawn)
    organization = user.organization if user.organization_id else None
    return {
        "nav_items": items,
        "nav_groups": groups,
        "scope": scope,
        "current_user_name": display_name(user),
        "current_organization": organization,
        "current_role_label": user.get_role_display(),
    }
