"""In-app notifications and the log of due-date reminders (``manage.py send_reminders``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Organization, optional_fk


class Kind(models.TextChoices):
    DUE_REMINDER = "due_reminder", _("到期检定提醒")


class Notification(models.Model):
    """One message in an organization's inbox (optionally addressed to one of its users).

    The title and body are stored as sent (rendered in the site's language), like an e-mail: what the owner was
    told on that day does not change when the registry does. ``read_at`` is shared by the organization's users.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="notifications"
    )
    # None: every user of the organization.
    user = optional_fk(settings.AUTH_USER_MODEL, _("接收人"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # A path inside the site (starts with "/"), never an outside address.
    link = models.CharField(_("链接"), max_length=500, blank=True)
    # The day the notification concerns (a reminder's run day).
    concerns_on = models.DateField(_("日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # The inbox and the unread badge: one organization's rows, unread first.
            models.Index(fields=["organization", "read_at", "-created_at"], name="notice_org_read_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReminderLog(models.Model):
    """What one reminder run sent to one owner on one day.

    The unique (owner, day, kind) is what makes a second run on the same day send nothing: the row is inserted
    before anything is sent, in the same transaction as the notification, so of two racing runs only one can
    insert it; the other gets an IntegrityError and skips that owner.
    """

    class Status(models.TextChoices):
        # The notification is saved; the e-mail is not sent yet (or the process died before it was).
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        # The owner has no user with an e-mail address: the in-app notification only.
        NO_EMAIL = "no_email", _("无邮箱，仅站内通知")
        FAILED = "failed", _("邮件发送失败")

    owner = models.ForeignKey(
        Organization, verbose_name=_("使用单位"), on_delete=models.CASCADE, related_name="reminder_logs"
    )
    day = models.DateField(_("提醒日期"))
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, default=Kind.DUE_REMINDER)
    # [{"instrument": id, "name", "serial_number", "due_on": "YYYY-MM-DD", "threshold": "30" | "15" | "7" | "overdue"}]
    items = models.JSONField(_("器具"), default=list)
    instrument_count = models.PositiveIntegerField(_("器具数"), default=0)
    emails = models.JSONField(_("邮件地址"), default=list, blank=True)
    notification = optional_fk(Notification, _("通知"), on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "owner_id"]
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [
            models.UniqueConstraint(fields=["owner", "day", "kind"], name="reminder_owner_day_kind_uniq"),
        ]
        indexes = [models.Index(fields=["day", "kind"], name="reminder_day_kind_idx")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.day} {self.kind}: {self.status}"
