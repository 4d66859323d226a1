from django.contrib import admin

from .models import Notification, ReminderLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only in the admin: notifications and the reminder log are written by ``send_reminders`` only."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ("day", "owner", "kind", "instrument_count", "status", "sent_at")
    list_filter = ("status", "kind", "day")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "notification")
    date_hierarchy = "day"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organization", "kind", "title", "read_at")
    list_filter = ("kind",)
    list_select_related = ("organization",)
    raw_id_fields = ("organization", "user")
