"""Bearer-token authentication for the API: ``Authorization: Bearer <token>``."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from ninja.security import HttpBearer

from . import audit
from .models import ApiToken, User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, user: User, actor: User | None) -> str:
    """Create a token for ``user`` and return it; only its digest is stored."""
    token = "jl_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, digest=digest(token), prefix=token[:8])
        audit.record(actor=actor, action="api_token.issue", obj=row, changes={"user": user.get_username()})
    return token


def token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke one token; it stops working at once. Revoking twice keeps the first revocation time."""
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().get(pk=token.pk)
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="api_token.revoke", obj=row, changes={"user": row.user.get_username()})
    return row


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str) -> User | None:
        row = (
            ApiToken.objects.select_related("user", "user__organization")
            .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        # Touch at most once a minute, so that reads do not turn into writes.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
