"""The one place that decides whether a standard is valid on a date; every other check calls these.

The rule itself is the pure :func:`jiliang.metrology.standard_validity.standard_valid_on`; this module feeds it
a standard's assessment certificate and its equipment's traceability certificates from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from jiliang.metrology.standard_validity import Period, Validity, standard_valid_on

from .models import EquipmentCertificate, Standard, StandardEquipment


def with_validity_data(qs: QuerySet[Standard]) -> QuerySet[Standard]:
    """Prefetch what :func:`standard_validity` reads, so checking many standards costs three queries."""
    return qs.prefetch_related(
        Prefetch(
            "equipment",
            queryset=StandardEquipment.objects.prefetch_related(
                Prefetch(
                    "certificates",
                    queryset=EquipmentCertificate.objects.only("equipment_id", "issued_on", "valid_until"),
                )
            ),
        )
    )


def standard_validity(standard: Standard, day: date) -> Validity:
    """Whether ``standard`` may be used on ``day`` (assessment certificate and every equipment certificate)."""
    equipment = {
        f"{e.name} {e.serial_number}": [Period(c.issued_on, c.valid_until) for c in e.certificates.all()]
        for e in standard.equipment.all()
    }
    return standard_valid_on(
        day,
        status=standard.status,
        certificate=Period(standard.certificate_issued_on, standard.certificate_valid_until),
        equipment=equipment,
    )


def is_valid_on(standard: Standard, day: date) -> bool:
    return standard_validity(standard, day).valid


def valid_standards(standards: Iterable[Standard], day: date) -> list[Standard]:
    """The standards among ``standards`` valid on ``day`` (pass a queryset through with_validity_data first)."""
    return [s for s in standards if is_valid_on(s, day)]


REASON_TEXT = {
    "status_suspended": lambda subject: _("计量标准已暂停使用"),
    "status_retired": lambda subject: _("计量标准已撤销"),
    "certificate_not_yet_valid": lambda subject: _("考核证书尚未生效"),
    "certificate_expired": lambda subject: _("考核证书已过期"),
    "no_equipment": lambda subject: _("没有登记标准设备"),
    "equipment_not_covered": lambda subject: _("标准设备“%(name)s”没有有效的溯源证书") % {"name": subject},
}


def explain(validity: Validity) -> list[str]:
    """The reasons, in the user's language."""
    return [REASON_TEXT[r.code](r.subject) if r.code in REASON_TEXT else r.code for r in validity.reasons]
