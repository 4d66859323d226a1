"""Measurement standards (计量标准), their equipment and its traceability certificates, authorizations,
and enterprises' self-declarations of capability."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization, optional_fk


class Standard(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")
        ENTERPRISE = "enterprise", _("企事业单位")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在用")
        SUSPENDED = "suspended", _("暂停")
        RETIRED = "retired", _("撤销")

    holder = models.ForeignKey(
        Organization, verbose_name=_("建标单位"), on_delete=models.PROTECT, related_name="standards"
    )
    name = models.CharField(_("标准名称"), max_length=200)
    code = models.CharField(_("标准代码"), max_length=64)
    measurand = models.CharField(_("测量参数"), max_length=100)
    measuring_range = models.CharField(_("测量范围"), max_length=200, blank=True)
    # Uncertainty, accuracy class or maximum permissible error, as the assessment certificate states it.
    uncertainty = models.CharField(_("不确定度/准确度等级/最大允许误差"), max_length=200, blank=True)
    is_public = models.BooleanField(_("社会公用计量标准"), default=False)
    is_highest = models.BooleanField(_("最高计量标准"), default=False)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    certificate_number = models.CharField(_("考核证书编号"), max_length=64)
    certificate_issued_on = models.DateField(_("考核证书发证日期"))
    # Four years from issue (计量标准考核办法); stored as printed on the certificate.
    certificate_valid_until = models.DateField(_("考核证书有效期至"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    established_on = models.DateField(_("建标日期"), null=True, blank=True)
    catalog_items = models.ManyToManyField(
        CatalogItem, verbose_name=_("可检定的目录条目"), blank=True, related_name="standards"
    )
    procedures = models.ManyToManyField(Procedure, verbose_name=_("依据的规程规范"), blank=True)

    class Meta:
        ordering = ["holder", "code"]
        verbose_name = _("计量标准")
        verbose_name_plural = _("计量标准")
        constraints = [
            models.UniqueConstraint(fields=["holder", "code"], name="standard_holder_code_uniq"),
            models.CheckConstraint(
                condition=models.Q(certificate_valid_until__gte=models.F("certificate_issued_on")),
                name="standard_certificate_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class StandardEquipment(models.Model):
    class Role(models.TextChoices):
        STANDARD = "standard", _("标准器")
        ANCILLARY = "ancillary", _("配套设备")

    standard = models.ForeignKey(
        Standard, verbose_name=_("计量标准"), on_delete=models.PROTECT, related_name="equipment"
    )
    role = models.CharField(_("类别"), max_length=16, choices=Role.choices, default=Role.STANDARD)
    name = models.CharField(_("名称"), max_length=200)
    model = models.CharField(_("型号"), max_length=100, blank=True)
    serial_number = models.CharField(_("出厂编号"), max_length=64)
    manufacturer = models.CharField(_("制造单位"), max_length=200, blank=True)

    class Meta:
        ordering = ["standard", "role", "name"]
        verbose_name = _("标准设备")
        verbose_name_plural = _("标准设备")

    def __str__(self) -> str:
        return f"{self.name} {self.serial_number}"


class ExternalAuthority(models.Model):
    """An issuer of traceability certificates outside the system: a provincial institute, or the national
    metrology institute (NIM) holding the national primary standard (the end of the chain, realising the SI)."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家计量基准（中国计量科学研究院）")
        PROVINCIAL = "provincial", _("省级计量技术机构")
        OTHER = "other", _("其他计量技术机构")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    # Where this authority's own traceability goes; None for the national level, which realises the SI.
    traces_to = optional_fk("self", _("溯源至"), related_name="+")

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("外部溯源机构")
        verbose_name_plural = _("外部溯源机构")

    def __str__(self) -> str:
        return self.name


class EquipmentCertificate(models.Model):
    """A calibration/verification certificate of one piece of standard equipment: the link of the traceability
    chain from that equipment to the issuer's standard (inside the system) or to an external authority."""

    equipment = models.ForeignKey(
        StandardEquipment, verbose_name=_("标准设备"), on_delete=models.PROTECT, related_name="certificates"
    )
    issuer_standard = optional_fk(Standard, _("出具证书的计量标准"), related_name="issued_equipment_certificates")
    issuer_authority = optional_fk(ExternalAuthority, _("出具证书的外部机构"))
    number = models.CharField(_("证书编号"), max_length=64)
    issued_on = models.DateField(_("检定/校准日期"))
    valid_until = models.DateField(_("有效期至"))
    result = models.CharField(_("结论"), max_length=100, blank=True)
    uncertainty = models.CharField(_("不确定度/准确度"), max_length=200, blank=True)

    class Meta:
        ordering = ["equipment", "-issued_on"]
        verbose_name = _("溯源证书")
        verbose_name_plural = _("溯源证书")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(issuer_standard__isnull=False) & models.Q(issuer_authority__isnull=True))
                | (models.Q(issuer_standard__isnull=True) & models.Q(issuer_authority__isnull=False)),
                name="equipment_cert_one_issuer",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("issued_on")), name="equipment_cert_dates_order"
            ),
        ]
        indexes = [
            models.Index(fields=["issuer_standard", "issued_on"], name="eqcert_issuer_date_idx"),
            models.Index(fields=["equipment", "valid_until"], name="eqcert_equipment_valid_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class Authorization(models.Model):
    """计量授权: which institute may verify which catalog items, from when to when."""

    institute = models.ForeignKey(
        Organization, verbose_name=_("被授权机构"), on_delete=models.PROTECT, related_name="authorizations"
    )
    issued_by = models.ForeignKey(
        Organization, verbose_name=_("授权部门"), on_delete=models.PROTECT, related_name="authorizations_issued"
    )
    number = models.CharField(_("授权证书编号"), max_length=64)
    catalog_items = models.ManyToManyField(CatalogItem, verbose_name=_("授权项目"), related_name="authorizations")
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        ordering = ["institute", "-valid_until"]
        verbose_name = _("计量授权")
        verbose_name_plural = _("计量授权")
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")), name="auth_dates_order")
        ]

    def __str__(self) -> str:
        return self.number


class CapabilityDeclaration(models.Model):
    """企业计量技术能力自我声明: an owner declares its lab's items, standards and staff; the regulator reviews
    it and may publish it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("审核通过")
        PUBLISHED = "published", _("已公开")

    organization = models.ForeignKey(
        Organization, verbose_name=_("声明单位"), on_delete=models.PROTECT, related_name="capability_declarations"
    )
    items = models.TextField(_("检测校准项目"))
    standards = models.TextField(_("计量标准及设备"), blank=True)
    staff = models.TextField(_("技术人员"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("计量技术能力自我声明")
        verbose_name_plural = _("计量技术能力自我声明")

    def __str__(self) -> str:
        return f"{self.organization} {self.get_status_display()}"
