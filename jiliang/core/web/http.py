"""The steps every page and endpoint takes alike: a record missing or out of scope answers 404, an HTMX request gets
a fragment, a query parameter is read as a number, a list is cut into pages, and a file is downloaded under its name.

``NotFoundOrForbidden`` is itself an ``Http404``: a view that lets it pass answers 404. Where a view catches
``DomainError`` around a service call (to show the refusal), ``not_found_as_404`` keeps the 404; it is both a
``with`` block and a decorator::

    try:
        with not_found_as_404():
            services.authorization_revoke(actor=request.user, authorization_id=pk)
    except DomainError as exc:  # the service's other refusals
        messages.error(request, exc.message)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import ContextDecorator
from datetime import date
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from jiliang.core.errors import NotFoundOrForbidden

# The pages' lists show this many rows a page unless a page says otherwise.
PAGE_SIZE = 50

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class not_found_as_404(ContextDecorator):
    """``NotFoundOrForbidden`` raised inside becomes ``Http404`` with its message: a record outside the user's scope
    answers exactly like a missing one. Any other exception passes through unchanged."""

    def __enter__(self) -> not_found_as_404:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if isinstance(exc, NotFoundOrForbidden):
            raise Http404(exc.message) from exc


def download(content: bytes, content_type: str, names: tuple[str, str]) -> HttpResponse:
    """An attachment of ``content``; ``names`` is (the ASCII ``filename``, the real name as RFC 5987 ``filename*``)."""
    ascii_name, name = names
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def is_htmx(request: HttpRequest) -> bool:
    """An HTMX request that wants a fragment (a boosted link or form wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def int_param(raw: str | None, *, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number from a query parameter, or None when it is missing, not a number, or outside [low, high].

    >>> int_param("12"), int_param(" 3 "), int_param(""), int_param("x"), int_param("0", low=1)
    (12, 3, None, None, None)
    """
    if not raw:
        return None
    try:
        number = int(raw)
    except ValueError:
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def choice_param(raw: str | None, choices: Collection[str], bad: str, errors: list[str]) -> str:
    """One of ``choices`` from a query parameter (stripped); "" when it is missing, and also when it is none of
    them, then with the reason ``bad`` added to ``errors``.

    >>> errors = []
    >>> choice_param(" a ", ["a"], "bad", errors), choice_param("", ["a"], "bad", errors), choice_param("b", ["a"], "bad", errors), errors
    ('a', '', '', ['bad'])
    """
    value = (raw or "").strip()
    if value and value not in choices:
        errors.append(bad)
        return ""
    return value


def date_param(raw: str | None, fallback: T, bad: str) -> tuple[date | T, str]:
    """The day a query parameter names (YYYY-MM-DD) and no reason; ``fallback`` when it is missing, and also when it
    names no day, then with the reason ``bad`` (a message naming ``%(value)s``, the parameter's first 20 characters).

    >>> date_param("2026-03-01", None, "bad %(value)s"), date_param("", None, "bad"), date_param("x", None, "bad %(value)s")
    ((datetime.date(2026, 3, 1), ''), (None, ''), (None, 'bad x'))
    """
    if not raw:
        return fallback, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return fallback, bad % {"value": raw[:20]}


def page_of(request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], size: int = PAGE_SIZE) -> Page[Any]:
    """The page of ``rows`` that ``?page=`` asks for: the first for a missing or bad number, the last past the end."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


class _PageQuery(Protocol):
    page: int
    page_size: int


def page_out(query: _PageQuery, rows: QuerySet[M], item: Callable[[M], Any]) -> dict[str, Any]:
    """One page of an API list (``jiliang.core.web.schemas.PageOut``): ``count`` counts every page, a page past the
    end is empty (not an error), and ``item`` serialises each record of the page."""
    start = (query.page - 1) * query.page_size
    items = [item(row) for row in rows[start : start + query.page_size]]
    return {"count": rows.count(), "page": query.page, "page_size": query.page_size, "items": items}
