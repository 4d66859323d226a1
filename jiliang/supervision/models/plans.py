"""Annual spot-check plans, their tasks, campaigns, and each task's published draw.

A draw is published in two steps (jiliang.metrology.draw_document): the frozen rosters' digests first (the
commitment), then, once the seed is known from a source fixed in advance, the seed and the result. A committed
draw's rosters and commitment are never changed (``Draw.save`` refuses it); a redraw is a new round with a reason,
and both stay visible.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiliang.core.errors import DomainError
from jiliang.core.models import Organization, Region

from .rosters import CheckItem, Inspector


class Trade(models.TextChoices):
    """The trades of the special campaigns and of the on-site checklists (supervision.md §2)."""

    PETROL = "petrol", _("加油（气）站")
    MARKET = "market", _("集贸市场")
    GLASSES = "glasses", _("眼镜制配")
    TAXI = "taxi", _("出租车计价器")
    GRAIN = "grain", _("粮食收购")
    CHARGER = "charger", _("电动汽车充电桩")
    CATERING = "catering", _("餐饮")
    ENTERPRISE = "enterprise", _("企业计量管理")
    OTHER = "other", _("其他")


class Campaign(models.Model):
    """A special campaign (专项检查): tasks and inspections grouped under a theme and a period."""

    bureau = models.ForeignKey(
        Organization, verbose_name=_("组织部门"), on_delete=models.PROTECT, related_name="campaigns"
    )
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("专项名称"), max_length=200)
    trade = models.CharField(_("专项类别"), max_length=16, choices=Trade.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("工作要求"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("专项检查")
        verbose_name_plural = _("专项检查")
        indexes = [models.Index(fields=["region", "starts_on"], name="campaign_region_idx")]

    def __str__(self) -> str:
        return self.name


class AnnualPlan(models.Model):
    """A bureau's annual spot-check plan (年度抽查计划), filed with the level above."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草拟")
        FILED = "filed", _("已备案")

    bureau = models.ForeignKey(
        Organization, verbose_name=_("制定部门"), on_delete=models.PROTECT, related_name="inspection_plans"
    )
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-year", "bureau"]
        verbose_name = _("年度抽查计划")
        verbose_name_plural = _("年度抽查计划")
        constraints = [models.UniqueConstraint(fields=["bureau", "year"], name="plan_bureau_year_uniq")]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """One spot-check task (抽查任务) of a plan: which items, whom (the object range), how many per stratum, by
    which dates, and the seed's source announced before the rosters are frozen."""

    class Kind(models.TextChoices):
        DIRECTED = "directed", _("定向抽查")
        UNDIRECTED = "undirected", _("不定向抽查")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草拟")
        COMMITTED = "committed", _("名录已冻结公示")
        DRAWN = "drawn", _("已抽取")

    plan = models.ForeignKey(AnnualPlan, verbose_name=_("年度计划"), on_delete=models.PROTECT, related_name="tasks")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项检查"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("任务编号"), max_length=40, unique=True)
    name = models.CharField(_("任务名称"), max_length=200)
    kind = models.CharField(_("任务类型"), max_length=16, choices=Kind.choices, default=Kind.UNDIRECTED)
    items = models.ManyToManyField(CheckItem, verbose_name=_("抽查事项"), related_name="tasks")
    # Directed tasks narrow the object range: owner categories and counties (empty: all in the plan's region).
    object_categories = models.JSONField(_("对象行业"), default=list, blank=True)
    object_regions = models.ManyToManyField(Region, verbose_name=_("对象区域"), blank=True, related_name="+")
    # Per stratum: a count ("5") or a ratio ("0.05").
    quotas = models.JSONField(_("各类抽取数量或比例"), default=dict)
    per_target = models.PositiveSmallIntegerField(_("每户执法人员数"), default=2)
    # An organization drawn by the same bureau within this many days before is excluded (0: none).
    exclusion_days = models.PositiveIntegerField(_("近期已抽查排除天数"), default=365)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    lead_unit = models.CharField(_("牵头单位"), max_length=200, blank=True)
    joint_departments = models.CharField(_("联合部门"), max_length=300, blank=True)
    seed_source = models.CharField(_("随机种子来源"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["-starts_on", "number"]
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        indexes = [models.Index(fields=["region", "status"], name="task_region_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Draw(models.Model):
    """One round of a task's draw. Committed: the frozen rosters and the commitment (their digests) are published;
    drawn: the seed and the result are. A redraw is a later round with its reason; the earlier round stays, marked
    superseded. The rosters and the commitment never change once stored."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("已公示名录摘要，待录入种子")
        DRAWN = "drawn", _("已抽取")
        SUPERSEDED = "superseded", _("已重新抽取")

    FROZEN = ("task_id", "round", "roster", "commitment", "commitment_digest", "redraw_reason")

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="draws")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    redraw_reason = models.TextField(_("重新抽取原因"), max_length=1000, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.COMMITTED)
    # {"strata": {name: [credit codes]}, "exclusions": {code: reason}, "inspectors": [certificate numbers],
    #  "conflicts": [[certificate number, credit code]], "names": {id: display name}}
    roster = models.JSONField(_("冻结名录"))
    commitment = models.JSONField(_("名录摘要"))
    commitment_digest = models.CharField(_("摘要值"), max_length=64, db_index=True)
    committed_at = models.DateTimeField(_("公示时间"))
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("公示人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seed = models.CharField(_("随机种子"), max_length=300, blank=True)
    seeded_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    seeded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽取人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.JSONField(_("抽取结果文件"), null=True, blank=True)

    class Meta:
        ordering = ["task", "round"]
        verbose_name = _("随机抽取")
        verbose_name_plural = _("随机抽取")
        constraints = [models.UniqueConstraint(fields=["task", "round"], name="draw_task_round_uniq")]

    def __str__(self) -> str:
        return f"{self.task.number} #{self.round}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse any change to the frozen rosters and commitment of a stored draw (the digest is public)."""
        if not self._state.adding and self.pk is not None:
            stored = Draw.objects.filter(pk=self.pk).values(*self.FROZEN).first()
            if stored is not None and any(stored[name] != getattr(self, name) for name in self.FROZEN):
                raise DomainError(
                    gettext("名录摘要已公示，冻结名录不能修改；如确需调整，请说明原因后重新抽取"), code="conflict"
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DomainError(gettext("已公示的抽取记录不能删除"), code="conflict")


class DrawnTarget(models.Model):
    """A target drawn in a round, with its rank in its stratum and its inspector team."""

    draw = models.ForeignKey(Draw, verbose_name=_("抽取"), on_delete=models.PROTECT, related_name="targets")
    organization = models.ForeignKey(
        Organization, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="drawn_in"
    )
    stratum = models.CharField(_("分类"), max_length=16)
    rank = models.PositiveIntegerField(_("序号"))
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("执法人员"), related_name="drawn_targets")

    class Meta:
        ordering = ["draw", "stratum", "rank"]
        verbose_name = _("抽中对象")
        verbose_name_plural = _("抽中对象")
        constraints = [models.UniqueConstraint(fields=["draw", "organization"], name="drawntarget_uniq")]

    def __str__(self) -> str:
        return f"{self.stratum}-{self.rank} {self.organization}"
