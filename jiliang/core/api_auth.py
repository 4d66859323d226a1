"""Bearer-token authentication for the API (``Authorization: Bearer <token>``), and the token services.

Only a SHA-256 digest of a token is stored (a token is 32 random bytes, so a plain digest cannot be reversed by
guessing); the token itself is shown once. A token works until ``expires_at`` and until it is revoked. Every issue
and revocation is an audit event: ``api_token.issue``, ``api_token.revoke`` (with the reason: by hand, password
changed, user deactivated) and ``api_token.expire`` (recorded once, at the first use after expiry).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from . import audit, clock
from .errors import DomainError, NotFoundOrForbidden
from .models import ApiToken, User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, user: User, actor: User | None, days: int | None = None) -> str:
    """Create a token for ``user`` that lives ``days`` days (``JILIANG_API_TOKEN_DAYS`` by default, at most
    ``JILIANG_API_TOKEN_MAX_DAYS``) and return it; only its digest is stored."""
    days = settings.JILIANG_API_TOKEN_DAYS if days is None else days
    longest = settings.JILIANG_API_TOKEN_MAX_DAYS
    if not 1 <= days <= longest:
        raise DomainError(_("有效天数须在 1 至 %(max)s 之间") % {"max": longest}, field="days")
    if not user.is_active:
        raise DomainError(_("用户“%(username)s”已停用，不能签发令牌") % {"username": user.get_username()})
    token = "jl_" + secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(days=days)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, digest=digest(token), prefix=token[:8], expires_at=expires_at)
        audit.record(
            actor=actor,
            action="api_token.issue",
            obj=row,
            changes={"user": user.get_username(), "expires_at": expires_at.isoformat()},
        )
    return token


def token_revoke(*, token: ApiToken, actor: User | None, reason: str = ApiToken.RevokeReason.MANUAL) -> ApiToken:
    """Revoke one token; it stops working at once. Revoking twice keeps the first revocation (and its event)."""
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if row.revoked_at is None:
            row.revoked_at = clock.now()
            row.revoke_reason = reason
            row.save(update_fields=["revoked_at", "revoke_reason"])
            action = "api_token.expire" if reason == ApiToken.RevokeReason.EXPIRED else "api_token.revoke"
            audit.record(
                actor=actor, action=action, obj=row, changes={"user": row.user.get_username(), "reason": reason}
            )
    return row


def tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Revoke every token of ``user`` that is not revoked yet (one audit event each); returns how many."""
    with transaction.atomic():
        live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True).order_by("pk"))
        for row in live:
            token_revoke(token=row, actor=actor, reason=reason)
    return len(live)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first: the token page shows these and no others (not even to an admin)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_of(user: User, pk: int) -> ApiToken:
    row = tokens_of(user).filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("未找到该令牌"))
    return row


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = ApiToken.objects.select_related("user", "user__organization").filter(digest=digest(token)).first()
        if row is None or row.revoked_at is not None or not row.user.is_active:
            return None
        now = clock.now()
        if row.expires_at <= now:
            # The first use after expiry is recorded (once: the token is revoked as expired), so the audit log shows
            # which clients still hold an expired token; the answer is the same 401 as for any bad token.
            token_revoke(token=row, actor=None, reason=ApiToken.RevokeReason.EXPIRED)
            return None
        # Touch at most once a minute, so that reads do not turn into writes.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
