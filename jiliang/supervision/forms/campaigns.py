"""The form of a special campaign."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.web.forms import DateInput

from ..models import Trade


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("专项名称"), max_length=200)
    trade = forms.ChoiceField(label=_("专项类别"), choices=Trade.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    description = forms.CharField(
        label=_("工作要求"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
