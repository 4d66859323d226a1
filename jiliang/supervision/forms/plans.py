"""Forms of plans, tasks and draws: the shape of the input only; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Organization
from jiliang.core.web.forms import DateInput

from ..models import Task


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    name = forms.CharField(label=_("任务名称"), max_length=200)
    kind = forms.ChoiceField(label=_("任务类型"), choices=Task.Kind.choices)
    items = forms.ModelMultipleChoiceField(label=_("抽查事项"), queryset=None, widget=forms.CheckboxSelectMultiple)
    object_categories = forms.MultipleChoiceField(
        label=_("对象行业（定向抽查）"),
        choices=Organization.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    object_regions = forms.ModelMultipleChoiceField(
        label=_("对象区域（不选为本部门全部辖区）"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    quotas = forms.CharField(
        label=_("各类抽取数量或比例"),
        max_length=500,
        help_text=_("每行一类：分类代码=数量或比例，如 A=3%、D=100%、unrated=5"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    per_target = forms.IntegerField(label=_("每户执法人员数"), min_value=1, max_value=10, initial=2)
    exclusion_days = forms.IntegerField(label=_("近期已抽查排除天数"), min_value=0, max_value=3650, initial=365)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    lead_unit = forms.CharField(label=_("牵头单位"), max_length=200, required=False)
    joint_departments = forms.CharField(label=_("联合部门"), max_length=300, required=False)

    def __init__(self, *args: Any, items: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items
        self.fields["object_regions"].queryset = regions

    def clean_quotas(self) -> dict[str, str]:
        quotas: dict[str, str] = {}
        for line in self.cleaned_data["quotas"].replace("，", "\n").replace(",", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            stratum, sep, value = line.replace("＝", "=").partition("=")
            if not sep or not stratum.strip() or not value.strip():
                raise forms.ValidationError(_("每行写作 分类代码=数量或比例：%(line)s"), params={"line": line})
            quotas[stratum.strip()] = value.strip()
        return quotas


class CommitForm(forms.Form):
    seed_source = forms.CharField(
        label=_("随机种子来源"),
        max_length=300,
        help_text=_(
            "事先确定、平台无法控制的来源，如“中国福利彩票双色球第 2026142 期开奖号码（红球在前，以空格分隔）”"
        ),
    )
    seed_hash = forms.CharField(
        label=_("种子摘要（可选）"),
        max_length=64,
        required=False,
        help_text=_("采用“先公布摘要、后公布随机数”的方式时，填写随机数的 SHA-256 摘要"),
    )
    redraw_reason = forms.CharField(
        label=_("重新抽取原因"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SeedForm(forms.Form):
    seed = forms.CharField(label=_("随机种子"), max_length=300, help_text=_("按公示的来源原样录入"))
