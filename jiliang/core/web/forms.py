"""A service's refusal shown on the form that asked for the change."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from jiliang.core.errors import DomainError


def add_domain_errors(form: forms.Form, error: DomainError, aliases: Mapping[str, str] | None = None) -> None:
    """Put ``error`` on ``form``: each message on its field when the form has one, else on the whole form; an error
    without fields is its message on the whole form.

    ``aliases`` maps a service's argument to the form's field where the two are named differently
    (``{"verifier_id": "verifier"}``).
    """
    aliases = aliases or {}
    for name, message in error.errors or [("", error.message)]:
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, message)
