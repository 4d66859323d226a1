"""The registry of measuring instruments (计量器具台账)."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core import clock
from jiliang.core.models import Organization, Region, optional_fk
from jiliang.metrology import due

# The public link's key: 18 random bytes, 24 URL-safe characters (144 bits), which nobody can guess or walk.
PUBLIC_KEY_BYTES = 18


def new_public_key() -> str:
    """A fresh key for an instrument's public page (扫码查器具): ``/check/i/<key>/``, printed as a QR code on its
    label. Random, never derived from the id or the serial number (those can be walked)."""
    return secrets.token_urlsafe(PUBLIC_KEY_BYTES)


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def with_last_verified_on(self) -> InstrumentQuerySet:
        """Annotate the last valid verification's date (one LEFT JOIN on a primary key): lists read
        ``instrument.last_verified_on`` from it without a query per row."""
        return self.annotate(last_verified_date=models.F("last_verification__performed_on"))


class Instrument(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", _("在用")
        STOPPED = "stopped", _("停用")
        SCRAPPED = "scrapped", _("报废")

    class StopReason(models.TextChoices):
        # Blank: stopped by its owner (or a regulator), for a reason written in the audit log.
        FAILED_VERIFICATION = "failed_verification", _("检定不合格")

    class DueState(models.TextChoices):
        VALID = due.DueState.VALID.value, _("有效")
        DUE_SOON = due.DueState.DUE_SOON.value, _("即将到期")
        OVERDUE = due.DueState.OVERDUE.value, _("已超期")
        NEVER = due.DueState.NEVER.value, _("未检定")
        NOT_APPLICABLE = due.DueState.NOT_APPLICABLE.value, _("非强检")

    owner = models.ForeignKey(
        Organization, verbose_name=_("使用单位"), on_delete=models.PROTECT, related_name="instruments"
    )
    # The owner's region, copied so that scoping and county counts at 10^6 rows need no join.
    # Kept in step by the services that create instruments or move an owner.
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    catalog_item = optional_fk(CatalogItem, _("目录条目"), related_name="instruments")
    usage = models.CharField(_("用途"), max_length=16, choices=Usage.choices)
    name = models.CharField(_("器具名称"), max_length=100)
    manufacturer = models.CharField(_("制造单位"), max_length=200, blank=True)
    model = models.CharField(_("型号规格"), max_length=100, blank=True)
    serial_number = models.CharField(_("出厂编号"), max_length=64)
    asset_number = models.CharField(_("设备（资产）编号"), max_length=64, blank=True)
    accuracy_class = models.CharField(_("准确度等级"), max_length=50, blank=True)
    measuring_range = models.CharField(_("测量范围"), max_length=100, blank=True)
    location = models.CharField(_("安装使用地点"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.IN_USE)
    registered_on = models.DateField(_("备案日期"), default=date.today)
    # Derived, never typed: set by the services from the catalog row and the usage.
    mandatory = models.BooleanField(_("强制检定"), default=False, editable=False)
    # The latest valid verification (kind verification, conclusion pass, its certificate if any neither revoked
    # nor superseded): a platform record or one the owner declared from before the platform. Set only by
    # ``services.instrument_set_last_verification``; a list reads its date through ``with_last_verified_on``.
    last_verification = optional_fk(
        "verification.VerificationRecord", _("最近有效检定"), related_name="+", editable=False
    )
    # Why and since when the instrument is stopped; blank unless it is. Stopped as failed: set only by
    # ``services.instrument_mark_failed`` from the instrument's latest platform verification (its notice of failed
    # verification, 检定结果通知书, and that verification's date), cleared by a later pass or by scrapping.
    stop_reason = models.CharField(_("停用原因"), max_length=32, choices=StopReason.choices, blank=True, editable=False)
    stopped_on = models.DateField(_("停用日期"), null=True, blank=True, editable=False)
    failure_notice = optional_fk("verification.Certificate", _("检定结果通知书"), related_name="+", editable=False)
    # Derived, never typed: from the last verification's date and the catalog row's mode and interval.
    due_on = models.DateField(_("下次检定日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = optional_fk(settings.AUTH_USER_MODEL, related_name="+")
    # The key of the instrument's public page (``new_public_key``); every way of writing rows gets a fresh one
    # (the bulk writers call the default per row: it is unique).
    public_key = models.CharField(_("公开查询码"), max_length=32, unique=True, default=new_public_key, editable=False)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("计量器具")
        verbose_name_plural = _("计量器具")
        constraints = [
            # A NULL catalog item would escape a plain unique constraint; uncatalogued ones get their own.
            models.UniqueConstraint(
                fields=["owner", "catalog_item", "serial_number"],
                name="instrument_owner_item_serial_uniq",
                condition=models.Q(catalog_item__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["owner", "serial_number"],
                name="instrument_owner_serial_uncatalogued_uniq",
                condition=models.Q(catalog_item__isnull=True),
            ),
            models.CheckConstraint(condition=~models.Q(serial_number=""), name="instrument_serial_not_empty"),
            # Why and since when describe the current stop only; a stop as failed always names its notice and day.
            models.CheckConstraint(
                condition=models.Q(status="stopped")
                | models.Q(stop_reason="", stopped_on__isnull=True, failure_notice__isnull=True),
                name="instrument_stop_fields_when_stopped",
            ),
            models.CheckConstraint(
                condition=~models.Q(stop_reason="failed_verification")
                | models.Q(stopped_on__isnull=False, failure_notice__isnull=False),
                name="instrument_failed_stop_has_notice",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "mandatory", "status", "due_on"], name="instr_region_due_idx"),
            # Covers an owner's due-state counts without touching the table (a utility holds 10^5 meters).
            models.Index(
                fields=["owner", "mandatory", "status", "due_on", "last_verification"], name="instr_owner_due_idx"
            ),
            # An owner's list pages, newest first: PostgreSQL otherwise walks the whole primary key (81 → 10 ms).
            models.Index(fields=["owner", "id"], name="instr_owner_id_idx"),
            models.Index(fields=["catalog_item", "region"], name="instr_item_region_idx"),
            models.Index(fields=["serial_number"], name="instr_serial_idx"),
            models.Index(fields=["due_on"], name="instr_due_idx"),
            # The early warning "failed and not dealt with": a handful of rows among 10^6, found without a scan.
            models.Index(
                fields=["region", "stopped_on"],
                name="instr_failed_stop_idx",
                condition=models.Q(stop_reason="failed_verification"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.serial_number}"

    @property
    def last_verified_on(self) -> date | None:
        """The date of the last valid verification.

        Read from the ``last_verified_date`` annotation when the queryset has it (lists: see
        ``InstrumentQuerySet.with_last_verified_on``), else from the related record (one query per instrument
        unless it was ``select_related``: fine on a detail page, never in a list).
        """
        if self.last_verification_id is None:
            return None
        if "last_verified_date" in self.__dict__:
            return self.__dict__["last_verified_date"]
        return self.last_verification.performed_on

    @property
    def stopped_as_failed(self) -> bool:
        """Stopped because its latest platform verification failed (停用（检定不合格）)."""
        return self.status == self.Status.STOPPED and self.stop_reason == self.StopReason.FAILED_VERIFICATION

    @property
    def may_be_verified(self) -> bool:
        """May go into a service request: in use, or stopped as failed (repaired and sent for a new verification,
        the only way back into use)."""
        return self.status == self.Status.IN_USE or self.stopped_as_failed

    @property
    def status_label(self) -> str:
        """The status as every page says it: 停用（检定不合格） for an instrument stopped as failed."""
        return status_label(self.status, self.stop_reason)

    @property
    def status_key(self) -> str:
        """The status badge's tone: ``failed`` (red) for an instrument stopped as failed, else the status."""
        return FAILED if self.stopped_as_failed else self.status

    def due_state(self, today: date | None = None) -> str:
        return due.due_state(
            self.due_on,
            today=today or clock.today(),
            mandatory=self.mandatory and self.status == self.Status.IN_USE,
            verified=self.last_verification_id is not None,
            soon_days=settings.JILIANG_DUE_SOON_DAYS,
        )

    def get_due_state_display(self) -> str:
        return str(self.DueState(self.due_state()).label)


# The badge key of an instrument stopped as failed, in place of its status and of its due state (a stopped
# instrument has none: it is out of the in-use mandatory instruments), so lists and pages show it in red.
FAILED = "failed"


def failed_due_label() -> str:
    """What a page shows in place of the due state of an instrument stopped as failed."""
    return str(_("检定不合格"))


def status_label(status: str, stop_reason: str = "") -> str:
    """The label of a status and stop reason (lists resolve it per row without loading an instrument)."""
    if status == Instrument.Status.STOPPED and stop_reason == Instrument.StopReason.FAILED_VERIFICATION:
        return str(_("停用（检定不合格）"))
    return str(Instrument.Status(status).label) if status in Instrument.Status.values else status


def import_upload_to(instance: ImportJob, filename: str) -> str:
    # The job's id, not the uploaded name: a user's file name never becomes a path on the server.
    return f"imports/{instance.pk}.xlsx"


class ImportJob(models.Model):
    """One upload of an .xlsx file to the registry, run inline or in the background, with its report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待导入")
        RUNNING = "running", _("正在导入")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未导入")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Organization, verbose_name=_("使用单位"), on_delete=models.PROTECT, related_name="+")
    # None: the system (a management command).
    actor = optional_fk(settings.AUTH_USER_MODEL, _("操作人"), related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to=import_upload_to, max_length=255)
    partial = models.BooleanField(_("只导入正确的行"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    # ImportReport.as_dict() once finished.
    report = models.JSONField(_("导入报告"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [models.Index(fields=["actor", "created_at"], name="importjob_actor_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class DueTally(models.Model):
    """How many in-use mandatory instruments of a region fall due on each date (verified or never verified).

    The city's dashboard needs counts by county and due state over 10^6 instruments in well under a second;
    a GROUP BY over the registry takes seconds. This table holds the same counts keyed by due date, so the due
    state of each key is decided at read time against today (a new day needs no recount). Every write path keeps
    it in step in the same transaction (``jiliang.instruments.tally``); ``manage.py tally_rebuild`` recounts it
    from the registry and a test compares the two after each kind of write.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    # Instruments with no due date (initial-only, scrapped when inaccurate) are kept under a far-future date,
    # because NULLs never clash in a unique constraint and the upsert needs one.
    due_on = models.DateField()
    verified = models.BooleanField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "due_on", "verified"], name="due_tally_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.due_on} {self.verified}: {self.count}"
