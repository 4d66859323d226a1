"""The caller's inbox over HTTP: ``GET /api/v1/notifications``, ``POST /api/v1/notifications/{id}/read``.

A caller sees its own organization's notifications only; another organization's id answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import ERRORS, MAX_ID

from . import selectors, services
from .models import Kind, Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    # due_reminder, request_accepted, request_returned, request_rejected, request_scheduled, request_completed,
    # certificate_issued, failure_notice_issued, certificate_superseded, certificate_revoked
    kind: str
    # The kind's name in the caller's language (类型).
    kind_label: str
    title: str
    body: str
    link: str
    concerns_on: date | None
    created_at: datetime
    read_at: datetime | None
    read: bool

    @staticmethod
    def resolve_kind_label(n: Notification) -> str:
        # From the kind alone: the page's items are validated twice (from the row, then as this schema).
        return str(Kind(n.kind).label) if n.kind in Kind.values else n.kind

    @staticmethod
    def resolve_read(n: Notification) -> bool:
        return n.read_at is not None

    @classmethod
    def from_notification(cls, n: Notification) -> NotificationOut:
        return cls.model_validate(n)  # the notification's fields by name, and ``read``


class NotificationPageOut(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    items: list[NotificationOut]


class NotificationListQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)
    unread_only: bool = False


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **ERRORS},
    summary="我的通知 / my organization's notifications",
)
def notification_list(request: HttpRequest, query: Query[NotificationListQuery]):
    qs = selectors.notifications_visible_to(request.auth)
    if query.unread_only:
        qs = qs.filter(read_at__isnull=True)
    return page_out(query, qs, NotificationOut.from_notification) | {"unread": selectors.unread_count(request.auth)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="标为已读 / mark a notification read",
)
def notification_read(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    notification = services.notification_mark_read(actor=request.auth, notification_id=notification_id)
    return NotificationOut.from_notification(notification)
