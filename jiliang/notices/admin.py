"""Notifications and the reminder log in the admin, read-only: ``send_reminders`` alone writes them."""

from __future__ import annotations

from django.contrib import admin

from jiliang.core.admin import ReadOnlyAdmin

from .models import Notification, ReminderLog


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
