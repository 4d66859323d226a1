"""Forms of penalty cases: the shape of each step's input; the rules are in ``services.cases``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.web.forms import DateInput

from ..models import Case, CasePause
from ..services.cases import SERVICE_METHODS

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class CaseForm(forms.Form):
    party = forms.ModelChoiceField(label=_("当事人"), queryset=None)
    source = forms.ChoiceField(label=_("案件来源"), choices=Case.Source.choices)
    clue_received_on = forms.DateField(label=_("线索收到日期"), widget=DateInput())
    summary = forms.CharField(label=_("案情摘要"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


class NotFileForm(forms.Form):
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())
    reason = forms.CharField(label=_("不予立案理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FileForm(forms.Form):
    filed_on = forms.DateField(label=_("立案日期"), widget=DateInput())
    officers = forms.ModelMultipleChoiceField(
        label=_("办案人员（两名以上）"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    bases = forms.ModelMultipleChoiceField(
        label=_("违法依据与处罚依据"), queryset=None, widget=forms.CheckboxSelectMultiple, to_field_name="code"
    )

    def __init__(self, *args: Any, officers: Any, bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = officers
        self.fields["bases"].queryset = bases


class ExtendForm(forms.Form):
    which = forms.ChoiceField(label=_("延长"), choices=[("filing", _("立案期限")), ("decision", _("办案期限"))])
    reason = forms.CharField(label=_("理由（负责人批准）"), max_length=2000)


class PauseForm(forms.Form):
    kind = forms.ChoiceField(label=_("事由"), choices=CasePause.Kind.choices)
    started_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    reason = forms.CharField(label=_("说明"), max_length=500)


class ResumeForm(forms.Form):
    ended_on = forms.DateField(label=_("恢复日期"), widget=DateInput())


class ReviewForm(forms.Form):
    started_on = forms.DateField(label=_("送审日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class PenaltyForm(forms.Form):
    penalty = forms.ChoiceField(label=_("处罚种类"), choices=Case.Penalty.choices)
    fine = forms.DecimalField(label=_("罚款金额（元）"), required=False, **MONEY)
    confiscated = forms.DecimalField(label=_("没收金额（元）"), required=False, **MONEY)
    facts = forms.CharField(
        label=_("违法事实"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NotifyForm(PenaltyForm):
    notified_on = forms.DateField(label=_("当事人收到告知书日期"), widget=DateInput())


class DecideForm(PenaltyForm):
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())


class HearingForm(forms.Form):
    requested_on = forms.DateField(label=_("申请听证日期"), widget=DateInput())
    notice_sent_on = forms.DateField(label=_("听证通知送达日期"), widget=DateInput())
    hearing_on = forms.DateField(label=_("听证日期"), widget=DateInput())


class ServeForm(forms.Form):
    served_on = forms.DateField(label=_("送达日期"), widget=DateInput())
    method = forms.ChoiceField(label=_("送达方式"), choices=[(k, _(v)) for k, v in SERVICE_METHODS.items()])
    recipient = forms.CharField(label=_("受送达人"), max_length=100, required=False)


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("缴款日期"), widget=DateInput())
    amount = forms.DecimalField(label=_("缴款金额（元）"), **MONEY)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("结案日期"), widget=DateInput())
    note = forms.CharField(label=_("结案意见"), max_length=2000, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("更正内容"), max_length=2000)
