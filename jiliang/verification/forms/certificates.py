"""Forms of the certificate pages: the list's filters, the correction (出具更正证书) and the revocation (撤销证书).

The filters turn into one query on the scoped queryset (``certificates_visible_to``); a certificate's status is
computed (``selectors.certificates.certificate_status``), so the status filter states the same rules as a query:
revoked, then superseded, then a failure notice, then expired past its valid-until date, else valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core.web.forms import DateInput
from jiliang.people.models import Person

from ..models import Certificate, VerificationRecord
from ..selectors.certificates import CertificateStatus, status_q

# The statuses a list can filter by (not_found is the public check's answer, not a status of a row).
LIST_STATUSES = [(value, label) for value, label in CertificateStatus.choices if value != CertificateStatus.NOT_FOUND]


@dataclass
class CertificateFilters:
    kind: str = ""
    status: str = ""
    q: str = ""
    issued_from: date | None = None
    issued_to: date | None = None
    errors: list[str] = field(default_factory=list)

    def apply(self, qs: QuerySet[Certificate], today: date) -> QuerySet[Certificate]:
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.status:
            qs = qs.filter(status_q(self.status, today))
        if self.q:
            qs = qs.filter(Q(number__icontains=self.q) | Q(instrument__serial_number__icontains=self.q))
        if self.issued_from:
            qs = qs.filter(issued_on__gte=self.issued_from)
        if self.issued_to:
            qs = qs.filter(issued_on__lte=self.issued_to)
        return qs


def _day(raw: str | None, label: str, errors: list[str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(label)s“%(value)s”无效，已忽略") % {"label": label, "value": raw})
        return None


def parse_filters(params: Any) -> CertificateFilters:
    """The list filters from a query string (the page) or the API's validated query, parsed the same way."""
    errors: list[str] = []
    kind = params.get("kind") or ""
    status = params.get("status") or ""
    return CertificateFilters(
        kind=kind if kind in Certificate.Kind.values else "",
        status=status if status in dict(LIST_STATUSES) else "",
        q=(params.get("q") or "").strip()[:64],
        issued_from=_day(params.get("issued_from"), _("签发日期起"), errors),
        issued_to=_day(params.get("issued_to"), _("签发日期止"), errors),
        errors=errors,
    )


# ---- correction and revocation -------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s*[|｜]\s*")


def points_text(record: VerificationRecord) -> str:
    """The record's readings as the textarea shows them: one point a line, "label | reference | indicated | MPE"."""
    lines = []
    for p in record.points.all():
        cells = [p.label, _plain(p.reference), _plain(p.indicated)]
        if p.mpe is not None:
            cells.append(_plain(p.mpe))
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def _plain(value: Any) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def parse_points(text: str, *, with_mpe: bool) -> list[dict[str, str]]:
    points = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        cells = _SEPARATORS.split(line.strip())
        expected = 4 if with_mpe else 3
        if len(cells) != expected:
            if with_mpe:
                message = _("第 %(n)s 行应为“检定点 | 标准值 | 示值 | 最大允许误差”") % {"n": n}
            else:
                message = _("第 %(n)s 行应为“校准点 | 标准值 | 示值”") % {"n": n}
            raise forms.ValidationError(message)
        point = {"label": cells[0], "reference": cells[1], "indicated": cells[2]}
        if with_mpe:
            point["mpe"] = cells[3]
        points.append(point)
    if not points:
        raise forms.ValidationError(_("请至少填写一个检定点"))
    return points


class CorrectForm(forms.Form):
    """What a correction may change (``services.certificates.CORRECTABLE``), prefilled from the record, and the
    reason. The verifier of a correction is the person who starts it (their own login), never chosen."""

    reason = forms.CharField(label=gettext_lazy("更正原因"), max_length=500, widget=forms.TextInput())
    performed_on = forms.DateField(label=gettext_lazy("检定日期"), widget=DateInput())
    place = forms.CharField(label=gettext_lazy("检定地点"), max_length=200, required=False)
    temperature = forms.CharField(label=gettext_lazy("温度"), max_length=32, required=False)
    humidity = forms.CharField(label=gettext_lazy("相对湿度"), max_length=32, required=False)
    conditions = forms.CharField(label=gettext_lazy("其他环境条件"), max_length=300, required=False)
    checker = forms.ModelChoiceField(label=gettext_lazy("核验员"), queryset=Person.objects.none())
    approver = forms.ModelChoiceField(label=gettext_lazy("批准人"), queryset=Person.objects.none())
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=32, required=False)
    resolution = forms.CharField(label=gettext_lazy("修约间隔"), max_length=32, required=False)
    points = forms.CharField(
        label=gettext_lazy("检定数据"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "mono"}),
        help_text=gettext_lazy("每行一个检定点：检定点 | 标准值 | 示值 | 最大允许误差（校准不填最大允许误差）"),
    )
    expanded_uncertainty = forms.CharField(label=gettext_lazy("扩展不确定度 U"), max_length=100, required=False)
    coverage_factor = forms.DecimalField(
        label=gettext_lazy("包含因子 k"), max_digits=4, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, certificate: Certificate, **kwargs: Any) -> None:
        record = certificate.record
        kwargs.setdefault(
            "initial",
            {
                "performed_on": record.performed_on,
                "place": record.place,
                "temperature": record.temperature,
                "humidity": record.humidity,
                "conditions": record.conditions,
                "checker": record.checker_id,
                "approver": record.approver_id,
                "unit": record.unit,
                "resolution": record.resolution,
                "points": points_text(record),
                "expanded_uncertainty": record.expanded_uncertainty,
                "coverage_factor": record.coverage_factor,
            },
        )
        super().__init__(*args, **kwargs)
        self.calibration = record.kind == "calibration"
        staff = Person.objects.filter(organization_id=certificate.institute_id).order_by("name")
        for name in ("checker", "approver"):
            self.fields[name].queryset = staff
        if self.calibration:
            self.fields["performed_on"].label = _("校准日期")
            self.fields["points"].label = _("校准数据")
        else:
            del self.fields["expanded_uncertainty"]
            del self.fields["coverage_factor"]

    def clean_points(self) -> list[dict[str, str]]:
        return parse_points(self.cleaned_data["points"], with_mpe=not self.calibration)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            "reason": data["reason"],
            "performed_on": data["performed_on"],
            "place": data["place"],
            "temperature": data["temperature"],
            "humidity": data["humidity"],
            "conditions": data["conditions"],
            "checker_id": data["checker"].pk,
            "approver_id": data["approver"].pk,
            "unit": data["unit"],
            "resolution": data["resolution"],
            "points": data["points"],
        }
        if self.calibration:
            kwargs["expanded_uncertainty"] = data["expanded_uncertainty"]
            kwargs["coverage_factor"] = data["coverage_factor"]
        return kwargs


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤销原因"), max_length=500, widget=forms.TextInput())
