"""Forms of the rosters: an officer of the pool and a declared conflict."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.web.forms import DateInput

from ..models import Conflict


class InspectorForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    certificate_number = forms.CharField(label=_("执法证号"), max_length=40)
    field = forms.CharField(label=_("专业领域"), max_length=100, required=False)
    valid_until = forms.DateField(label=_("执法证有效期至"), widget=DateInput())


class ConflictForm(forms.Form):
    credit_code = forms.CharField(label=_("单位统一社会信用代码"), max_length=18, min_length=18)
    kind = forms.ChoiceField(label=_("回避事由"), choices=Conflict.Kind.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
