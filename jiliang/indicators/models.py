"""Plans as data: a plan (the city's implementation of the national metrology plan), its indicators, and the
figures typed in for the indicators the system cannot compute.

Both shipped plans (Fuxin 2015–2020, Yan'an 2021–2035) are loaded from ``data/plans.json`` by migration 0002;
a city adds its own plans and indicators in the admin. Every indicator names the definition it is measured by
(:class:`Definition`) and the clause of the plan it comes from, so each figure can show both beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.errors import DomainError
from jiliang.core.models import Region, WriteOnceModel, optional_fk


class Plan(models.Model):
    """A plan with numeric targets. ``region`` is the city it belongs to; ``None`` marks a shipped template that
    every city sees (plans are public documents)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True, help_text=_("例如 fuxin-2015"))
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    region = optional_fk(
        "core.Region", _("所属城市"), related_name="plans", help_text=_("留空表示系统自带的规划，所有城市可见")
    )
    period_start = models.PositiveSmallIntegerField(_("起始年份"))
    period_end = models.PositiveSmallIntegerField(_("截止年份"))
    source_title = models.CharField(_("来源文件"), max_length=300)
    source_title_original = models.CharField(
        _("来源文件（所引版本原文）"),
        max_length=300,
        blank=True,
        help_text=_("所引版本的用字与显示的不同时（如繁体转载本），保留所引原文；页面显示简体"),
    )
    source_issuer = models.CharField(_("发文机关"), max_length=200)
    source_number = models.CharField(_("文号"), max_length=100, blank=True)
    source_date = models.DateField(_("发文日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["period_start", "code"]
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="indicators_plan_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.region_id is not None and self.region.level != Region.Level.CITY:
            raise ValidationError({"region": _("规划属于一个城市：请选择市级行政区域")})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("截止年份不得早于起始年份")})


class Definition(models.TextChoices):
    """How an indicator is measured. Computed definitions are implemented from the records; *entered* ones are
    figures typed in with their source document (:class:`EnteredFigure`).

    Computed:

    - ``coverage`` — in-use mandatory instruments with a valid verification on the date ÷ all in-use mandatory
      instruments (检定覆盖率, docs/domain.md §5).
    - ``verified_rate`` — in-use mandatory instruments due in the period that were verified by their due date or
      within the period ÷ those due in the period (受检率).
    - ``verified_rate_key_controlled`` — the same verified rate, restricted to instruments in the national
      key-controlled catalog (国家重点管理计量器具).
    - ``public_standards_city`` — valid public (社会公用) measurement standards held by city-level institutes.
    - ``public_standards_county_avg`` — valid public standards held by county-level institutes ÷ number of counties.
    - ``highest_standards`` — valid city-level highest (最高) measurement standards.
    - ``new_standards`` — public standards first established within the plan's period.
    - ``standard_coverage`` — 建标覆盖率: catalog items with an in-use mandatory instrument in the region and a
      valid public standard covering them ÷ catalog items with an in-use mandatory instrument in the region.
    - ``items_offered`` — distinct verification and calibration items the region's institutes offer.
    - ``metrologists_added`` — registered metrologists (注册计量师) qualified within the plan's period.
    - ``assessors_added`` — institute and standard assessors (考评员) qualified within the plan's period.
    - ``senior_title_ratio_city`` / ``intermediate_title_ratio_city`` — share of the city-level legal
      verification institute's technical staff holding a senior / intermediate engineering title.
    - ``senior_title_ratio_county`` / ``intermediate_title_ratio_county`` — the same share over the county-level
      legal verification institutes.
    - ``fee_waived_share`` — verifications of instruments of township/community public medical institutions and
      market fairs done free of charge ÷ all their verifications.

    Entered (typed with a source document):

    - ``research_projects`` — completed research projects at the level the indicator names.
    - ``local_specifications`` — local technical specifications led or joined.
    - ``model_units`` — integrity-metrology model units (诚信计量示范单位).
    - ``package_pass_rate`` — net-content sampling pass rate of prepackaged goods.
    - ``gb17167_compliance`` — share of key energy-using units whose meters meet GB 17167.
    - ``product_sampling_pass_rate`` — product-quality sampling pass rate of measuring instruments.
    """

    COVERAGE = "coverage", _("检定覆盖率")
    VERIFIED_RATE = "verified_rate", _("强检计量器具受检率")
    VERIFIED_RATE_KEY_CONTROLLED = "verified_rate_key_controlled", _("国家重点管理计量器具受检率")
    PUBLIC_STANDARDS_CITY = "public_standards_city", _("市级社会公用计量标准数")
    PUBLIC_STANDARDS_COUNTY_AVG = "public_standards_county_avg", _("县级社会公用计量标准平均数")
    HIGHEST_STANDARDS = "highest_standards", _("市级最高计量标准数")
    NEW_STANDARDS = "new_standards", _("新建社会公用计量标准数")
    STANDARD_COVERAGE = "standard_coverage", _("建标覆盖率")
    ITEMS_OFFERED = "items_offered", _("检定校准项目数")
    METROLOGISTS_ADDED = "metrologists_added", _("新增注册计量师数")
    ASSESSORS_ADDED = "assessors_added", _("新增考评员数")
    SENIOR_TITLE_RATIO_CITY = "senior_title_ratio_city", _("市级检定机构高级职称比例")
    INTERMEDIATE_TITLE_RATIO_CITY = "intermediate_title_ratio_city", _("市级检定机构中级职称比例")
    SENIOR_TITLE_RATIO_COUNTY = "senior_title_ratio_county", _("县级检定机构高级职称比例")
    INTERMEDIATE_TITLE_RATIO_COUNTY = "intermediate_title_ratio_county", _("县级检定机构中级职称比例")
    FEE_WAIVED_SHARE = "fee_waived_share", _("免费检定比例")
    RESEARCH_PROJECTS = "research_projects", _("科研项目数（录入）")
    LOCAL_SPECIFICATIONS = "local_specifications", _("地方计量技术规范数（录入）")
    MODEL_UNITS = "model_units", _("诚信计量示范单位数（录入）")
    PACKAGE_PASS_RATE = "package_pass_rate", _("定量包装商品净含量抽检合格率（录入）")
    GB17167_COMPLIANCE = "gb17167_compliance", _("能源计量器具配备达标率（录入）")
    PRODUCT_SAMPLING_PASS_RATE = "product_sampling_pass_rate", _("计量器具产品质量抽查合格率（录入）")


# Definitions whose figures are typed in with a source rather than computed from the records.
ENTERED_DEFINITIONS = frozenset(
    {
        Definition.RESEARCH_PROJECTS,
        Definition.LOCAL_SPECIFICATIONS,
        Definition.MODEL_UNITS,
        Definition.PACKAGE_PASS_RATE,
        Definition.GB17167_COMPLIANCE,
        Definition.PRODUCT_SAMPLING_PASS_RATE,
    }
)


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"
    EQ = "eq", "="


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    ITEMS = "items", _("项")
    ITEMS_PER_COUNTY = "items_per_county", _("项/县")
    PERSONS = "persons", _("人")
    UNITS = "units", _("家")


class Indicator(models.Model):
    """One numeric target of a plan: ``definition`` ``comparator`` ``target`` ``unit`` by ``deadline``."""

    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    definition = models.CharField(
        _("口径"),
        max_length=40,
        choices=Definition.choices,
        help_text=_("指标的计算口径；带“录入”的口径由人工录入数值并注明来源"),
    )
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    comparator = models.CharField(_("比较"), max_length=4, choices=Comparator.choices, default=Comparator.GTE)
    unit = models.CharField(_("单位"), max_length=20, choices=Unit.choices)
    deadline = models.DateField(_("期限"))
    clause = models.CharField(_("条款"), max_length=100, help_text=_("出自规划文件的哪一条，例如“一、（二）1”"))
    clause_quote = models.TextField(_("原文摘录"), blank=True)
    clause_quote_original = models.TextField(
        _("原文摘录（所引版本原文）"),
        blank=True,
        help_text=_("所引版本的用字与显示的不同时（如繁体转载本），保留所引原文；页面显示简体"),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["plan", "order", "code"]
        verbose_name = _("规划指标")
        verbose_name_plural = _("规划指标")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicators_indicator_unique_code_per_plan"),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="indicators_indicator_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} · {self.name}"

    @property
    def is_entered(self) -> bool:
        return self.definition in ENTERED_DEFINITIONS


class EnteredFigureError(DomainError):
    """An attempt to edit or delete an entered figure: a new entry (later date or correction) is added instead."""

    def __init__(self) -> None:
        super().__init__(_("录入的指标数值不得修改或删除；如需更正，请新增一条更正记录并说明原因"), code="conflict")


class EnteredFigure(WriteOnceModel):
    """A figure typed in for an indicator with an *entered* definition, with the document it comes from.

    Entries are never edited: a later figure is a new entry with a later ``as_of``; a correction is a new entry
    that names the entry it ``corrects`` and says why in ``note``.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="entered_figures"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=2)
    as_of = models.DateField(_("截至日期"))
    source_title = models.CharField(_("来源文件"), max_length=300)
    source_date = models.DateField(_("来源日期"))
    corrects = optional_fk("self", _("更正的记录"), related_name="corrections")
    note = models.TextField(_("说明"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["indicator", "region", "-as_of", "-entered_at"]
        verbose_name = _("录入的指标数值")
        verbose_name_plural = _("录入的指标数值")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="indicators_enteredfigure_value_not_negative"
            ),
            models.CheckConstraint(condition=~models.Q(source_title=""), name="indicators_enteredfigure_has_source"),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | ~models.Q(note=""),
                name="indicators_enteredfigure_correction_has_note",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "region", "as_of"], name="indicators_figure_ind_reg_asof")]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.value} ({self.as_of:%Y-%m-%d})"

    @classmethod
    def edit_refused(cls) -> EnteredFigureError:
        return EnteredFigureError()

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.indicator_id is not None and self.indicator.definition not in ENTERED_DEFINITIONS:
            errors.setdefault("indicator", []).append(
                _("该指标按口径“%(definition)s”由系统计算，不能人工录入")
                % {"definition": self.indicator.get_definition_display()}
            )
        if self.corrects_id is not None:
            if not self.note.strip():
                errors.setdefault("note", []).append(_("更正记录须说明原因"))
            if self.corrects.indicator_id != self.indicator_id or self.corrects.region_id != self.region_id:
                errors.setdefault("corrects", []).append(_("只能更正同一指标、同一区域的记录"))
        if errors:
            raise ValidationError(errors)


class Snapshot(models.Model):
    """One indicator's figure for one region (the city or a county) on one day, as computed by the nightly run
    (``manage.py snapshot_indicators``). Derived data: a second run for the same day replaces its rows, and the
    dashboards and reports read these rows instead of scanning the registry.

    ``value`` is a percentage (0–100) for percent indicators and a count (or an average) otherwise; ``None`` when
    there is nothing to measure (no instrument due, no staff) or the definition has no figure for the region.
    Entered definitions point at the :class:`EnteredFigure` that gave the value.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    region = models.ForeignKey("core.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("统计日期"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.BigIntegerField(_("分子"), null=True, blank=True)
    denominator = models.BigIntegerField(_("分母"), null=True, blank=True)
    entered_figure = optional_fk(EnteredFigure, _("录入的数值"), related_name="+")
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["indicator", "region", "day"]
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            # Leads with the indicator: a dashboard's trend reads (indicator, city region, every day) from it.
            models.UniqueConstraint(fields=["indicator", "region", "day"], name="indicators_snapshot_uniq"),
        ]
        indexes = [models.Index(fields=["region", "day"], name="indicators_snapshot_reg_day")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_id} {self.day}: {self.value}"


class EvaluationEditError(DomainError):
    """An attempt to change or delete a report once produced: a later report is produced instead."""

    def __init__(self) -> None:
        super().__init__(_("评估报告一经生成不得修改或删除；如需更正，请重新生成"), code="conflict")


PUBLISH_FIELDS = frozenset({"published_at", "published_by"})


class Evaluation(WriteOnceModel):
    """An evaluation report (中期评估 / 总结评估) of a city's plans as of a date: the .xlsx and the PDF as
    produced, and the figures they hold (for public disclosure once published). Never edited; publishing is
    the one change it takes, and a later report supersedes by being later."""

    class Kind(models.TextChoices):
        MID_TERM = "mid_term", _("中期评估")
        FINAL = "final", _("总结评估")
        ANNUAL = "annual", _("年度评估")

    city = models.ForeignKey("core.Region", verbose_name=_("城市"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("评估类型"), max_length=16, choices=Kind.choices)
    day = models.DateField(_("评估基准日"))
    title = models.CharField(_("标题"), max_length=300)
    # The figures as reported: {"plans": [{"code", "name", "indicators": [{"code", "name", "value", …}]}]}.
    figures = models.JSONField(_("评估数据"), default=dict)
    xlsx = models.BinaryField(_("Excel 文件"))
    pdf = models.BinaryField(_("PDF 文件"))
    created_at = models.DateTimeField(_("生成时间"))
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("生成人"), related_name="+")
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = optional_fk(settings.AUTH_USER_MODEL, _("公开人"), related_name="+")

    class Meta:
        ordering = ["-day", "-created_at"]
        verbose_name = _("评估报告")
        verbose_name_plural = _("评估报告")
        indexes = [models.Index(fields=["city", "published_at"], name="indicators_eval_city_pub")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def edit_refused(cls) -> EvaluationEditError:
        return EvaluationEditError()

    def may_resave(self, update_fields) -> bool:
        # The one change a stored report takes is being published, once (evaluations.evaluation_publish).
        return update_fields is not None and set(update_fields) == PUBLISH_FIELDS and not self._was_published()

    def _was_published(self) -> bool:
        return type(self).objects.filter(pk=self.pk, published_at__isnull=False).exists()
