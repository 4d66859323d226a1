"""Administrative penalty cases (行政处罚, 市场监督管理行政处罚程序规定 and 行政处罚法 2021), their documents and the
publication of decisions (市场监督管理行政处罚信息公示规定).

A case moves clue → checked → filed (or not filed) → investigated → legal review → notice of the intended penalty
→ decided → served → enforced → closed; each step's day is stored, and each statutory limit is computed from them
by ``jiliang.metrology.cases`` (never stored as a typed date). A pause (suspension, hearing, testing, announcement)
stops the clock. Documents are generated once, numbered, and never edited: a correction is a new document that
supersedes the old one, and both stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiliang.core.errors import DomainError
from jiliang.core.models import Organization, Region, WriteOnceModel

from .inspections import Inspection, LegalBasis, Rectification
from .rosters import Inspector


class Case(models.Model):
    class Source(models.TextChoices):
        INSPECTION = "inspection", _("监督检查发现")
        RECTIFICATION = "rectification", _("逾期未整改")
        COMPLAINT = "complaint", _("投诉举报")
        REFERRAL = "referral", _("上级交办或部门移送")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        CLUE = "clue", _("线索核查")
        NOT_FILED = "not_filed", _("不予立案")
        FILED = "filed", _("已立案调查")
        REVIEW = "review", _("法制审核")
        NOTIFIED = "notified", _("已告知")
        DECIDED = "decided", _("已作出决定")
        SERVED = "served", _("已送达")
        CLOSED = "closed", _("已结案")

    class Penalty(models.TextChoices):
        WARNING = "warning", _("警告")
        CRITICISM = "criticism", _("通报批评")
        FINE = "fine", _("罚款")
        CONFISCATION = "confiscation", _("没收违法所得、没收非法财物")
        NONE = "none", _("不予处罚")

    number = models.CharField(_("案件编号"), max_length=40, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    bureau = models.ForeignKey(
        Organization, verbose_name=_("办案部门"), on_delete=models.PROTECT, related_name="cases_handled"
    )
    party = models.ForeignKey(Organization, verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="cases")
    source = models.CharField(_("案件来源"), max_length=16, choices=Source.choices)
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("责令改正"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    summary = models.TextField(_("案情摘要"), max_length=5000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CLUE)
    officers = models.ManyToManyField(Inspector, verbose_name=_("办案人员"), related_name="cases", blank=True)
    bases = models.ManyToManyField(LegalBasis, verbose_name=_("违法依据与处罚依据"), related_name="+", blank=True)
    clue_received_on = models.DateField(_("线索收到日期"))
    filing_extended = models.BooleanField(_("立案期限经批准延长"), default=False)
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    filing_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("立案批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_extended = models.BooleanField(_("决定期限经批准延长"), default=False)
    review_started_on = models.DateField(_("法制审核开始日期"), null=True, blank=True)
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    hearing_requested = models.BooleanField(_("申请听证"), default=False)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    penalty = models.CharField(_("处罚种类"), max_length=16, choices=Penalty.choices, blank=True)
    fine = models.DecimalField(_("罚款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    confiscated = models.DecimalField(_("没收金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    paid_on = models.DateField(_("缴款日期"), null=True, blank=True)
    paid_amount = models.DecimalField(_("缴款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    not_filed_reason = models.TextField(_("不予立案理由"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-clue_received_on", "-id"]
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")
        indexes = [
            models.Index(fields=["region", "-clue_received_on", "-id"], name="case_region_day_idx"),
            models.Index(fields=["region", "status"], name="case_region_status_idx"),
            models.Index(fields=["party", "status"], name="case_party_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class CasePause(models.Model):
    """A time the case's clock does not count (程序规定: testing, suspension, hearing, announcement)."""

    class Kind(models.TextChoices):
        TESTING = "testing", _("检测、检验、检疫、鉴定")
        SUSPENSION = "suspension", _("案件中止")
        HEARING = "hearing", _("听证")
        ANNOUNCEMENT = "announcement", _("公告")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("事由"), max_length=16, choices=Kind.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=500)

    class Meta:
        ordering = ["case", "started_on"]
        verbose_name = _("期限中止")
        verbose_name_plural = _("期限中止")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="casepause_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class CaseEvent(WriteOnceModel):
    """One step of the case, as it happened (the case's own log; the audit log has the same acts)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="events")
    step = models.CharField(_("环节"), max_length=32)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), max_length=2000, blank=True)

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("办案环节")
        verbose_name_plural = _("办案环节")

    def __str__(self) -> str:
        return f"{self.case} {self.step}"

    @classmethod
    def edit_refused(cls) -> DomainError:
        return DomainError(gettext("办案记录不能修改或删除"), code="conflict")


class CaseDocument(WriteOnceModel):
    """A numbered document of a case file (立案审批表, 行政处罚告知书, 行政处罚决定书, 送达回证, 结案报告 …), generated
    once as PDF. A correction is a new document that names the one it supersedes."""

    class Kind(models.TextChoices):
        FILING = "filing", _("立案审批表")
        ORDER = "order", _("责令改正通知书")
        NOTICE = "notice", _("行政处罚告知书")
        DECISION = "decision", _("行政处罚决定书")
        SERVICE = "service", _("送达回证")
        CLOSING = "closing", _("结案报告")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文书"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    issued_on = models.DateField(_("日期"))
    bases = models.ManyToManyField(LegalBasis, verbose_name=_("引用条款"), related_name="+", blank=True)
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("制作时间"), auto_now_add=True)

    class Meta:
        ordering = ["case", "issued_at", "id"]
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")

    def __str__(self) -> str:
        return self.number

    @classmethod
    def edit_refused(cls) -> DomainError:
        return DomainError(gettext("已制作的文书不能修改或删除；如需更正，请制作更正文书"), code="conflict")


class Publication(models.Model):
    """A result or a decision made public: due by a statutory day, withdrawn within its limit when revoked, and no
    longer shown after the period the rule sets. Rows are never deleted."""

    class Kind(models.TextChoices):
        RESULT = "result", _("抽查检查结果")
        DECISION = "decision", _("行政处罚决定")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    inspection = models.OneToOneField(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="publication"
    )
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="publication")
    title = models.CharField(_("标题"), max_length=300)
    body = models.JSONField(_("公示内容"))
    due_on = models.DateField(_("公示期限"))
    published_at = models.DateTimeField(_("公示时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("公示人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visible_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    withdraw_due = models.DateField(_("撤下期限"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤下原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("公示信息")
        verbose_name_plural = _("公示信息")
        indexes = [models.Index(fields=["kind", "region", "-published_at"], name="publication_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspection__isnull=False) | models.Q(case__isnull=False),
                name="publication_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title
