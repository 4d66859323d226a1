"""The one window and what comes out of it: service requests, verification records, certificates.

Records and certificates are never updated or deleted (services refuse it; the database refuses it too, in
triggers: PostgreSQL since migration 0002, SQLite since migration 0007, see ``immutable``). A correction is a new
record and a new certificate that supersedes the old one; a revocation is a row of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization, Region, WriteOnceModel, optional_fk
from jiliang.instruments.models import Instrument
from jiliang.people.models import Person
from jiliang.standards.models import Standard


class ImmutableRecordError(DomainError):
    """An attempt to edit or delete an issued record or certificate: a correction supersedes instead."""

    def __init__(self, what: str) -> None:
        super().__init__(
            _("%(what)s一经出具不得修改或删除；如需更正，请出具替代证书") % {"what": what}, code="conflict"
        )


class IssuedModel(WriteOnceModel):
    """A record or certificate as issued: an edit or a deletion raises ``ImmutableRecordError``."""

    class Meta:
        abstract = True

    @classmethod
    def edit_refused(cls) -> ImmutableRecordError:
        return ImmutableRecordError(str(cls._meta.verbose_name))


# Foreign keys whose lookups a composite index or a unique constraint of the same table already starts with say
# db_index=False: every extra index is paid on each insert (an import declares 10^5 past verifications at once).


class Service(models.TextChoices):
    VERIFICATION = "verification", _("检定")
    CALIBRATION = "calibration", _("校准")


class FeeSchedule(models.Model):
    """The fee for one catalog item and service, as published by the price authority (data, not code)."""

    catalog_item = models.ForeignKey(
        CatalogItem, verbose_name=_("目录条目"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.CharField(_("服务类别"), max_length=16, choices=Service.choices)
    amount = models.DecimalField(_("收费标准（元/台件）"), max_digits=10, decimal_places=2)
    basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    valid_from = models.DateField(_("执行日期"))

    class Meta:
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        constraints = [
            models.UniqueConstraint(fields=["catalog_item", "service", "valid_from"], name="fee_item_service_uniq"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.catalog_item} {self.get_service_display()} {self.amount}"


class ServiceRequest(models.Model):
    """An owner's request to an institute (一个受理窗口): which instruments, which service, where and when."""

    class Place(models.TextChoices):
        ON_SITE = "on_site", _("现场检定")
        SEND_IN = "send_in", _("送检")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("退回补正")
        REJECTED = "rejected", _("不予受理")
        ACCEPTED = "accepted", _("已受理")
        SCHEDULED = "scheduled", _("已排期")
        IN_WORK = "in_work", _("检定中")
        COMPLETED = "completed", _("已完成")
        WITHDRAWN = "withdrawn", _("已撤回")

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    owner = models.ForeignKey(Organization, verbose_name=_("使用单位"), on_delete=models.PROTECT, related_name="+")
    # The owner's region, copied for scoping without a join (as on Instrument).
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    institute = models.ForeignKey(
        Organization, verbose_name=_("检定机构"), on_delete=models.PROTECT, related_name="service_requests"
    )
    service = models.CharField(_("服务类别"), max_length=16, choices=Service.choices)
    place = models.CharField(_("检定方式"), max_length=16, choices=Place.choices)
    preferred_from = models.DateField(_("期望开始日期"), null=True, blank=True)
    preferred_to = models.DateField(_("期望结束日期"), null=True, blank=True)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # The last reason given for a rejection or a return for correction.
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    scheduled_on = models.DateField(_("安排日期"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始检定时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Statutory limits, in calendar dates computed from working days when the clock starts.
    accept_by = models.DateField(_("受理时限"))
    complete_by = models.DateField(_("办结时限"), null=True, blank=True)
    fee_total = models.DecimalField(_("应收费用（元）"), max_digits=12, decimal_places=2, default=0)
    fee_waived = models.DecimalField(_("减免费用（元）"), max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("服务申请")
        verbose_name_plural = _("服务申请")
        indexes = [
            models.Index(fields=["owner", "status"], name="sreq_owner_status_idx"),
            models.Index(fields=["institute", "status"], name="sreq_institute_status_idx"),
            # The work queue: an institute's requests being recorded, in the order their items wait (the index
            # gives the first rows without reading and sorting them all, and their ids without the table).
            models.Index(
                fields=["institute", "scheduled_on", "complete_by", "id"],
                condition=models.Q(status__in=("scheduled", "in_work")),
                name="sreq_recording_idx",
            ),
            models.Index(fields=["region", "status"], name="sreq_region_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class RequestItem(models.Model):
    """One instrument of a request, with its fee and the waiver applied to it."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("服务申请"),
        on_delete=models.CASCADE,
        related_name="items",
        db_index=False,
    )
    instrument = models.ForeignKey(Instrument, verbose_name=_("计量器具"), on_delete=models.PROTECT, related_name="+")
    fee = models.DecimalField(_("收费（元）"), max_digits=10, decimal_places=2, default=0)
    waived = models.DecimalField(_("减免（元）"), max_digits=10, decimal_places=2, default=0)
    waiver_reason = models.CharField(_("减免依据"), max_length=200, blank=True)
    # True exactly while the item has neither a record nor an open draft; kept by the services
    # (``services.records.request_items_sync_awaiting``) so that the work queue's "waiting to be recorded" is one
    # probe of a partial index per request in work instead of two anti-joins over every item of the institute.
    awaiting_record = models.BooleanField(_("待录入"), default=True, editable=False)

    class Meta:
        verbose_name = _("申请器具")
        verbose_name_plural = _("申请器具")
        constraints = [
            models.UniqueConstraint(fields=["request", "instrument"], name="request_item_uniq"),
        ]
        indexes = [
            models.Index(fields=["request"], condition=models.Q(awaiting_record=True), name="ritem_awaiting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.instrument_id}"


class RequestEvent(models.Model):
    """Each transition of a request: who, when, from which state to which, and why."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("服务申请"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")

    def __str__(self) -> str:
        return f"{self.request_id} {self.from_status}→{self.to_status}"


class VerificationRecord(IssuedModel):
    """One verification or calibration of one instrument (检定/校准原始记录), as issued; never edited.

    ``source`` tells a record made here (with readings, standards and three people) from one an owner declared
    for a verification done before the instrument came onto the platform (date and certificate number only).
    """

    class Source(models.TextChoices):
        PLATFORM = "platform", _("平台出具")
        DECLARED = "declared", _("既往检定（登记）")

    class Conclusion(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")
        CALIBRATED = "calibrated", _("已校准")

    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("计量器具"),
        on_delete=models.PROTECT,
        related_name="verification_records",
        db_index=False,
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Service.choices, default=Service.VERIFICATION)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.PLATFORM)
    institute = optional_fk(Organization, _("检定机构"), related_name="+", db_index=False)
    # Declared records name the institute as the owner typed it.
    institute_name = models.CharField(_("检定机构名称"), max_length=200, blank=True)
    declared_certificate_number = models.CharField(_("原证书编号"), max_length=64, blank=True)
    request_item = optional_fk(RequestItem, _("申请器具"), related_name="records")
    procedure = optional_fk(Procedure, _("依据规程"), related_name="+", db_index=False)
    performed_on = models.DateField(_("检定日期"))
    place = models.CharField(_("检定地点"), max_length=200, blank=True)
    temperature = models.CharField(_("温度"), max_length=32, blank=True)
    humidity = models.CharField(_("相对湿度"), max_length=32, blank=True)
    conditions = models.CharField(_("其他环境条件"), max_length=300, blank=True)
    conclusion = models.CharField(_("结论"), max_length=16, choices=Conclusion.choices)
    # Calibration: the expanded uncertainty as stated (value and unit) and its coverage factor.
    expanded_uncertainty = models.CharField(_("扩展不确定度"), max_length=100, blank=True)
    coverage_factor = models.DecimalField(_("包含因子 k"), max_digits=4, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    resolution = models.CharField(_("修约间隔"), max_length=32, blank=True)
    verifier = optional_fk(Person, _("检定员"), related_name="+", db_index=False)
    checker = optional_fk(Person, _("核验员"), related_name="+", db_index=False)
    approver = optional_fk(Person, _("批准人"), related_name="+", db_index=False)
    # When each of the three signed, by their own login (``RecordDraft``): submitted, checked, approved. Empty on
    # declared records and on records made before the three acts existed.
    verified_at = models.DateTimeField(_("检定员签字时间"), null=True, blank=True)
    checked_at = models.DateTimeField(_("核验员签字时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准人签字时间"), null=True, blank=True)
    # How the maximum permissible error was stated (``jiliang.metrology.verification.Mpe``), when it was a rule
    # rather than a value typed per point.
    mpe_rule = models.JSONField(_("最大允许误差规则"), null=True, blank=True)
    # The next due date this record gives (verification passed, periodic item); None otherwise.
    next_due_on = models.DateField(_("下次检定日期"), null=True, blank=True)
    # A correction: the record this one replaces (its certificate is superseded by this one's).
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("录入人"), related_name="+", db_index=False)

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name = _("检定记录")
        verbose_name_plural = _("检定记录")
        indexes = [
            models.Index(fields=["instrument", "performed_on"], name="vrec_instrument_date_idx"),
            models.Index(fields=["institute", "performed_on"], name="vrec_institute_date_idx"),
        ]
        constraints = [
            # Three different people sign a platform record (JJF 1069 / the institutes' quality manuals).
            models.CheckConstraint(
                condition=models.Q(source="declared")
                | (
                    models.Q(verifier__isnull=False, checker__isnull=False, approver__isnull=False)
                    & ~models.Q(verifier=models.F("checker"))
                    & ~models.Q(verifier=models.F("approver"))
                    & ~models.Q(checker=models.F("approver"))
                ),
                name="vrec_three_different_signatories",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.performed_on} {self.get_conclusion_display()}"


class RecordDraft(models.Model):
    """A verification or calibration in the making (在办原始记录): the verifier's entries and the three acts.

    The verifier (the person whose login made the draft) records and submits; the checker (核验员) named on it
    checks it or returns it with a reason; the approver (批准人) approves it or returns it. Only approval makes the
    ``VerificationRecord`` and numbers, signs and issues the certificate (``services.drafts``), so a draft that is
    returned or withdrawn never consumes a certificate number. A draft may also correct an issued certificate
    (``corrects``): its approval issues a certificate that supersedes that one. Until approval the draft is a work
    item and changes; after it, the record and the certificate are issued and never change.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待核验")
        RETURNED = "returned", _("退回修改")
        CHECKED = "checked", _("待批准")
        APPROVED = "approved", _("已批准出证")
        WITHDRAWN = "withdrawn", _("已撤回")

    institute = models.ForeignKey(
        Organization, verbose_name=_("检定机构"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request_item = models.ForeignKey(
        RequestItem, verbose_name=_("申请器具"), on_delete=models.PROTECT, related_name="drafts"
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("计量器具"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Service.choices, default=Service.VERIFICATION)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The verifier's entries as the record form sends them (dates as ISO text, numbers as text).
    values = models.JSONField(_("录入内容"), default=dict)
    performed_on = models.DateField(_("检定日期"), null=True, blank=True)
    verifier = models.ForeignKey(
        Person, verbose_name=_("检定员"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    checker = optional_fk(Person, _("核验员"), related_name="+", db_index=False)
    approver = optional_fk(Person, _("批准人"), related_name="+", db_index=False)
    corrects = optional_fk("Certificate", _("更正的证书"), related_name="+")
    correction_reason = models.CharField(_("更正原因"), max_length=500, blank=True)
    # The last reason given by the checker or the approver for a return.
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    returned_by = optional_fk(Person, _("退回人"), related_name="+", db_index=False)
    submitted_at = models.DateTimeField(_("提交核验时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    checked_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    record = models.OneToOneField(
        VerificationRecord,
        verbose_name=_("检定记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("在办检定记录")
        verbose_name_plural = _("在办检定记录")
        indexes = [
            models.Index(fields=["institute", "status"], name="draft_institute_status_idx"),
            models.Index(fields=["verifier", "status"], name="draft_verifier_status_idx"),
            models.Index(fields=["checker", "status"], name="draft_checker_status_idx"),
            models.Index(fields=["approver", "status"], name="draft_approver_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(checker=models.F("verifier")), name="draft_checker_not_verifier"
            ),
            models.CheckConstraint(
                condition=~models.Q(approver=models.F("verifier")) & ~models.Q(approver=models.F("checker")),
                name="draft_approver_not_verifier_or_checker",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(record__isnull=False),
                name="draft_approved_has_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.get_status_display()}"

    # A draft still in the making: neither approved (issued) nor withdrawn. At most one per request item.
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.CHECKED)


class RecordDraftEvent(models.Model):
    """Each act on a draft: who (the login and the person), when, from which state to which, and why."""

    draft = models.ForeignKey(
        RecordDraft, verbose_name=_("在办检定记录"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    person = optional_fk(Person, _("人员"), related_name="+", db_index=False)
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("检定记录办理记录")
        verbose_name_plural = _("检定记录办理记录")

    def __str__(self) -> str:
        return f"{self.draft_id} {self.from_status}→{self.to_status}"


class ReadingPoint(IssuedModel):
    """One measured point of a record: reference and indicated values, the (rounded) error and its MPE."""

    record = models.ForeignKey(
        VerificationRecord,
        verbose_name=_("检定记录"),
        on_delete=models.PROTECT,
        related_name="points",
        db_index=False,
    )
    index = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("检定点"), max_length=100, blank=True)
    reference = models.DecimalField(_("标准值"), max_digits=20, decimal_places=8)
    indicated = models.DecimalField(_("示值"), max_digits=20, decimal_places=8)
    error = models.DecimalField(_("示值误差"), max_digits=20, decimal_places=8)
    # Verification only: the MPE at the point and whether the point passed (calibrations state no verdict).
    mpe = models.DecimalField(_("最大允许误差"), max_digits=20, decimal_places=8, null=True, blank=True)
    passed = models.BooleanField(_("合格"), null=True, blank=True)

    class Meta:
        ordering = ["record", "index"]
        verbose_name = _("检定数据")
        verbose_name_plural = _("检定数据")
        constraints = [models.UniqueConstraint(fields=["record", "index"], name="reading_point_uniq")]

    def __str__(self) -> str:
        return f"{self.record_id}#{self.index}"


class StandardUse(IssuedModel):
    """A standard used by a record, with the numbers of the certificates that made it valid that day."""

    record = models.ForeignKey(
        VerificationRecord,
        verbose_name=_("检定记录"),
        on_delete=models.PROTECT,
        related_name="standards_used",
        db_index=False,
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("计量标准"), on_delete=models.PROTECT, related_name="uses", db_index=False
    )
    # Copied from the record, so reverse traceability finds (standard, date) on one index without a join.
    performed_on = models.DateField(_("检定日期"))
    # The standard's assessment certificate and its equipment's certificates, as numbers, at the time of use.
    certificate_numbers = models.CharField(_("证书编号"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("使用的计量标准")
        verbose_name_plural = _("使用的计量标准")
        constraints = [models.UniqueConstraint(fields=["record", "standard"], name="standard_use_uniq")]
        # Covers the recall: (standard, day range) → records, from the index alone.
        indexes = [models.Index(fields=["standard", "performed_on", "record"], name="standard_use_recall_idx")]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.standard_id}"


class Certificate(IssuedModel):
    """A signed certificate (检定证书 / 检定结果通知书 / 校准证书). Never edited or deleted.

    ``document`` is the canonical JSON form that ``signature`` signs (``jiliang.metrology.signing``); the
    columns beside it repeat what lists and the public check need, and never disagree with it.
    """

    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("检定证书")
        FAILURE_NOTICE = "failure_notice", _("检定结果通知书")
        CALIBRATION = "calibration", _("校准证书")

    number = models.CharField(_("证书编号"), max_length=64, unique=True)
    kind = models.CharField(_("证书类别"), max_length=16, choices=Kind.choices)
    record = models.ForeignKey(
        VerificationRecord, verbose_name=_("检定记录"), on_delete=models.PROTECT, related_name="certificates"
    )
    institute = models.ForeignKey(
        Organization, verbose_name=_("检定机构"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        Organization, verbose_name=_("使用单位"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("计量器具"), on_delete=models.PROTECT, related_name="certificates"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("流水号"))
    issued_on = models.DateField(_("签发日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    # Unguessable: the QR code carries it, so numbers cannot be walked to harvest certificates.
    token = models.CharField(_("查验码"), max_length=43, unique=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("替代的证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    document = models.JSONField(_("证书内容（规范化）"))
    signature = models.CharField(_("数字签名"), max_length=128)
    key_id = models.CharField(_("签名密钥"), max_length=32)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            models.UniqueConstraint(
                fields=["institute", "year", "kind", "sequence"], name="certificate_institute_sequence_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "issued_on"], name="cert_owner_date_idx"),
            models.Index(fields=["institute", "issued_on"], name="cert_institute_date_idx"),
            models.Index(fields=["region", "issued_on"], name="cert_region_date_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class CertificateRevocation(IssuedModel):
    """The revocation of a certificate, with its reason. A certificate is revoked once, never un-revoked.

    ``document`` is the signed revocation (format ``jiliang-revocation``: the certificate's number, the SHA-256 of
    the document it revokes, the time; docs/certificates.md): the public check believes a revocation only when
    that signature verifies with a trusted key. The reason stays internal and unsigned.
    """

    certificate = models.OneToOneField(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="revocation"
    )
    reason = models.CharField(_("撤销原因"), max_length=500)
    revoked_at = models.DateTimeField(_("撤销时间"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty on a row written behind the services: such a revocation proves nothing and the public check says so.
    document = models.JSONField(_("撤销内容（规范化）"), default=dict)
    signature = models.CharField(_("数字签名"), max_length=128, blank=True)
    key_id = models.CharField(_("签名密钥"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("证书撤销")
        verbose_name_plural = _("证书撤销")
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="revocation_reason_not_empty")]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.reason}"


class SigningKey(models.Model):
    """A public key that has signed certificates. Kept after rotation so old certificates still verify."""

    key_id = models.CharField(_("密钥编号"), max_length=32, unique=True)
    public_key = models.CharField(_("公钥（Base64）"), max_length=64)
    created_at = models.DateTimeField(_("启用时间"), auto_now_add=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")

    def __str__(self) -> str:
        return self.key_id


class PublicCheck(models.Model):
    """One public look-up of a certificate (by QR token or typed number) and what it answered."""

    class Via(models.TextChoices):
        TOKEN = "token", _("扫码")
        NUMBER = "number", _("输入编号")
        API = "api", _("接口")

    at = models.DateTimeField(_("时间"), db_index=True)
    via = models.CharField(_("方式"), max_length=8, choices=Via.choices)
    certificate = optional_fk(Certificate, _("证书"), related_name="+")
    # What was typed (numbers only; tokens are not kept), truncated.
    query = models.CharField(_("查询内容"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=16)
    # A keyed hash of the client address: enough to see abuse, not enough to identify anyone.
    client = models.CharField(_("客户端"), max_length=16, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("公众查验记录")
        verbose_name_plural = _("公众查验记录")

    def __str__(self) -> str:
        return f"{self.at} {self.via} {self.result}"
