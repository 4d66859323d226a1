"""The canonical document of a certificate (what is signed) and the signed JSON export.

Document format ``jiliang-certificate`` version 1 (docs/certificates.md describes every field). Values are strings,
integers, booleans, null, objects and arrays — never floats (``jiliang.metrology.signing``): a measured value is the
decimal string the institute entered.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.metrology import signing

from ..models import Certificate, ReadingPoint, StandardUse, VerificationRecord

# Version 2 adds ``signed_at`` (when each of the three signed) and ``results.mpe_rule``; readers accept both.
DOCUMENT_VERSION = "2"
KNOWN_DOCUMENT_VERSIONS = frozenset({"1", "2"})


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _places(resolution: str) -> int | None:
    """Decimal places of a rounding interval ("0.001" → 3, "0.5" → 1, "20" → 0); None when there is none."""
    try:
        step = Decimal(resolution.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not step.is_finite() or step <= 0:
        return None
    return max(0, -step.normalize().as_tuple().exponent)


def _num(value: Decimal | None, places: int | None = None) -> str | None:
    """A stored decimal as text without the padding the database adds, but with the decimal places the record's
    rounding interval gives (a reference of 1.000 kg at a 0.001 interval prints "1.000", not "1"): the number of
    digits shown is part of the result. Digits beyond that are kept, never rounded away here."""
    if value is None:
        return None
    normalized = value.normalize()
    if places is not None and -normalized.as_tuple().exponent <= places:
        normalized = value.quantize(Decimal(1).scaleb(-places))
    # format(..., "f") never uses exponent notation.
    return format(normalized, "f")


def _moment(value: datetime | None) -> str | None:
    """A signature's time, to the second, in the platform's time zone."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _bare_number(value: str) -> str | None:
    """``value`` when it is a plain number ("20.5", "-3"), else None."""
    text = (value or "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return text if number.is_finite() else None


def temperature_text(value: str) -> str:
    """A record's temperature with its unit: "20.5" → "20.5 °C"; a text that states its own unit ("20.5 ℃",
    entered before the form asked for a number) is printed as stated."""
    number = _bare_number(value)
    return f"{number} °C" if number is not None else (value or "")


def humidity_text(value: str) -> str:
    """A record's relative humidity with its unit: "45" → "45 %RH"; any other text as stated."""
    number = _bare_number(value)
    return f"{number} %RH" if number is not None else (value or "")


def mpe_rule_text(rule: dict[str, Any] | None, unit: str = "") -> str:
    """The record's MPE rule as a certificate states it: "±2%（相对于标准值）", "±0.5 kg", "±1.6%FS（满量程 1.6 MPa）",
    "±(0.02 kg + 0.005 × 示值)"; "" for none."""
    if not rule:
        return ""
    kind, a = rule.get("kind"), rule.get("a", "")
    unit = f" {unit}" if unit else ""
    basis = _("示值") if rule.get("basis") == "indicated" else _("标准值")
    if kind == "absolute":
        return f"±{a}{unit}"
    if kind == "percent":
        return _("±%(a)s%%（相对于%(basis)s）") % {"a": a, "basis": basis}
    if kind == "percent_fs":
        return _("±%(a)s%%FS（满量程 %(fs)s%(unit)s）") % {"a": a, "fs": rule.get("full_scale", ""), "unit": unit}
    if kind == "linear":
        return _("±(%(a)s%(unit)s + %(b)s × %(basis)s)") % {
            "a": a,
            "unit": unit,
            "b": rule.get("b", ""),
            "basis": basis,
        }
    return ""


def public_check_url(token: str) -> str:
    return settings.JILIANG_PUBLIC_BASE_URL.rstrip("/") + reverse("portal:token", args=[token])


def _person(p) -> str | None:
    return p.name if p is not None else None


def certificate_document(
    *,
    number: str,
    kind: str,
    issued_on: date,
    valid_until: date | None,
    token: str,
    record: VerificationRecord,
    points: list[ReadingPoint],
    uses: list[StandardUse],
    supersedes: Certificate | None,
) -> dict[str, Any]:
    """The document to sign, from the record as saved (its readings and standards passed in, in order)."""
    instrument = record.instrument
    owner = instrument.owner
    institute = record.institute
    item = instrument.catalog_item
    procedure = record.procedure
    places = _places(record.resolution)
    # The record's MPE rule, when it stated one (a key of its own, so documents without one keep their shape).
    mpe_rule = record.mpe_rule
    document: dict[str, Any] = {
        "format": signing.FORMAT,
        "version": DOCUMENT_VERSION,
        "number": number,
        "kind": kind,
        "issued_on": _d(issued_on),
        "valid_until": _d(valid_until),
        "supersedes": supersedes.number if supersedes else None,
        "public_check": public_check_url(token),
        "institute": {
            "name": institute.name,
            "credit_code": institute.credit_code,
            "code": institute.short_code or "",
        },
        "owner": {"name": owner.name, "credit_code": owner.credit_code, "address": owner.address},
        "instrument": {
            "name": instrument.name,
            "catalog_code": item.code if item else None,
            "catalog_kind": item.kind if item else None,
            "manufacturer": instrument.manufacturer,
            "model": instrument.model,
            "serial_number": instrument.serial_number,
            "accuracy_class": instrument.accuracy_class,
            "measuring_range": instrument.measuring_range,
        },
        "procedure": {"code": procedure.code, "name": procedure.name} if procedure else None,
        "performed_on": _d(record.performed_on),
        "conditions": {
            "place": record.place,
            "temperature": temperature_text(record.temperature),
            "humidity": humidity_text(record.humidity),
            "other": record.conditions,
        },
        "standards": [
            {
                "name": use.standard.name,
                "code": use.standard.code,
                "certificates": use.certificate_numbers,
            }
            for use in uses
        ],
        "results": {
            "service": record.kind,
            "conclusion": record.conclusion,
            "unit": record.unit,
            "resolution": record.resolution,
            "expanded_uncertainty": record.expanded_uncertainty,
            "coverage_factor": _num(record.coverage_factor),
            "points": [
                {
                    "label": p.label,
                    "reference": _num(p.reference, places),
                    "indicated": _num(p.indicated, places),
                    "error": _num(p.error, places),
                    "mpe": _num(p.mpe, places),
                    "passed": p.passed,
                }
                for p in points
            ],
        },
        "next_due_on": _d(record.next_due_on),
        "signatories": {
            "verifier": _person(record.verifier),
            "checker": _person(record.checker),
            "approver": _person(record.approver),
        },
        "signed_at": {
            "verifier": _moment(record.verified_at),
            "checker": _moment(record.checked_at),
            "approver": _moment(record.approved_at),
        },
    }
    if mpe_rule:
        document["results"]["mpe_rule"] = dict(mpe_rule)
    return document


REVOCATION_VERSION = "1"


def revocation_document(*, certificate: Certificate, revoked_at: datetime) -> dict[str, Any]:
    """The revocation to sign (format ``jiliang-revocation`` version 1, docs/certificates.md): the number and the
    SHA-256 of the canonical document it revokes, and the time, to the second, in the platform's time zone (its
    date is the day the public check states). Migration 0006 builds the same for revocations made before."""
    return {
        "format": signing.REVOCATION_FORMAT,
        "version": REVOCATION_VERSION,
        "certificate": certificate.document["number"],
        "certificate_sha256": signing.document_sha256(certificate.document),
        "revoked_at": timezone.localtime(revoked_at).isoformat(timespec="seconds"),
    }


def signed_file(certificate: Certificate) -> dict[str, Any]:
    """The JSON export: ``{"certificate": document, "signature": {...}}``, verifiable offline with
    ``manage.py verify_certificate`` or any Ed25519 library (see docs/certificates.md). The public key it
    carries says which key signed; a verifier checks it against the institute's published keys, never trusts it
    for itself. It comes from the trusted keys, else from the record of keys used."""
    from .. import keys
    from ..models import SigningKey

    public_key = keys.trusted_keys().get(certificate.key_id)
    if public_key is None:
        public_key = SigningKey.objects.filter(key_id=certificate.key_id).values_list("public_key", flat=True).first()
    return {
        "certificate": certificate.document,
        "signature": {
            "algorithm": signing.ALGORITHM,
            "canonical_form": f"{signing.FORMAT}/{signing.CANONICAL_VERSION}",
            "key_id": certificate.key_id,
            "public_key": public_key or "",
            "value": certificate.signature,
        },
    }
