"""Forms of the standards pages. They parse and validate input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization, User
from jiliang.core.selectors import organizations_visible_to, scope_of
from jiliang.core.web.forms import DateInput

from ..models import Authorization, EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment
from ..services.standards import STANDARD_FIELDS


def _field(model: type, name: str, **kwargs: Any) -> forms.Field:
    """The model field's own form field (label, length, choices), with ``kwargs`` overriding."""
    form_field = model._meta.get_field(name).formfield(**kwargs)
    if isinstance(form_field, forms.DateField):
        form_field.widget = DateInput()
    return form_field


# app.css gives selects one line's height; a multiple select needs room for its options.
MULTI_SELECT = forms.SelectMultiple(attrs={"size": 8, "style": "height: auto; min-height: 10rem"})
MULTI_HELP = gettext_lazy("按住 Ctrl（Mac 上为 Command）键可选择多项")


class CatalogItemMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        return f"{obj.code} {obj.kind}"


class StandardForm(forms.Form):
    """Create or edit a standard: its fields, its assessment certificate and its scope."""

    def __init__(self, *args: Any, actor: User, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating and scope_of(actor).is_admin:
            self.fields["holder"] = forms.ModelChoiceField(
                label=Standard._meta.get_field("holder").verbose_name,
                queryset=organizations_visible_to(actor, kind=Organization.Kind.INSTITUTE).order_by("name"),
            )
        for name in STANDARD_FIELDS:
            self.fields[name] = _field(Standard, name)
        self.fields["catalog_items"] = CatalogItemMultipleField(
            label=Standard._meta.get_field("catalog_items").verbose_name,
            queryset=CatalogItem.objects.filter(active=True).order_by("code"),
            required=False,
            widget=MULTI_SELECT,
            help_text=MULTI_HELP,
        )
        self.fields["procedures"] = forms.ModelMultipleChoiceField(
            label=Standard._meta.get_field("procedures").verbose_name,
            queryset=Procedure.objects.order_by("code"),
            required=False,
            widget=MULTI_SELECT,
            help_text=MULTI_HELP,
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in STANDARD_FIELDS}
        for name in ("measuring_range", "uncertainty"):
            data[name] = data[name] or ""
        data["catalog_items"] = list(self.cleaned_data["catalog_items"])
        data["procedures"] = list(self.cleaned_data["procedures"])
        if "holder" in self.fields:
            data["holder"] = self.cleaned_data["holder"]
        return data


def initial_from(standard: Standard) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(standard, name) for name in STANDARD_FIELDS}
    values["catalog_items"] = list(standard.catalog_items.values_list("pk", flat=True))
    values["procedures"] = list(standard.procedures.values_list("pk", flat=True))
    return values


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=Standard.Status.choices)
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200, required=False)


class EquipmentForm(forms.Form):
    role = _field(StandardEquipment, "role")
    name = _field(StandardEquipment, "name")
    model = _field(StandardEquipment, "model")
    serial_number = _field(StandardEquipment, "serial_number")
    manufacturer = _field(StandardEquipment, "manufacturer")


class IssuerStandardField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Standard) -> str:
        return f"{obj.holder.name} · {obj.name}（{obj.code}）"


class CertificateForm(forms.Form):
    """A traceability certificate; the issuer is a standard in the system or an external authority, not both."""

    issuer_standard = IssuerStandardField(
        label=EquipmentCertificate._meta.get_field("issuer_standard").verbose_name,
        queryset=Standard.objects.select_related("holder").order_by("holder__name", "code"),
        required=False,
    )
    issuer_authority = forms.ModelChoiceField(
        label=EquipmentCertificate._meta.get_field("issuer_authority").verbose_name,
        queryset=ExternalAuthority.objects.all(),
        required=False,
    )
    number = _field(EquipmentCertificate, "number")
    issued_on = _field(EquipmentCertificate, "issued_on")
    valid_until = _field(EquipmentCertificate, "valid_until")
    result = _field(EquipmentCertificate, "result")
    uncertainty = _field(EquipmentCertificate, "uncertainty")

    def __init__(self, *args: Any, equipment: StandardEquipment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same rule as the service: a public standard, or one of the equipment holder's own.
        own_or_public = Q(is_public=True) | Q(holder_id=equipment.standard.holder_id)
        self.fields["issuer_standard"].queryset = (
            self.fields["issuer_standard"]
            .queryset.filter(own_or_public)
            .exclude(pk=equipment.standard_id)
            .exclude(status=Standard.Status.RETIRED)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("issuer_standard")) == bool(data.get("issuer_authority")):
            raise forms.ValidationError(_("出具证书的计量标准和外部机构须填写且只填写一个"))
        return data


class InstituteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.region.name}）"


class AuthorizationForm(forms.Form):
    institute = InstituteChoiceField(label=Authorization._meta.get_field("institute").verbose_name, queryset=None)
    number = _field(Authorization, "number")
    catalog_items = CatalogItemMultipleField(
        label=Authorization._meta.get_field("catalog_items").verbose_name,
        queryset=CatalogItem.objects.filter(active=True).order_by("code"),
        widget=MULTI_SELECT,
        help_text=MULTI_HELP,
    )
    valid_from = _field(Authorization, "valid_from")
    valid_until = _field(Authorization, "valid_until")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institute"].queryset = (
            organizations_visible_to(actor, kind=Organization.Kind.INSTITUTE).select_related("region").order_by("name")
        )
