"""The form that makes an evaluation report (the "button" on the list of reports)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from jiliang.core.models import Region

from ..models import Evaluation


class EvaluationForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("评估类型"), choices=Evaluation.Kind.choices)
    day = forms.DateField(label=gettext_lazy("评估基准日"), widget=forms.DateInput(attrs={"type": "date"}))
    city = forms.ModelChoiceField(
        label=gettext_lazy("城市"), queryset=Region.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args, admin: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if admin:
            city = self.fields["city"]
            assert isinstance(city, forms.ModelChoiceField)
            city.queryset = Region.objects.filter(level=Region.Level.CITY).order_by("code")
            city.required = True
        else:
            del self.fields["city"]
