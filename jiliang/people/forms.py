"""Forms of the people pages. They parse and validate input; the services decide and save. Each form's fields are
named as the arguments of its service, so that a view passes the cleaned data on as it is."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization
from jiliang.core.web.forms import DateInput

from .idnumber import id_number_error
from .models import Expert, Person, Qualification


def _max(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


class PersonForm(forms.Form):
    """The ID number is typed in full and checked here; the service stores only its masked form. The input is
    never filled back from the record (there is no full number to show)."""

    wide = ("id_number",)

    name = forms.CharField(label=_("姓名"), max_length=_max(Person, "name"))
    title = forms.ChoiceField(label=_("职称"), choices=Person.Title.choices, initial=Person.Title.NONE)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("输入完整号码以核验；系统只保存前 6 位和后 4 位，其余以 * 代替"),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=_max(Person, "phone"), required=False)
    hired_on = forms.DateField(label=_("入职日期"), required=False, widget=DateInput())
    left_on = forms.DateField(label=_("离职日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if person is not None and person.id_number_masked:
            self.fields["id_number"].help_text = _("当前：%(masked)s。留空则保持不变。") % {
                "masked": person.id_number_masked
            }

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip()
        if value:
            error = id_number_error(value)
            if error:
                raise forms.ValidationError(error)
        return value


class QualificationForm(forms.Form):
    wide = ("catalog_items", "procedures", "scope_note")

    kind = forms.ChoiceField(label=_("资质类别"), choices=Qualification.Kind.choices)
    grade = forms.ChoiceField(
        label=_("等级"),
        choices=[("", _("（不适用）")), *Qualification.Grade.choices],
        required=False,
        help_text=_("仅注册计量师"),
    )
    number = forms.CharField(label=_("证书编号"), max_length=_max(Qualification, "number"))
    issued_on = forms.DateField(label=_("发证日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("有效期至"), widget=DateInput())
    catalog_items = forms.ModelMultipleChoiceField(
        label=_("项目（目录条目）"),
        queryset=CatalogItem.objects.filter(active=True).order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, "style": "height: auto; min-height: 10em"}),
        help_text=_("检定员：可检定的目录条目"),
    )
    procedures = forms.ModelMultipleChoiceField(
        label=_("项目（规程）"),
        queryset=Procedure.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, "style": "height: auto; min-height: 10em"}),
        help_text=_("检定员：可依据的检定规程或校准规范"),
    )
    scope_note = forms.CharField(label=_("范围说明"), max_length=_max(Qualification, "scope_note"), required=False)


class RenewForm(forms.Form):
    wide = ("number",)

    valid_until = forms.DateField(label=_("新的有效期至"), widget=DateInput())
    issued_on = forms.DateField(label=_("新证发证日期"), required=False, widget=DateInput())
    number = forms.CharField(
        label=_("新证书编号"),
        max_length=_max(Qualification, "number"),
        required=False,
        help_text=_("换发新证时填写；留空则沿用原编号"),
    )


class ExpertForm(forms.Form):
    wide = ("organization", "specialties")

    organization = forms.ModelChoiceField(label=_("所在单位"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=_max(Expert, "name"))
    joined_on = forms.DateField(label=_("入库日期"), widget=DateInput())
    specialties = forms.CharField(label=_("专业领域"), max_length=_max(Expert, "specialties"))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
