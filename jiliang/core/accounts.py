"""Account services (password) and the rule that a changed credential ends every API token of its user.

A user's tokens are revoked when the password is set or disabled, and when the user is deactivated, whichever way
the change is saved: the services below, the password page, the admin's forms, ``manage.py changepassword`` or any
code that saves the user. The services revoke explicitly with their actor; :func:`revoke_tokens_on_credential_change`
(a ``post_save`` receiver, connected in ``CoreConfig.ready``) catches every other path, with the actor that the
caller declared through :func:`acting_as`, or "system".

A password *rehash* (Django re-encodes a checked password with the preferred hasher, via ``save(update_fields=
["password"])`` after clearing ``_password``) is not a change and revokes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import audit
from .api_auth import tokens_revoke_all
from .errors import DomainError
from .models import ApiToken, User

_actor: ContextVar[User | None] = ContextVar("jiliang_acting_user", default=None)


@contextmanager
def acting_as(actor: User | None) -> Iterator[None]:
    """Name the person behind saves that do not pass through a service (the admin's forms), for the audit."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> User | None:
    return _actor.get()


def user_set_password(*, user: User, raw_password: str, actor: User | None) -> int:
    """Set a new password (checked against AUTH_PASSWORD_VALIDATORS) and revoke the user's API tokens. Returns the
    number of tokens revoked."""
    try:
        password_validation.validate_password(raw_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    with transaction.atomic(), acting_as(actor):
        revoked = tokens_revoke_all(user=user, actor=actor, reason=ApiToken.RevokeReason.PASSWORD_CHANGED)
        user.set_password(raw_password)
        user.save()
        audit.record(actor=actor, action="user.password_change", obj=user, changes={"tokens_revoked": revoked})
    return revoked


def user_disable_password(*, user: User, actor: User | None) -> int:
    """Make the password unusable (no password login) and revoke the user's API tokens."""
    with transaction.atomic(), acting_as(actor):
        revoked = tokens_revoke_all(user=user, actor=actor, reason=ApiToken.RevokeReason.PASSWORD_CHANGED)
        user.set_unusable_password()
        user.save()
        audit.record(actor=actor, action="user.password_disable", obj=user, changes={"tokens_revoked": revoked})
    return revoked


@receiver(post_save, sender=User, dispatch_uid="jiliang.core.accounts.revoke_tokens_on_credential_change")
def revoke_tokens_on_credential_change(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created or raw:
        return
    if not instance.is_active:
        reason = ApiToken.RevokeReason.DEACTIVATED
    # ``_password`` holds the raw password from set_password() until the save that stores it.
    elif getattr(instance, "_password", None) is not None or not instance.has_usable_password():
        reason = ApiToken.RevokeReason.PASSWORD_CHANGED
    else:
        return
    with transaction.atomic():
        tokens_revoke_all(user=instance, actor=current_actor(), reason=reason)
