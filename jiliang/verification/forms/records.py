"""The form an institute fills in to record a verification or calibration of one instrument of a request."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import Procedure
from jiliang.core import clock
from jiliang.core.web.forms import DateInput
from jiliang.people.models import Person
from jiliang.standards.models import Standard

from ..models import Service

POINT_ROWS = 8
# The record services' arguments by the fields of the forms that send them, for their refusals.
SERVICE_FIELDS = {
    "standard_ids": "standards",
    "verifier_id": "verifier",
    "checker_id": "checker",
    "approver_id": "approver",
    "procedure_id": "procedure",
}


def points_from(data) -> list[dict[str, str]]:
    """The filled rows of the readings table (p-<i>-label/reference/indicated/mpe); empty rows are skipped."""
    rows = []
    for i in range(POINT_ROWS):
        row = {k: (data.get(f"p-{i}-{k}") or "").strip() for k in ("label", "reference", "indicated", "mpe")}
        if row["reference"] or row["indicated"]:
            rows.append(row)
    return rows


class RecordForm(forms.Form):
    wide = ("standards",)

    kind = forms.ChoiceField(label=_("类别"), choices=Service.choices)
    performed_on = forms.DateField(label=_("检定日期"), widget=DateInput())
    procedure = forms.ModelChoiceField(label=_("依据规程"), queryset=Procedure.objects.none(), required=False)
    place = forms.CharField(label=_("检定地点"), max_length=200, required=False)
    verifier = forms.ModelChoiceField(label=_("检定员"), queryset=Person.objects.none())
    checker = forms.ModelChoiceField(label=_("核验员"), queryset=Person.objects.none())
    approver = forms.ModelChoiceField(label=_("批准人"), queryset=Person.objects.none())
    temperature = forms.CharField(label=_("温度"), max_length=32, required=False)
    humidity = forms.CharField(label=_("相对湿度"), max_length=32, required=False)
    conditions = forms.CharField(label=_("其他环境条件"), max_length=300, required=False)
    standards = forms.ModelMultipleChoiceField(
        label=_("使用的计量标准"), queryset=Standard.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    resolution = forms.CharField(
        label=_("修约间隔"), max_length=32, required=False, help_text=_("示值误差按此间隔修约后判定，如 0.001")
    )
    expanded_uncertainty = forms.CharField(
        label=_("扩展不确定度 U"), max_length=100, required=False, help_text=_("仅校准：含数值和单位，如 0.8 g")
    )
    coverage_factor = forms.DecimalField(label=_("包含因子 k"), required=False, max_digits=4, decimal_places=2)

    def __init__(self, *args, institute, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Person.objects.filter(organization=institute, left_on__isnull=True).order_by("name")
        for name in ("verifier", "checker", "approver"):
            self.fields[name].queryset = staff
        self.fields["standards"].queryset = Standard.objects.filter(holder=institute).exclude(status="retired")
        self.fields["procedure"].queryset = Procedure.objects.order_by("code")
        item = instrument.catalog_item
        if item is not None and item.procedure:
            self.fields["procedure"].initial = Procedure.objects.filter(code=item.procedure.split()[0]).first()
        self.fields["performed_on"].initial = clock.today()

    def points(self) -> list[dict[str, str]]:
        return points_from(self.data)

    def service_values(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "performed_on": d["performed_on"],
            "procedure_id": d["procedure"].pk if d.get("procedure") else None,
            "standard_ids": [s.pk for s in d["standards"]],
            "verifier_id": d["verifier"].pk,
            "checker_id": d["checker"].pk,
            "approver_id": d["approver"].pk,
            "points": self.points(),
            "place": d["place"],
            "temperature": d["temperature"],
            "humidity": d["humidity"],
            "conditions": d["conditions"],
            "unit": d["unit"],
            "resolution": d["resolution"],
            "expanded_uncertainty": d["expanded_uncertainty"],
            "coverage_factor": d.get("coverage_factor"),
        }
