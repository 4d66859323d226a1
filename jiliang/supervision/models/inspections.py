"""Inspections on the spot and the rectification they order.

An inspection is of one organization, by at least two officers, with a checklist of its trade (data), the
organization's instruments as the registry knew them that day, test draws judged against the MPE, findings each
citing its legal basis, attachments (photos, scans) and a result in the national categories. A submitted
inspection is never edited; its result is published within the set number of working days.

Rectification (责令改正): an order with a deadline, the organization's reply with evidence, the re-check, then
closed or escalated to a case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Organization, Region

from .plans import Campaign, DrawnTarget, Task, Trade
from .rosters import Inspector


class LegalBasis(models.Model):
    """One article of a law, regulation or rule, kept as data: cited by findings, orders and case documents."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    law = models.CharField(_("法律法规规章"), max_length=200)
    article = models.CharField(_("条款"), max_length=50)
    text = models.TextField(_("条文要点"), max_length=4000)
    # What the article provides for a breach (for penalty bases), in words.
    penalty = models.TextField(_("罚则"), max_length=2000, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    confidence = models.CharField(_("核实情况"), max_length=16, default="unconfirmed")

    class Meta:
        ordering = ["code"]
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据")

    def __str__(self) -> str:
        return f"{self.law}{self.article}"


class Checklist(models.Model):
    """A trade's on-site checklist (data): ``items`` is a list of {"code", "text", "basis"} (a LegalBasis code)."""

    trade = models.CharField(_("行业"), max_length=16, choices=Trade.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=200)
    items = models.JSONField(_("检查项目"), default=list)
    # MPE of a test draw in percent of the delivered volume, where the trade has test draws (fuel dispensers).
    test_draw_mpe_percent = models.DecimalField(
        _("试验最大允许误差（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("来源"), max_length=300, blank=True)
    active = models.BooleanField(_("现行"), default=True)

    class Meta:
        ordering = ["trade", "-version"]
        verbose_name = _("现场检查表")
        verbose_name_plural = _("现场检查表")
        constraints = [models.UniqueConstraint(fields=["trade", "version"], name="checklist_trade_version_uniq")]

    def __str__(self) -> str:
        return self.name


class ResultCategory(models.Model):
    """The published result categories (data): 未发现问题, 发现问题已责令改正, …"""

    code = models.CharField(_("编码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # A result that is a problem (counted as such on dashboards and in the credit grade).
    problem = models.BooleanField(_("发现问题"), default=False)

    class Meta:
        ordering = ["order"]
        verbose_name = _("检查结果类别")
        verbose_name_plural = _("检查结果类别")

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("检查中")
        SUBMITTED = "submitted", _("结果已录入")
        PUBLISHED = "published", _("结果已公示")

    number = models.CharField(_("检查编号"), max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="inspections"
    )
    # The inspected organization's region: every read is scoped through it.
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    bureau = models.ForeignKey(
        Organization, verbose_name=_("检查部门"), on_delete=models.PROTECT, related_name="inspections_made"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("抽查任务"), null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    drawn_target = models.OneToOneField(
        DrawnTarget,
        verbose_name=_("抽中记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    checklist = models.ForeignKey(Checklist, verbose_name=_("检查表"), on_delete=models.PROTECT, related_name="+")
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("执法人员"), related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    result = models.ForeignKey(
        ResultCategory, verbose_name=_("检查结果"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("检查情况"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(_("结果录入时间"), null=True, blank=True)
    publish_due = models.DateField(_("公示期限"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("现场检查")
        verbose_name_plural = _("现场检查")
        indexes = [
            models.Index(fields=["region", "-inspected_on", "-id"], name="inspection_region_day_idx"),
            models.Index(fields=["organization", "-inspected_on"], name="inspection_org_day_idx"),
            models.Index(fields=["status", "publish_due"], name="inspection_publish_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class Finding(models.Model):
    """One line of the checklist as found: compliant or not, with its note and legal basis."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    code = models.CharField(_("项目编号"), max_length=32)
    text = models.CharField(_("检查项目"), max_length=500)
    compliant = models.BooleanField(_("符合"), null=True)
    note = models.CharField(_("情况说明"), max_length=1000, blank=True)
    basis = models.ForeignKey(
        LegalBasis, verbose_name=_("法律依据"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["inspection", "code"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        constraints = [models.UniqueConstraint(fields=["inspection", "code"], name="finding_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class InstrumentCheck(models.Model):
    """One of the organization's registered instruments as the inspection found it (a snapshot of its status)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="instrument_checks"
    )
    instrument = models.ForeignKey(
        "instruments.Instrument", verbose_name=_("计量器具"), on_delete=models.PROTECT, related_name="+"
    )
    due_state = models.CharField(_("检定状态"), max_length=16)
    due_on = models.DateField(_("检定有效期至"), null=True, blank=True)
    seal_intact = models.BooleanField(_("封印完好"), null=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("器具检查")
        verbose_name_plural = _("器具检查")
        constraints = [models.UniqueConstraint(fields=["inspection", "instrument"], name="instrumentcheck_uniq")]

    def __str__(self) -> str:
        return f"{self.inspection} {self.instrument_id}"


class TestDraw(models.Model):
    """A test delivery (fuel: 20 L, or 1 L per grade) measured with a standard can: the error against the MPE."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="test_draws"
    )
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("计量器具"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("枪号/油品"), max_length=50, blank=True)
    indicated = models.DecimalField(_("示值（L）"), max_digits=10, decimal_places=3)
    actual = models.DecimalField(_("标准量器实际值（L）"), max_digits=10, decimal_places=3)
    mpe_percent = models.DecimalField(_("最大允许误差（%）"), max_digits=5, decimal_places=2)
    error_percent = models.DecimalField(_("示值误差（%）"), max_digits=8, decimal_places=3)
    passed = models.BooleanField(_("合格"))

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("现场试验")
        verbose_name_plural = _("现场试验")

    def __str__(self) -> str:
        return f"{self.label} {self.error_percent}%"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # Under MEDIA_ROOT, which no web server serves: files reach users only through a view that checks scope.
    return f"supervision/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A photo or scan of an inspection, of a rectification's reply, or of a case."""

    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    rectification = models.ForeignKey(
        "supervision.Rectification", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    case = models.ForeignKey(
        "supervision.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspection__isnull=False)
                | models.Q(rectification__isnull=False)
                | models.Q(case__isnull=False),
                name="attachment_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rectification(models.Model):
    """责令改正: ordered with a deadline; the organization replies with evidence; the bureau re-checks; closed or
    escalated to a case."""

    class Status(models.TextChoices):
        ORDERED = "ordered", _("待整改")
        REPLIED = "replied", _("已回复待复查")
        CLOSED = "closed", _("整改完成")
        ESCALATED = "escalated", _("转立案")

    number = models.CharField(_("通知书编号"), max_length=40, unique=True)
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="rectifications"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("整改单位"), on_delete=models.PROTECT, related_name="rectifications"
    )
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    bureau = models.ForeignKey(Organization, verbose_name=_("责令部门"), on_delete=models.PROTECT, related_name="+")
    requirement = models.TextField(_("整改要求"), max_length=5000)
    bases = models.ManyToManyField(LegalBasis, verbose_name=_("法律依据"), related_name="+")
    ordered_on = models.DateField(_("责令日期"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ORDERED)
    reply = models.TextField(_("整改情况"), max_length=5000, blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recheck_on = models.DateField(_("复查日期"), null=True, blank=True)
    recheck_note = models.TextField(_("复查意见"), max_length=5000, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf = models.BinaryField(_("通知书 PDF"), editable=False, null=True)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        verbose_name = _("责令改正")
        verbose_name_plural = _("责令改正")
        indexes = [
            models.Index(fields=["region", "status", "deadline"], name="rect_region_status_idx"),
            models.Index(fields=["organization", "status"], name="rect_org_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number
