"""Forms of the registry pages. They parse and validate input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.catalog.selectors import confidence_visible_to
from jiliang.core.models import Organization, User
from jiliang.core.selectors import organizations_visible_to
from jiliang.core.web.forms import DateInput

from .models import Instrument
from .services import EDITABLE_FIELDS


def _label(name: str) -> str:
    return Instrument._meta.get_field(name).verbose_name


def interval_text(item: CatalogItem) -> str:
    """How a catalog row sets the due date, in words: the interval, the service life, or none."""
    if item.mode == CatalogItem.Mode.PERIODIC:
        return _("检定周期 %(months)s 个月") % {"months": item.interval_months}
    if item.mode == CatalogItem.Mode.FIRST_ONLY_FIXED_LIFE:
        return _("首次检定，使用年限 %(months)s 个月") % {"months": item.interval_months}
    if item.mode == CatalogItem.Mode.FIRST_ONLY_SCRAP:
        return _("首次检定，失准报废")
    return _("不检定")


class CatalogItemChoiceField(forms.ModelChoiceField):
    """Each option names the row and how it sets the due date; how sure we are of that interval only for those who
    can correct the catalog (``show_confidence``, set by the form from
    :func:`jiliang.catalog.selectors.confidence_visible_to`; off unless set)."""

    show_confidence = False

    def label_from_instance(self, obj: CatalogItem) -> str:
        parts = {"code": obj.code, "kind": obj.kind, "interval": interval_text(obj)}
        if not self.show_confidence:
            return _("%(code)s %(kind)s（%(interval)s）") % parts
        return _("%(code)s %(kind)s（%(interval)s · %(confidence)s）") % {
            **parts,
            "confidence": obj.get_confidence_display(),
        }


def _text(name: str, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    max_length = Instrument._meta.get_field(name).max_length
    return forms.CharField(label=_label(name), max_length=max_length, required=required, **kwargs)


class InstrumentForm(forms.Form):
    """Create or edit one instrument. ``mandatory`` and ``due_on`` are not fields: the services derive them.

    A regulator (or admin) creating an instrument names the owner, by unified social credit code or exact
    name, among the owners in its scope; an owner always registers for itself and sees no owner field.
    """

    owner = forms.CharField(
        label=gettext_lazy("使用单位"),
        max_length=200,
        help_text=gettext_lazy("输入单位名称或统一社会信用代码，从提示中选择"),
    )
    catalog_item = CatalogItemChoiceField(
        label=_label("catalog_item"),
        queryset=CatalogItem.objects.filter(active=True).order_by("code"),
        required=False,
        empty_label=gettext_lazy("（不在强制管理目录内）"),
    )
    usage = forms.ChoiceField(label=_label("usage"), choices=Usage.choices)
    name = _text("name", required=True)
    serial_number = _text("serial_number", required=True)
    manufacturer = _text("manufacturer")
    model = _text("model")
    asset_number = _text("asset_number")
    accuracy_class = _text("accuracy_class")
    measuring_range = _text("measuring_range")
    location = _text("location")
    registered_on = forms.DateField(label=_label("registered_on"), required=False, widget=DateInput())
    last_verified_on = forms.DateField(
        label=gettext_lazy("最近检定日期"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("登记前已检定的，填写最近一次检定日期（登记为既往检定记录）；下次检定日期据此自动计算"),
    )

    def __init__(self, *args: Any, user: User, with_owner: bool, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["catalog_item"].show_confidence = confidence_visible_to(user)  # type: ignore[attr-defined]
        if not creating:
            # After registration the last verification comes from the instrument's records, never from an edit.
            del self.fields["last_verified_on"]
        if not with_owner:
            del self.fields["owner"]
        else:
            self.fields["owner"].widget.attrs.update({"list": "owner-options", "autocomplete": "off"})

    def clean_owner(self) -> Organization:
        text = self.cleaned_data["owner"].strip()
        owners = organizations_visible_to(self.user, kind=Organization.Kind.OWNER)
        found = list(owners.filter(credit_code=text.upper())[:1]) or list(owners.filter(name=text)[:2])
        if len(found) > 1:
            raise forms.ValidationError(_("有多个同名单位，请输入统一社会信用代码"))
        if not found:
            raise forms.ValidationError(_("未找到该使用单位（只能选择您管辖范围内的单位）"))
        return found[0]

    def service_data(self) -> dict[str, Any]:
        """The cleaned values the services accept (owner apart)."""
        data = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}
        if data.get("registered_on") is None:
            data.pop("registered_on", None)
        if self.cleaned_data.get("last_verified_on") is not None:
            data["last_verified_on"] = self.cleaned_data["last_verified_on"]
        return data


def initial_from(instrument: Instrument) -> dict[str, Any]:
    return {name: getattr(instrument, name) for name in EDITABLE_FIELDS}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("新状态"), choices=Instrument.Status.choices)
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：送修、停产、已损坏")}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("status") in (Instrument.Status.STOPPED, Instrument.Status.SCRAPPED)
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("停用或报废须说明原因"))
        return cleaned


class PreviewForm(forms.Form):
    """The values the derived fields depend on, read leniently while a user is still typing."""

    catalog_item = forms.ModelChoiceField(queryset=CatalogItem.objects.filter(active=True), required=False)
    usage = forms.ChoiceField(choices=Usage.choices, required=False)
    last_verified_on = forms.DateField(required=False)
