"""The form an institute fills in to record a verification or calibration of one instrument of a request.

What it offers is what the record may use on the form's date (the date posted, else the date asked for in the
address, else today):

- the procedures, those the catalog names for the item first and the item's own preselected, each with its title
  (or, where none is registered, the catalog items that cite it, and that the title is missing);
- in each signature list, the institute's people qualified for the item that day
  (``people.selectors.qualified_people``, the rule of ``verifier_qualified``); for a calibration or an instrument
  outside the catalog, the staff on that day;
- the institute's standards valid that day whose scope covers the item; the others are listed apart with the
  reasons (``standards.selectors.standards.standards_for_item``);
- one MPE rule for the record (absolute, percent of the reference value or of the reading, percent of full scale,
  a + b·x), a point's own typed MPE overriding it;
- temperature in °C and humidity in %RH, as numbers in a sane range.

A point outside the instrument's measuring range (when the register states one this form can read) is flagged; the
record is saved only once the user confirms the points (a tick the form then shows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core import clock
from jiliang.core.web.forms import DateInput
from jiliang.metrology.verification import parse_range, rule_normalized
from jiliang.people.models import Person
from jiliang.people.selectors import qualified_people, staff_on
from jiliang.standards.models import Standard
from jiliang.standards.selectors.standards import standards_for_item

from ..models import Service

POINT_ROWS = 8
# The record services' arguments by the fields of the forms that send them, for their refusals.
SERVICE_FIELDS = {
    "standard_ids": "standards",
    "verifier_id": "verifier",
    "checker_id": "checker",
    "approver_id": "approver",
    "procedure_id": "procedure",
    "mpe_rule": "mpe_a",
}
MPE_KINDS = [
    ("percent", _("相对误差：±a %")),
    ("absolute", _("绝对误差：±a")),
    ("percent_fs", _("引用误差：±a % × 满量程")),
    ("linear", _("±(a + b·x)")),
]
MPE_BASES = [("reference", _("标准值")), ("indicated", _("示值"))]
TEMPERATURE_RANGE = (Decimal(-50), Decimal(100))
HUMIDITY_RANGE = (Decimal(0), Decimal(100))


def points_from(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The filled rows of the readings table (p-<i>-label/reference/indicated/mpe); empty rows are skipped."""
    rows = []
    for i in range(POINT_ROWS):
        row = {k: (data.get(f"p-{i}-{k}") or "").strip() for k in ("label", "reference", "indicated", "mpe")}
        if row["reference"] or row["indicated"]:
            rows.append(row)
    return rows


def mpe_rule_from(data: Mapping[str, Any]) -> dict[str, str] | None:
    """The MPE rule the fields mpe_kind/mpe_a/mpe_b/mpe_basis/mpe_full_scale state, as the service takes it
    (``services.records.verdict_points``); None when no ``a`` is given (each point then states its own MPE)."""
    a = str(data.get("mpe_a") or "").strip()
    if not a:
        return None
    kind = str(data.get("mpe_kind") or "percent")
    rule = {"kind": kind, "a": a}
    if kind == "linear":
        rule["b"] = str(data.get("mpe_b") or "").strip() or "0"
    if kind in ("percent", "linear"):
        rule["basis"] = str(data.get("mpe_basis") or "reference")
    if kind == "percent_fs":
        rule["full_scale"] = str(data.get("mpe_full_scale") or "").strip()
    return rule


def outside_range(points: Iterable[Mapping[str, Any]], measuring_range: str, unit: str) -> list[str]:
    """A warning for each point whose reference value lies outside the instrument's measuring range, when the
    range is one the form can read (``metrology.verification.parse_range``) and in the record's unit (or either
    states none); otherwise nothing is said."""
    span = parse_range(measuring_range)
    if span is None or (span.unit and unit.strip() and span.unit != unit.strip()):
        return []
    warnings = []
    for i, point in enumerate(points):
        try:
            value = Decimal(str(point.get("reference") or "").strip())
        except InvalidOperation:
            continue
        if value.is_finite() and not span.contains(value):
            warnings.append(
                gettext("第 %(n)d 个检定点的标准值 %(value)s 超出器具的测量范围 %(range)s")
                % {"n": i + 1, "value": value, "range": measuring_range}
            )
    return warnings


def procedure_label(procedure: Procedure, cited_by: Iterable[str] = ()) -> str:
    """ "JJG 577-2012 膜式燃气表"; without a registered title, the code and the catalog items that cite it, saying
    the title is missing (a title is never made up)."""
    if procedure.name.strip():
        return f"{procedure.code} {procedure.name.strip()}"
    items = "、".join(dict.fromkeys(cited_by))
    if items:
        return gettext("%(code)s（未登记规程名称；目录项：%(items)s）") % {"code": procedure.code, "items": items}
    return gettext("%(code)s（未登记规程名称）") % {"code": procedure.code}


def procedure_choices(item: CatalogItem | None) -> tuple[list[Any], Procedure | None]:
    """The choices of the procedure list (the item's own procedures in a group of their own, first) and the one
    to preselect. Two queries."""
    cited: dict[str, list[str]] = {}
    for code, name in CatalogItem.objects.exclude(procedure="").values_list("procedure", "item").order_by("code"):
        cited.setdefault(code.strip(), []).append(name)
    # The catalog names a procedure by its code without the year ("JJG 577"); a row may carry it ("JJG 577-2012").
    own_code = (item.procedure or "").strip() if item is not None else ""
    own: list[tuple[int, str]] = []
    others: list[tuple[int, str]] = []
    first = None
    for procedure in Procedure.objects.order_by("code"):
        code = procedure.code.split("-")[0].strip()
        label = procedure_label(procedure, cited.get(code, ()))
        if own_code and code == own_code:
            own.append((procedure.pk, label))
            first = first or procedure
        else:
            others.append((procedure.pk, label))
    choices: list[Any] = [("", "---------")]
    if own:
        choices.append((gettext("本项目的规程"), own))
        choices.append((gettext("其他规程"), others))
    else:
        choices += others
    return choices, first


def _number_in(value: str, units: tuple[str, ...], bounds: tuple[Decimal, Decimal], message: str) -> str:
    """A number typed with or without its unit, within ``bounds``, as text without the unit ("" stays "")."""
    text = value.strip()
    for unit in units:
        if text.endswith(unit):
            text = text[: -len(unit)].strip()
            break
    if not text:
        return ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(gettext("请填写数字")) from None
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        raise forms.ValidationError(message)
    return text


class RecordForm(forms.Form):
    wide = ("standards",)

    kind = forms.ChoiceField(label=_("类别"), choices=Service.choices)
    performed_on = forms.DateField(label=_("检定日期"), widget=DateInput())
    procedure = forms.ModelChoiceField(label=_("依据规程"), queryset=Procedure.objects.none(), required=False)
    place = forms.CharField(label=_("检定地点"), max_length=200, required=False)
    verifier = forms.ModelChoiceField(label=_("检定员"), queryset=Person.objects.none())
    checker = forms.ModelChoiceField(label=_("核验员"), queryset=Person.objects.none())
    approver = forms.ModelChoiceField(label=_("批准人"), queryset=Person.objects.none())
    temperature = forms.CharField(
        label=_("温度（°C）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "20.5"}),
    )
    humidity = forms.CharField(
        label=_("相对湿度（%RH）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "45"}),
    )
    conditions = forms.CharField(label=_("其他环境条件"), max_length=300, required=False)
    standards = forms.ModelMultipleChoiceField(
        label=_("使用的计量标准"), queryset=Standard.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    resolution = forms.CharField(
        label=_("修约间隔"), max_length=32, required=False, help_text=_("示值误差按此间隔修约后判定，如 0.001")
    )
    mpe_kind = forms.ChoiceField(label=_("最大允许误差的形式"), choices=MPE_KINDS, initial="percent", required=False)
    mpe_a = forms.CharField(
        label=_("最大允许误差 a"),
        max_length=32,
        required=False,
        help_text=_("百分数填 2 即 ±2 %；绝对误差填数值（单位同上）。不填则在每个检定点填写"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    mpe_basis = forms.ChoiceField(
        label=_("相对于"),
        choices=MPE_BASES,
        initial="reference",
        required=False,
        help_text=_("相对误差和 a + b·x 中的 x：通常为标准值"),
    )
    mpe_b = forms.CharField(
        label=_("系数 b（仅 a + b·x）"),
        max_length=32,
        required=False,
        help_text=_("如 0.5 % 填 0.005"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    mpe_full_scale = forms.CharField(
        label=_("满量程（仅引用误差）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    expanded_uncertainty = forms.CharField(
        label=_("扩展不确定度 U"), max_length=100, required=False, help_text=_("仅校准：含数值和单位，如 0.8 g")
    )
    coverage_factor = forms.DecimalField(label=_("包含因子 k"), required=False, max_digits=4, decimal_places=2)
    range_confirmed = forms.BooleanField(label=_("已核对超出测量范围的检定点，仍按此保存"), required=False)

    GROUPS = (
        (_("检定信息"), ("kind", "performed_on", "procedure", "place")),
        (_("签字人员"), ("verifier", "checker", "approver")),
        (_("环境条件"), ("temperature", "humidity", "conditions")),
        (_("计量标准"), ("standards",)),
        (_("最大允许误差与修约"), ("mpe_kind", "mpe_a", "mpe_basis", "mpe_b", "mpe_full_scale", "unit", "resolution")),
        (_("校准结果"), ("expanded_uncertainty", "coverage_factor")),
    )

    def __init__(self, *args: Any, institute: Any, instrument: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        item = self.item = instrument.catalog_item
        day = self.day = self._day()
        kind = (self.data.get("kind") if self.is_bound else None) or self.initial.get("kind") or Service.VERIFICATION
        self.by_qualification = item is not None and kind == Service.VERIFICATION
        people = qualified_people(institute, item, day) if self.by_qualification else staff_on(institute, day)
        # One query lists them for the three fields (each field's own queryset only checks the value posted).
        listed = [(person.pk, person.name) for person in people]
        for name in ("verifier", "checker", "approver"):
            self.fields[name].queryset = people
            self.fields[name].choices = [("", "---------"), *listed]
        self.people_count = len(listed)

        found = standards_for_item(institute, item, day)
        self.standards_other = found.other
        # Every standard of the institute is accepted here: the service refuses an unusable one with its reason.
        self.fields["standards"].queryset = Standard.objects.filter(holder=institute).exclude(
            status=Standard.Status.RETIRED
        )
        self.fields["standards"].choices = [(s.pk, f"{s.code} {s.name}") for s in found.usable]

        choices, own = procedure_choices(item)
        self.fields["procedure"].queryset = Procedure.objects.all()
        self.fields["procedure"].choices = choices
        self.fields["procedure"].initial = own
        self.fields["performed_on"].initial = day
        span = parse_range(instrument.measuring_range)
        if span is not None and span.low == 0:
            self.fields["mpe_full_scale"].initial = str(span.high)
            if span.unit:
                self.fields["unit"].initial = span.unit

    def _day(self) -> date:
        """The form's date: posted, else asked for (initial), else today."""
        raw = self.data.get("performed_on") if self.is_bound else self.initial.get("performed_on")
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw or "").strip())
        except ValueError:
            return clock.today()

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def points(self) -> list[dict[str, str]]:
        return points_from(self.data)

    def range_warnings(self) -> list[str]:
        """Points outside the instrument's measuring range (empty for an unbound form)."""
        if not self.is_bound:
            return []
        return outside_range(self.points(), self.instrument.measuring_range, str(self.data.get("unit") or ""))

    def clean_temperature(self) -> str:
        return _number_in(
            self.cleaned_data["temperature"],
            ("°C", "℃", "C"),
            TEMPERATURE_RANGE,
            gettext("温度应在 −50 °C 至 100 °C 之间"),
        )

    def clean_humidity(self) -> str:
        return _number_in(
            self.cleaned_data["humidity"],
            ("%RH", "％RH", "%", "％"),
            HUMIDITY_RANGE,
            gettext("相对湿度应在 0 至 100 %RH 之间"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        rule = mpe_rule_from(self.data)
        self.mpe_rule = None
        if rule is not None:
            if rule["kind"] == "percent_fs" and not rule["full_scale"]:
                self.add_error("mpe_full_scale", gettext("引用误差须填写满量程"))
            else:
                try:
                    self.mpe_rule = rule_normalized(rule)
                except ValueError:
                    self.add_error("mpe_a", gettext("最大允许误差须为大于零的数字（系数 b、满量程同样为数字）"))
        if self.range_warnings() and not data.get("range_confirmed"):
            self.add_error("range_confirmed", gettext("有检定点超出器具的测量范围：请核对，确认无误后勾选此项再保存"))
        return data

    def service_values(self) -> dict[str, Any]:
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
            "mpe_rule": self.mpe_rule,
            "place": d["place"],
            "temperature": d["temperature"],
            "humidity": d["humidity"],
            "conditions": d["conditions"],
            "unit": d["unit"],
            "resolution": d["resolution"],
            "expanded_uncertainty": d["expanded_uncertainty"],
            "coverage_factor": d.get("coverage_factor"),
        }
