"""The form of a capability declaration (企业计量技术能力自我声明)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ..services.declarations import TEXT_LIMIT


class DeclarationForm(forms.Form):
    items = forms.CharField(
        label=gettext_lazy("检测校准项目"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("每行一项：项目名称、测量范围、准确度等级或不确定度、依据的规程规范"),
    )
    standards = forms.CharField(
        label=gettext_lazy("计量标准及设备"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("每行一项：标准或设备名称、型号、编号、溯源证书编号及有效期"),
    )
    staff = forms.CharField(
        label=gettext_lazy("技术人员"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一人：姓名、职称、资格证书（不填写身份证号等个人信息）"),
    )
