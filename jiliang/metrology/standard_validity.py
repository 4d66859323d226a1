"""Whether a measurement standard may be used to issue certificates on a given day.

《计量标准考核办法》 (the assessment of measurement standards): a standard is used only while its assessment
certificate (计量标准考核证书, valid four years) is in force, and 《计量法》 art. 6–8 with JJF 1033 require its
standard equipment to be traceable — each piece carrying a valid verification or calibration certificate from a
higher standard. Both end dates are inclusive: a certificate valid until today is valid today.

>>> from datetime import date
>>> cert = Period(date(2022, 1, 1), date(2026, 1, 1))
>>> standard_valid_on(date(2026, 1, 1), status="active", certificate=cert,
...                   equipment={"砝码组 E2": [Period(date(2025, 6, 1), date(2026, 5, 31))]}).valid
True
>>> v = standard_valid_on(date(2026, 1, 2), status="active", certificate=cert, equipment={})
>>> v.valid, v.reasons[0].code
(False, 'certificate_expired')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Reason:
    """Why a standard is not valid: a code for programs and the thing it concerns (an equipment name)."""

    code: str  # status_<status>, certificate_not_yet_valid, certificate_expired, no_equipment, equipment_not_covered
    subject: str = ""


@dataclass(frozen=True)
class Validity:
    valid: bool
    reasons: list[Reason] = field(default_factory=list)


def standard_valid_on(
    day: date,
    *,
    status: str,
    certificate: Period,
    equipment: Mapping[str, Sequence[Period]],
    require_equipment: bool = True,
) -> Validity:
    """Valid when the standard is active, its assessment certificate covers ``day``, and every piece of its
    equipment has at least one certificate covering ``day``. ``equipment`` maps a name to its certificates'
    periods. A standard with no equipment on record is not valid unless ``require_equipment`` is False.

    >>> standard_valid_on(date(2025, 3, 1), status="active", certificate=Period(date(2024, 1, 1), date(2027, 12, 31)),
    ...                   equipment={"A": [Period(date(2024, 3, 1), date(2025, 2, 28))]}).reasons
    [Reason(code='equipment_not_covered', subject='A')]
    """
    reasons: list[Reason] = []
    if status != "active":
        reasons.append(Reason(f"status_{status}"))
    if day < certificate.start:
        reasons.append(Reason("certificate_not_yet_valid"))
    elif day > certificate.end:
        reasons.append(Reason("certificate_expired"))
    if not equipment and require_equipment:
        reasons.append(Reason("no_equipment"))
    for name, periods in equipment.items():
        if not any(p.covers(day) for p in periods):
            reasons.append(Reason("equipment_not_covered", name))
    return Validity(valid=not reasons, reasons=reasons)
