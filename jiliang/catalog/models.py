"""The catalog of instruments under mandatory control (实施强制管理的计量器具目录, 2019 and its 2020 adjustment)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Usage(models.TextChoices):
    """What an instrument is used for. The first four (and enforcement, forensics) can make it mandatory."""

    TRADE = "trade", _("贸易结算")
    SAFETY = "safety", _("安全防护")
    MEDICAL = "medical", _("医疗卫生")
    ENVIRONMENT = "environment", _("环境监测")
    ENFORCEMENT = "enforcement", _("行政执法")
    FORENSIC = "forensic", _("司法鉴定")
    OTHER = "other", _("其他（非强制用途）")


class CatalogItem(models.Model):
    class Supervision(models.TextChoices):
        TYPE_APPROVAL = "P", _("型式批准")
        VERIFICATION = "V", _("强制检定")
        BOTH = "P+V", _("型式批准+强制检定")

    class Mode(models.TextChoices):
        PERIODIC = "periodic", _("周期检定")
        FIRST_ONLY_FIXED_LIFE = "first_only_fixed_life", _("首次检定，到期轮换")
        FIRST_ONLY_SCRAP = "first_only_scrap", _("首次检定，失准报废")
        NONE = "none", _("不检定")

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", _("已核实")
        RECOMPUTED = "recomputed", _("已复算")
        UNCONFIRMED = "unconfirmed", _("未核实")
        CONFLICT = "conflict", _("来源冲突")

    code = models.CharField(_("编号"), max_length=16, unique=True)
    item = models.CharField(_("目录项"), max_length=100)
    kind = models.CharField(_("器具种类"), max_length=200)
    supervision = models.CharField(_("管理方式"), max_length=8, choices=Supervision.choices)
    # Usages that make an instrument of this row mandatory, "|"-separated codes of Usage.
    usages = models.CharField(_("强检用途"), max_length=200, blank=True)
    mode = models.CharField(_("检定方式"), max_length=32, choices=Mode.choices)
    interval_months = models.PositiveSmallIntegerField(_("检定周期/使用年限（月）"), null=True, blank=True)
    procedure = models.CharField(_("检定规程"), max_length=100, blank=True)
    key_controlled = models.BooleanField(_("国家重点管理"), default=False)
    confidence = models.CharField(_("可信度"), max_length=16, choices=Confidence.choices)
    note = models.TextField(_("备注"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("目录条目")
        verbose_name_plural = _("强制管理计量器具目录")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mode="periodic") | models.Q(interval_months__gt=0),
                name="catalog_periodic_has_interval",
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="first_only_fixed_life") | models.Q(interval_months__gt=0),
                name="catalog_fixed_life_has_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.kind}"

    @property
    def usage_list(self) -> list[str]:
        return [u for u in self.usages.split("|") if u]

    @property
    def requires_verification(self) -> bool:
        return "V" in self.supervision and self.mode != self.Mode.NONE

    def makes_mandatory(self, usage: str) -> bool:
        """An instrument is under mandatory verification when its row has V and its usage is one of the row's."""
        return self.active and self.requires_verification and usage in self.usage_list

    @property
    def interval_label(self) -> str:
        if self.interval_months is None:
            return "—"
        return f"{self.interval_months}"


class Procedure(models.Model):
    """A verification regulation (JJG) or calibration specification (JJF)."""

    class Kind(models.TextChoices):
        JJG = "JJG", _("检定规程")
        JJF = "JJF", _("校准规范")
        OTHER = "other", _("其他技术规范")

    code = models.CharField(_("编号"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("技术规范")
        verbose_name_plural = _("检定规程与校准规范")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()
