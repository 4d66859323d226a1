"""The form of a capability declaration (企业计量技术能力自我声明)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy

from ..services.declarations import TEXT_LIMIT

if TYPE_CHECKING:  # the stubs' name for text or lazy text; not needed at run time
    from django_stubs_ext import StrOrPromise


def _lines(label: StrOrPromise, help_text: StrOrPromise, rows: int, *, required: bool = False) -> forms.CharField:
    """A text area of the declaration, one item a line, as long as the service takes."""
    return forms.CharField(
        label=label,
        max_length=TEXT_LIMIT,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class DeclarationForm(forms.Form):
    items = _lines(
        gettext_lazy("检测校准项目"),
        gettext_lazy("每行一项：项目名称、测量范围、准确度等级或不确定度、依据的规程规范"),
        6,
        required=True,
    )
    standards = _lines(
        gettext_lazy("计量标准及设备"), gettext_lazy("每行一项：标准或设备名称、型号、编号、溯源证书编号及有效期"), 5
    )
    staff = _lines(
        gettext_lazy("技术人员"), gettext_lazy("每行一人：姓名、职称、资格证书（不填写身份证号等个人信息）"), 4
    )
