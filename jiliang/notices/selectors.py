"""Reads of notifications: a user sees its own organization's inbox (and nothing of any other organization)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from .models import Notification

UNREAD_FIRST = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())


def notifications_visible_to(user: User | None) -> QuerySet[Notification]:
    """The notifications of the user's organization addressed to all its users or to this user.

    Regulators and institutes see their own organization's inbox too; an admin (no organization), an anonymous
    or inactive user sees none. Ordered unread first, newest first.
    """
    scope = scope_of(user)
    if scope.organization_id is None:
        return Notification.objects.none()
    return (
        Notification.objects.filter(organization_id=scope.organization_id)
        .filter(Q(user__isnull=True) | Q(user_id=user.pk))
        .order_by(UNREAD_FIRST, "-created_at", "-id")
    )


def notification_get(user: User | None, notification_id: int) -> Notification:
    """One notification in the user's inbox; missing and someone else's look the same."""
    try:
        return notifications_visible_to(user).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden(_("通知不存在")) from exc


def unread_count(user: User | None) -> int:
    """How many unread notifications the user has: the badge in the navigation."""
    return notifications_visible_to(user).filter(read_at__isnull=True).order_by().count()
