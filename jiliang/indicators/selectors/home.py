"""Reads of the home pages that are not another app's: a county bureau's due-state counts by owner category.

A county bureau regulates one county, and Region has no level below the county (no townships or streets), so its
home chart splits the county's in-use mandatory instruments by what their owners are (``Organization.Category``:
markets, petrol stations, hospitals…) rather than showing one bar.
"""

from __future__ import annotations

from typing import Any

from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of
from jiliang.instruments.selectors import due_state_counts, instruments_visible_to


def due_state_counts_by_owner_category(user: User | None) -> list[dict[str, Any]]:
    """Counts of the in-use mandatory instruments the regulator sees by owner category and due state: one dict per
    category holding instruments (``category``, its ``label`` and ``counts`` by due state), largest first.

    Regulators only (the admin and the city read the tally by region); anyone else gets none."""
    if not scope_of(user).is_regulator:
        return []
    labels = dict(Organization.Category.choices)
    rows = []
    for grouped in due_state_counts(instruments_visible_to(user), group_by="owner__category"):
        category = grouped.pop("owner__category")
        if any(grouped.values()):
            rows.append({"category": category, "label": str(labels.get(category, category)), "counts": grouped})
    return sorted(rows, key=lambda row: (-sum(row["counts"].values()), row["category"]))
