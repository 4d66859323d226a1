"""In-app notifications, the log of due-date reminders (``manage.py send_reminders``) and the outbox of notices to
owners about their requests and certificates (``OwnerNotice``; jiliang/notices/owner.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Organization, optional_fk


class Kind(models.TextChoices):
    DUE_REMINDER = "due_reminder", _("到期检定提醒")
    # Notices to the owner about its service requests and certificates (OwnerNotice).
    REQUEST_ACCEPTED = "request_accepted", _("申请已受理")
    REQUEST_RETURNED = "request_returned", _("申请退回补正")
    REQUEST_REJECTED = "request_rejected", _("申请不予受理")
    REQUEST_SCHEDULED = "request_scheduled", _("检定已排期")
    REQUEST_COMPLETED = "request_completed", _("申请已办结")
    CERTIFICATE_ISSUED = "certificate_issued", _("证书已出具")
    FAILURE_NOTICE_ISSUED = "failure_notice_issued", _("检定结果通知书已出具")
    CERTIFICATE_SUPERSEDED = "certificate_superseded", _("证书已更正")
    CERTIFICATE_REVOKED = "certificate_revoked", _("证书已撤销")


# What the inbox's button that opens a notification's link says, by kind.
LINK_LABELS: dict[str, Any] = {
    Kind.DUE_REMINDER: _("查看器具"),
    Kind.REQUEST_ACCEPTED: _("查看申请"),
    Kind.REQUEST_RETURNED: _("查看申请"),
    Kind.REQUEST_REJECTED: _("查看申请"),
    Kind.REQUEST_SCHEDULED: _("查看申请"),
    Kind.REQUEST_COMPLETED: _("查看申请"),
    Kind.CERTIFICATE_ISSUED: _("查看证书"),
    Kind.FAILURE_NOTICE_ISSUED: _("查看通知书"),
    Kind.CERTIFICATE_SUPERSEDED: _("查看新证书"),
    Kind.CERTIFICATE_REVOKED: _("查看证书"),
}


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

    @property
    def link_label(self) -> str:
        return str(LINK_LABELS.get(self.kind, _("查看")))


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


class OwnerNotice(models.Model):
    """The outbox of one notice to an owner about one event of its request or certificate (jiliang/notices/owner.py).

    Written by the receiver of a verification signal in the service's own transaction, together with the in-app
    ``notification``; so it exists exactly when the change committed. ``key`` names the event (unique): a second
    row for the same event cannot be inserted. Each channel has its status; delivery moves a channel from
    "pending" to "sending" with one conditional UPDATE before it sends, so of two runs only one sends it. A channel
    left "sending" (the process died while sending) is not sent again: at most once, as the reminders.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        # Claimed by a delivery run, which is sending it now (or died while it was).
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        # The text-message backend only wrote it to the log (JILIANG_SMS_BACKEND is the default LogBackend).
        LOGGED = "logged", _("仅记入日志，未发送")
        FAILED = "failed", _("发送失败")
        # No address for this channel (no user with an e-mail address, no contact number): in-app notice only.
        NO_ADDRESS = "no_address", _("无地址，仅站内通知")

    key = models.CharField(_("事件"), max_length=100, unique=True)
    owner = models.ForeignKey(
        Organization, verbose_name=_("使用单位"), on_delete=models.CASCADE, related_name="owner_notices"
    )
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # A path inside the site; the e-mail carries it as a full address.
    link = models.CharField(_("链接"), max_length=500, blank=True)
    # The text message and its template parameters (jiliang/notices/sms.py).
    sms_text = models.CharField(_("短信内容"), max_length=500, blank=True)
    sms_params = models.JSONField(_("短信参数"), default=dict, blank=True)
    notification = optional_fk(Notification, _("通知"), on_delete=models.SET_NULL, related_name="+")
    emails = models.JSONField(_("邮件地址"), default=list, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email_status = models.CharField(_("邮件状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    email_error = models.TextField(_("邮件错误"), blank=True)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # Times the channel was claimed for sending (1 after the first sending; more only by send_notices --retry-failed).
    email_attempts = models.PositiveSmallIntegerField(_("邮件发送次数"), default=0)
    sms_status = models.CharField(_("短信状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    sms_error = models.TextField(_("短信错误"), blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    sms_attempts = models.PositiveSmallIntegerField(_("短信发送次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("使用单位通知")
        verbose_name_plural = _("使用单位通知")
        indexes = [
            # send_notices: what is still pending, oldest first.
            models.Index(fields=["email_status", "created_at"], name="owner_notice_email_idx"),
            models.Index(fields=["sms_status", "created_at"], name="owner_notice_sms_idx"),
        ]

    def __str__(self) -> str:
        return self.key
