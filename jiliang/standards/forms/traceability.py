"""The traceability chain's form: the day the chain is looked at."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class DayForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("查看日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
