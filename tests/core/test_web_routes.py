"""The addresses of an object type's pages (jiliang.core.web.routes.object_paths), which the apps' URL modules list
with. That every named address stays where it was is tests/core/test_url_names.py's business."""

from __future__ import annotations

import doctest
from types import SimpleNamespace

import pytest

from jiliang.core.web import routes


def test_the_examples_in_the_module_hold():
    result = doctest.testmod(routes)
    assert result.attempted >= 5
    assert result.failed == 0


def _page(request, pk=None):
    return None


def test_an_action_without_a_view_of_that_name_fails_when_the_urls_are_read():
    views = SimpleNamespace(book_list=_page)
    with pytest.raises(AttributeError, match="book_edit"):
        routes.object_paths(views, "book", "list", "edit")


def test_each_path_calls_the_view_named_after_the_noun_and_the_action():
    views = SimpleNamespace(book_detail=_page, book_close=_page)
    detail, close = routes.object_paths(views, "book", "detail", "close")
    assert detail.callback is views.book_detail
    assert (str(close.pattern), close.name, close.callback) == ("<int:pk>/close/", "close", views.book_close)
