"""The rosters of 双随机: the city's item list (抽查事项清单), the inspector pool (执法检查人员名录库) with its declared
conflicts, and the strata of the object pool."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Organization, Region

UNRATED = "unrated"  # the stratum of an organization that has no class yet


class ItemList(models.Model):
    """One version of a city's 随机抽查事项清单. A revision is a new version with all its items; tasks keep the
    items of the version they were planned with."""

    region = models.ForeignKey(Region, verbose_name=_("城市"), on_delete=models.PROTECT, related_name="item_lists")
    version = models.PositiveIntegerField(_("版本"))
    adopted_on = models.DateField(_("发布日期"))
    note = models.CharField(_("修订说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修订人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["region", "-version"]
        verbose_name = _("抽查事项清单")
        verbose_name_plural = _("抽查事项清单")
        constraints = [models.UniqueConstraint(fields=["region", "version"], name="itemlist_region_version_uniq")]

    def __str__(self) -> str:
        return f"{self.region.name} v{self.version}"


class CheckItem(models.Model):
    """One line of the item list: what is checked, on what legal basis, of whom, how and how often."""

    class Method(models.TextChoices):
        ON_SITE = "on_site", _("现场检查")
        DOCUMENTS = "documents", _("书面检查")
        SAMPLING = "sampling", _("抽样检测")
        ONLINE = "online", _("网络监测")

    item_list = models.ForeignKey(ItemList, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("事项编号"), max_length=32)
    name = models.CharField(_("抽查事项"), max_length=200)
    sub_item = models.CharField(_("检查内容"), max_length=300, blank=True)
    legal_basis = models.TextField(_("检查依据"), max_length=2000)
    # Organization.Category values: whom the item applies to; empty for every owner.
    object_categories = models.JSONField(_("检查对象"), default=list, blank=True)
    method = models.CharField(_("检查方式"), max_length=16, choices=Method.choices, default=Method.ON_SITE)
    frequency = models.CharField(_("抽查频次"), max_length=100, blank=True)
    inspector_requirement = models.CharField(_("执法人员要求"), max_length=200, blank=True)

    class Meta:
        ordering = ["item_list", "code"]
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项")
        constraints = [models.UniqueConstraint(fields=["item_list", "code"], name="checkitem_list_code_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inspector(models.Model):
    """A regulator's officer in the inspector pool: a law-enforcement certificate (执法证) valid until a day."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="inspectors"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
    )
    name = models.CharField(_("姓名"), max_length=50)
    certificate_number = models.CharField(_("执法证号"), max_length=40, unique=True)
    field = models.CharField(_("专业领域"), max_length=100, blank=True)
    valid_until = models.DateField(_("执法证有效期至"))
    active = models.BooleanField(_("在库"), default=True)
    # A former employer among the organizations the pool covers: never drawn to inspect it.
    former_employer = models.ForeignKey(
        Organization,
        verbose_name=_("曾任职单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="former_inspectors",
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员")

    def __str__(self) -> str:
        return self.name


class Conflict(models.Model):
    """A declared conflict of interest (行政处罚法 Arts. 42–43, recusal): the inspector is never drawn for the
    organization."""

    class Kind(models.TextChoices):
        RELATIVE = "relative", _("近亲属关系")
        EMPLOYMENT = "employment", _("曾在该单位任职")
        BUSINESS = "business", _("经济往来")
        OTHER = "other", _("其他利害关系")

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("执法人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="inspector_conflicts"
    )
    kind = models.CharField(_("回避事由"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    declared_on = models.DateField(_("申报日期"))

    class Meta:
        ordering = ["inspector", "organization"]
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [
            models.UniqueConstraint(fields=["inspector", "organization", "kind"], name="conflict_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector} ↔ {self.organization}"


class Stratum(models.Model):
    """The stratum an organization is drawn in (a risk or credit class). Organizations without a row are
    ``unrated``; the integrity area fills the credit classes."""

    organization = models.OneToOneField(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="supervision_stratum"
    )
    stratum = models.CharField(_("分类"), max_length=16)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    set_on = models.DateField(_("确定日期"))

    class Meta:
        verbose_name = _("监管分类")
        verbose_name_plural = _("监管分类")
        indexes = [models.Index(fields=["stratum"], name="stratum_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.stratum}"
