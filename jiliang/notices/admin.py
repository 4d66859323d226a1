"""Notifications, the reminder log and the owner notices' outbox in the admin, read-only: the jobs and the
verification events alone write them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiliang.core.admin import ReadOnlyAdmin

from .models import Notification, OwnerNotice, ReminderLog
from .sms import mask_phone


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ("day", "owner", "kind", "instrument_count", "status", "sent_at")
    list_filter = ("status", "kind", "day")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "notification")
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organization", "kind", "title", "read_at")
    list_filter = ("kind",)
    list_select_related = ("organization",)
    raw_id_fields = ("organization", "user")
    show_full_result_count = False


@admin.register(OwnerNotice)
class OwnerNoticeAdmin(ReadOnlyAdmin):
    """The outbox of notices to owners: what each channel did (sent, logged, failed with its error, no address).
    The contact number is shown masked; ``send_notices --retry-failed`` sends failed channels again."""

    list_display = ("created_at", "owner", "kind", "title", "email_status", "sms_status", "masked_phone")
    list_filter = ("kind", "email_status", "sms_status")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "notification")
    search_fields = ("key", "title")
    exclude = ("phone",)
    readonly_fields = ("masked_phone",)
    show_full_result_count = False

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: OwnerNotice) -> str:
        return mask_phone(obj.phone)
