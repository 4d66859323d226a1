"""Forms of the one window's pages. They parse; the services decide (their DomainErrors land on the fields)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiliang.core.web.forms import DateInput

from ..models import Service, ServiceRequest
from ..selectors.requests import MAX_DUE_WITHIN_DAYS, MAX_ITEMS

PICK = "pick"
DUE = "due"


class IdListField(forms.Field):
    """Several ids from checkboxes named alike (``instrument_ids=1&instrument_ids=2``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_ITEMS:
            raise ValidationError(_("一次最多申请 %(max)s 台器具"), params={"max": MAX_ITEMS})
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("器具选择无效")) from exc
        if any(not 0 < i < 2**63 for i in ids):
            raise ValidationError(_("器具选择无效"))
        return ids


class RequestForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("申请范围"),
        choices=[(PICK, _("勾选的器具")), (DUE, _("N 天内到期的全部强检器具"))],
        initial=PICK,
        widget=forms.RadioSelect,
    )
    instrument_ids = IdListField(label=_("计量器具"), required=False)
    due_within_days = forms.IntegerField(
        label=_("到期天数"),
        min_value=0,
        max_value=MAX_DUE_WITHIN_DAYS,
        initial=30,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input-inline-number"}),
    )
    service = forms.ChoiceField(label=_("服务类别"), choices=Service.choices, initial=Service.VERIFICATION)
    place = forms.ChoiceField(
        label=_("检定方式"), choices=ServiceRequest.Place.choices, initial=ServiceRequest.Place.SEND_IN
    )
    institute_id = forms.TypedChoiceField(label=_("检定机构"), coerce=int, required=False, empty_value=None)
    preferred_from = forms.DateField(label=_("期望开始日期"), required=False, widget=DateInput())
    preferred_to = forms.DateField(label=_("期望结束日期"), required=False, widget=DateInput())
    contact = forms.CharField(label=_("联系人"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, institutes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institute_id"].choices = [("", _("系统推荐"))] + [(o.pk, o.name) for o in institutes]

    def clean(self):
        data = super().clean()
        if data.get("mode") == DUE:
            if data.get("due_within_days") is None:
                self.add_error("due_within_days", _("请输入天数"))
        elif not data.get("instrument_ids") and "instrument_ids" not in self.errors:
            self.add_error("instrument_ids", _("请至少选择一台计量器具"))
        return data

    def service_arguments(self) -> dict:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        chosen = {"due_within_days": data["due_within_days"]} if data["mode"] == DUE else {}
        if not chosen:
            chosen = {"instrument_ids": data["instrument_ids"]}
        return chosen


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(forms.Form):
    scheduled_on = forms.DateField(label=_("安排日期"), widget=DateInput())


class ResubmitForm(forms.Form):
    contact = forms.CharField(label=_("联系人"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    preferred_from = forms.DateField(label=_("期望开始日期"), required=False, widget=DateInput())
    preferred_to = forms.DateField(label=_("期望结束日期"), required=False, widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
