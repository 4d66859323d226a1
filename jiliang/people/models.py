"""Staff of institutes, their qualifications, and the expert pool (计量技术专家库)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization, optional_fk


class Person(models.Model):
    """A member of staff of an institute (or an enterprise lab). Personal data is shown to its own organization
    and to regulators only; the ID number is stored masked (first 6 and last 4 characters), never in full."""

    class Title(models.TextChoices):
        SENIOR = "senior", _("高级工程师")
        INTERMEDIATE = "intermediate", _("工程师")
        JUNIOR = "junior", _("助理工程师")
        NONE = "none", _("无职称")

    organization = models.ForeignKey(
        Organization, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, blank=True)
    title = models.CharField(_("职称"), max_length=16, choices=Title.choices, default=Title.NONE)
    hired_on = models.DateField(_("入职日期"), null=True, blank=True)
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    # The person's own login (one user, one person): the acts a person signs (record, check, approve) are made
    # only by this user. Staff without a login sign nothing on the platform.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [models.Index(fields=["organization", "title"], name="person_org_title_idx")]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    class Kind(models.TextChoices):
        VERIFIER = "verifier", _("检定员")
        REGISTERED_METROLOGIST = "registered_metrologist", _("注册计量师")
        INSTITUTE_ASSESSOR = "institute_assessor", _("计量机构考评员")
        STANDARD_ASSESSOR = "standard_assessor", _("计量标准考评员")

    class Grade(models.TextChoices):
        ONE = "1", _("一级")
        TWO = "2", _("二级")

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="qualifications")
    kind = models.CharField(_("资质类别"), max_length=32, choices=Kind.choices)
    # Registered metrologists only.
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, blank=True)
    number = models.CharField(_("证书编号"), max_length=64)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    # Verifiers: the catalog items and procedures they may verify.
    catalog_items = models.ManyToManyField(CatalogItem, verbose_name=_("项目（目录条目）"), blank=True)
    procedures = models.ManyToManyField(Procedure, verbose_name=_("项目（规程）"), blank=True)
    scope_note = models.CharField(_("范围说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["person", "kind", "-valid_until"]
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("issued_on")), name="qual_dates_order"),
            models.CheckConstraint(
                condition=~models.Q(kind="registered_metrologist") | ~models.Q(grade=""),
                name="qual_metrologist_has_grade",
            ),
            models.UniqueConstraint(fields=["kind", "number"], name="qual_kind_number_uniq"),
        ]
        indexes = [models.Index(fields=["kind", "valid_until"], name="qual_kind_valid_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Expert(models.Model):
    """A member of the expert pool, from any organization (a person on record, or named here)."""

    person = optional_fk(Person, _("人员"))
    name = models.CharField(_("姓名"), max_length=50)
    organization = models.ForeignKey(Organization, verbose_name=_("所在单位"), on_delete=models.PROTECT)
    specialties = models.CharField(_("专业领域"), max_length=300)
    joined_on = models.DateField(_("入库日期"))
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("专家")
        verbose_name_plural = _("计量技术专家库")

    def __str__(self) -> str:
        return self.name
