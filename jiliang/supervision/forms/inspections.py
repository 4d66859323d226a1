"""Forms of inspections on the spot and of rectification: the shape of the input only; the rules are in the
services (two officers, conflicts, the MPE, the upload checks, what may be submitted)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.web.forms import DateInput

YES_NO = [("", "—"), ("yes", _("符合")), ("no", _("不符合"))]
SEAL_CHOICES = [("", _("未检查")), ("yes", _("完好")), ("no", _("破损或缺失"))]


class StartForm(forms.Form):
    """Start an inspection: of a drawn target (its organization fixed), or of an owner named by its credit code."""

    credit_code = forms.CharField(
        label=_("检查对象统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("不通过抽取的检查（如专项检查）填写本辖区内使用单位的统一社会信用代码"),
    )
    campaign = forms.ModelChoiceField(label=_("专项检查"), queryset=None, required=False)
    inspected_on = forms.DateField(label=_("检查日期"), widget=DateInput())
    inspectors = forms.ModelMultipleChoiceField(
        label=_("执法人员（至少两名）"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    wide = ("inspectors",)

    def __init__(self, *args: Any, inspectors: Any, campaigns: Any, target: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors
        self.fields["campaign"].queryset = campaigns
        if target:
            del self.fields["credit_code"]
        else:
            self.fields["credit_code"].required = True


class FindingsForm(forms.Form):
    """One row per finding of the checklist: compliant or not, a note, and the legal basis cited."""

    def __init__(self, *args: Any, findings: Any, bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        basis_choices = [(basis.code, f"{basis.code} {basis}") for basis in bases]
        self.rows = []
        for finding in findings:
            pk = finding.pk
            self.fields[f"compliant_{pk}"] = forms.ChoiceField(
                label=f"{finding.code} {finding.text}",
                choices=YES_NO,
                required=False,
                initial="" if finding.compliant is None else ("yes" if finding.compliant else "no"),
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("情况说明"), max_length=1000, required=False, initial=finding.note
            )
            self.fields[f"basis_{pk}"] = forms.ChoiceField(
                label=_("法律依据"),
                choices=[("", "—"), *basis_choices],
                required=False,
                initial=finding.basis.code if finding.basis_id else "",
            )
            self.rows.append((finding, self[f"compliant_{pk}"], self[f"note_{pk}"], self[f"basis_{pk}"]))

    def answers(self) -> dict[int, dict[str, Any]]:
        """The answered rows (a row left at "—" is not recorded)."""
        found: dict[int, dict[str, Any]] = {}
        for finding, *_fields in self.rows:
            value = self.cleaned_data.get(f"compliant_{finding.pk}")
            if value:
                found[finding.pk] = {
                    "compliant": value == "yes",
                    "note": self.cleaned_data.get(f"note_{finding.pk}", ""),
                    "basis": self.cleaned_data.get(f"basis_{finding.pk}", ""),
                }
        return found


class InstrumentCheckForm(forms.Form):
    seal_intact = forms.ChoiceField(label=_("封印"), choices=SEAL_CHOICES, required=False)
    note = forms.CharField(label=_("情况说明"), max_length=500, required=False)

    def clean_seal_intact(self) -> bool | None:
        value = self.cleaned_data["seal_intact"]
        return None if not value else value == "yes"


class TestDrawForm(forms.Form):
    __test__ = False  # a form, not a test

    instrument = forms.TypedChoiceField(label=_("计量器具"), coerce=int, required=False, empty_value=None)
    label = forms.CharField(label=_("枪号/油品"), max_length=50, required=False)
    indicated = forms.DecimalField(label=_("示值（L）"), max_digits=10, decimal_places=3, min_value=0)
    actual = forms.DecimalField(label=_("标准量器实际值（L）"), max_digits=10, decimal_places=3, min_value=0)

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", "—"), *[(i.pk, f"{i.name} {i.serial_number}") for i in instruments]]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("照片或扫描件"), help_text=_("JPEG、PNG 图片或 PDF 文件，最大 10 MB"), allow_empty_file=True
    )


class SubmitForm(forms.Form):
    result = forms.ChoiceField(label=_("检查结果"))
    summary = forms.CharField(
        label=_("检查情况"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    wide = ("summary",)

    def __init__(self, *args: Any, results: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", "—"), *[(r.code, r.name) for r in results]]


class OrderForm(forms.Form):
    requirement = forms.CharField(label=_("整改要求"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("整改期限"), widget=DateInput())
    bases = forms.MultipleChoiceField(label=_("法律依据"), widget=forms.CheckboxSelectMultiple)
    wide = ("requirement", "bases")

    def __init__(self, *args: Any, bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bases"].choices = [(b.code, f"{b.law}{b.article}") for b in bases]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [file for file in files if file]


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("整改情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(
        label=_("证明材料"), required=False, help_text=_("JPEG、PNG 图片或 PDF 文件，每个最大 10 MB，最多 10 个")
    )
    wide = ("reply", "attachments")


class RecheckForm(forms.Form):
    passed = forms.ChoiceField(label=_("复查结论"), choices=[("yes", _("整改到位")), ("no", _("整改不到位"))])
    recheck_on = forms.DateField(label=_("复查日期"), widget=DateInput())
    note = forms.CharField(
        label=_("复查意见"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    wide = ("note",)
