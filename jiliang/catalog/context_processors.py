"""``show_confidence`` for every template: whether the actor sees the catalog's data-confidence flags
(:func:`jiliang.catalog.selectors.confidence_visible_to`). A template that shows a flag checks it, so a page that
forgets to pass it shows none (deny by default)."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import confidence_visible_to


def data_confidence(request: HttpRequest) -> dict[str, bool]:
    return {"show_confidence": confidence_visible_to(getattr(request, "user", None))}
