"""Domain errors raised by services, with messages a user understands."""

from __future__ import annotations

from django.http import Http404


class DomainError(Exception):
    """A change the rules do not allow. ``errors`` maps a field (or "") to messages, for forms and the API."""

    def __init__(
        self, message: str, *, field: str = "", errors: list[tuple[str, str]] | None = None, code: str = "invalid"
    ) -> None:
        super().__init__(message)
        self.message = message
        # "invalid" (a 4xx for bad input) or "conflict" (the record clashes with one that exists: 409).
        self.code = code
        self.errors = errors if errors is not None else ([(field, message)] if field else [])


class NotFoundOrForbidden(DomainError, Http404):
    """Raised when a record does not exist *or* lies outside the actor's scope: the two look the same.

    It is also an ``Http404``: a page that lets it pass answers 404 (the API answers it in the error shape). Only
    where a view catches ``DomainError`` around a call does it need ``core.web.http.not_found_as_404`` first."""
