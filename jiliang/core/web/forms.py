"""A form page's step: the posted form goes to its service, and the service's refusal is shown on the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.http import HttpRequest

from jiliang.core.errors import DomainError

from .http import not_found_as_404

T = TypeVar("T")


class DateInput(forms.DateInput):
    """The browser's date picker; the value written as YYYY-MM-DD, the only form it reads."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_domain_errors(form: forms.Form, error: DomainError, *, aliases: Mapping[str, str] | None = None) -> None:
    """Put ``error`` on ``form``: each message on its field when the form has one, else on the whole form; an error
    without fields is its message on the whole form.

    ``aliases`` maps a service's argument to the form's field where the two are named differently
    (``{"verifier_id": "verifier"}``).
    """
    aliases = aliases or {}
    for name, message in error.errors or [("", error.message)]:
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, message)


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What a service returned for the posted form it accepted."""

    value: T


def form_save(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], T],
    *,
    aliases: Mapping[str, str] | None = None,
    missing_is_404: bool = False,
) -> Saved[T] | None:
    """The step of every form page: when ``request`` posts ``form`` and it is valid, call ``save`` (the service)
    with the cleaned data and return its result in a ``Saved``; when the service refuses (``DomainError``), its
    messages go on the form (``add_domain_errors``). ``None``: nothing was saved, show the form again.

    ``missing_is_404``: the service's ``NotFoundOrForbidden`` (the record is gone or out of scope) answers 404
    instead of going on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        with not_found_as_404() if missing_is_404 else nullcontext():
            value = save(form.cleaned_data)
    except DomainError as exc:
        add_domain_errors(form, exc, aliases=aliases)
        return None
    return Saved(value)
