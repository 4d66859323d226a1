"""The addresses of an object type's pages, once for every app: an area's index, its list, the form for a new one,
one object, its printed report and workbook, and each action on one object. An app's ``urls.py`` lists with
:func:`object_paths` the pages that follow this shape and writes out only the others."""

from __future__ import annotations

from types import ModuleType

from django.urls import URLPattern, path

# Below the type's prefix (an area's landing page is its index); an object's printed report and its workbook are
# report.pdf and report.xlsx; any other action on one object sits at <pk>/<action>/.
_ROUTES = {
    "index": "",
    "list": "",
    "new": "new/",
    "create": "new/",
    "detail": "<int:pk>/",
    "pdf": "<int:pk>/report.pdf",
    "xlsx": "<int:pk>/report.xlsx",
}


def object_paths(views: ModuleType, noun: str, *actions: str, under: str = "") -> list[URLPattern]:
    """The paths of ``noun``'s pages in ``views``, in the order of ``actions``: the view of an action is
    ``<noun>_<action>`` and its URL name is the action.

    An app's secondary object type sits ``under`` a prefix of its own within the app's namespace: its addresses
    start with it, its list is named after it and its other pages ``<noun>_<action>``.

    >>> from types import SimpleNamespace
    >>> page = lambda request, pk=None: None
    >>> views = SimpleNamespace(book_list=page, book_create=page, book_detail=page, book_edit=page)
    >>> [(str(p.pattern), p.name) for p in object_paths(views, "book", "list", "create", "detail", "edit")]
    [('', 'list'), ('new/', 'create'), ('<int:pk>/', 'detail'), ('<int:pk>/edit/', 'edit')]
    >>> views.book_pdf = page
    >>> [(str(p.pattern), p.name) for p in object_paths(views, "book", "pdf")]
    [('<int:pk>/report.pdf', 'pdf')]
    >>> [(str(p.pattern), p.name) for p in object_paths(views, "book", "list", "edit", under="books")]
    [('books/', 'books'), ('books/<int:pk>/edit/', 'book_edit')]
    """
    prefix = f"{under}/" if under else ""

    def name(action: str) -> str:
        if not under:
            return action
        return under if action == "list" else f"{noun}_{action}"

    return [
        path(prefix + _ROUTES.get(action, f"<int:pk>/{action}/"), getattr(views, f"{noun}_{action}"), name=name(action))
        for action in actions
    ]
