"""What the public check reads and answers. No login, no scope: the answer itself is what is safe to show.

The answer (``public_answer``) holds ONLY:

- ``status`` and ``status_label``: valid / expired / superseded / revoked / failed (a notice of failed
  verification) / not_found (``jiliang.verification.selectors.certificate_status``);
- ``number``: the certificate's number. Not in the issue's list, shown on purpose: a forger can copy the QR code
  of a genuine certificate onto a forged one, and the person who scans it must be able to compare the number on
  the paper with the number the platform answers for. It reveals nothing the paper does not show, and a number
  alone cannot be looked up faster than the rate limit allows;
- ``kind`` and ``kind_label``: verification certificate, notice of failed verification, calibration certificate;
- ``instrument``: the kind of instrument (the catalog item's kind, else the instrument's name) — never its serial
  number, model or readings;
- ``owner``: the user's name, partly masked (``jiliang.portal.masking``) — never its address or credit code;
- ``issued_on``, ``valid_until``, ``institute`` (the issuing institute's name);
- ``superseded_by``: for a superseded certificate, the number of the certificate that replaces it;
- ``revoked_on``: for a revoked certificate, the day it was revoked. The reason stays internal: it may name a
  person's mistake or a suspicion about the user, which the public has no need to know; that the certificate
  must not be relied on, and since when, is what the public needs;
- ``signature_valid``: whether the stored document still verifies against its Ed25519 signature with one of the
  platform's keys (``jiliang.metrology.signing.verify_signed``), i.e. nobody changed it in the database.

Not found answers the same keys, with ``status`` "not_found" and every other value empty.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from datetime import date
from typing import Any

from django.utils import timezone

from jiliang.metrology import signing
from jiliang.verification import documents, keys
from jiliang.verification.models import Certificate
from jiliang.verification.selectors import CertificateStatus, certificate_status

from .masking import mask_name

ANSWER_KEYS = (
    "status",
    "status_label",
    "number",
    "kind",
    "kind_label",
    "instrument",
    "owner",
    "issued_on",
    "valid_until",
    "institute",
    "superseded_by",
    "revoked_on",
    "signature_valid",
)

# The columns the answer needs, in one query: the certificate with its institute, owner, instrument and catalog
# item, its revocation and the certificate superseding it (both reverse one-to-one, so a LEFT JOIN each). The
# canonical document is left out: it is read only when the signature is verified, once per certificate.
_FIELDS = (
    "number",
    "kind",
    "issued_on",
    "valid_until",
    "token",
    "signature",
    "key_id",
    "institute__name",
    "owner__name",
    "instrument__name",
    "instrument__catalog_item__kind",
    "revocation__revoked_at",
    "superseded_by__number",
)


def _certificates():
    return Certificate.objects.select_related(
        "institute", "owner", "instrument__catalog_item", "revocation", "superseded_by"
    ).only(*_FIELDS)


# Tokens are ``secrets.token_urlsafe`` (Base64url); anything else cannot be one and is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,43}")
# The same for the API's path parameter (OpenAPI / pydantic: ``$`` is the end of the text there).
TOKEN_PATTERN = "^" + _TOKEN.pattern + "$"


def _one(**unique: str) -> Certificate | None:
    try:
        return _certificates().get(**unique)
    except Certificate.DoesNotExist:
        return None


def certificate_by_token(token: str) -> Certificate | None:
    """The certificate a QR code points at; None for an unknown token. One query."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return _one(token=token)


def normalize_number(text: str) -> str:
    """A typed number as stored: full-width characters made half-width (phones type them), trimmed, upper case.

    Numbers are issued in upper case (``jiliang.verification.services.certificate_number``), so an exact match
    on the upper-cased text is a case-insensitive match that still uses the unique index.

    >>> normalize_number("  csjl－２０２６－jd－000001 ")
    'CSJL-2026-JD-000001'
    """
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def certificate_by_number(number: str) -> Certificate | None:
    """The certificate with this number (see ``normalize_number``); None when there is none. One query."""
    number = normalize_number(number)
    if not number or "\x00" in number or len(number) > Certificate._meta.get_field("number").max_length:
        return None
    return _one(number=number)


# Signature results per certificate. A certificate never changes (services refuse it, PostgreSQL refuses it in a
# trigger), so its signature's validity never changes either; its status can (a revocation, a supersession), so
# only the signature is kept. Keyed by id and token: the token is random and unique, so a reused id (a test
# database rolled back) never answers for another certificate. Bounded, oldest out first.
_SIGNATURES: OrderedDict[tuple[int, str], bool] = OrderedDict()
_SIGNATURES_MAX = 50_000
_lock = threading.Lock()


def signature_valid(certificate: Certificate) -> bool:
    """Whether the stored document verifies against its signature with one of the platform's keys (cached)."""
    key = (certificate.pk, certificate.token)
    with _lock:
        if key in _SIGNATURES:
            return _SIGNATURES[key]
    # Reads the document (deferred by the public queries) and the keys: two small queries, once.
    result = signing.verify_signed(documents.signed_file(certificate), trusted_keys=keys.trusted_keys()).valid
    with _lock:
        _SIGNATURES[key] = result
        while len(_SIGNATURES) > _SIGNATURES_MAX:
            _SIGNATURES.popitem(last=False)
    return result


def forget_signatures() -> None:
    """Empty the signature cache (tests)."""
    with _lock:
        _SIGNATURES.clear()


def public_answer(certificate: Certificate | None, today: date) -> dict[str, Any]:
    """The public answer for ``certificate`` on ``today`` (see the module docstring); None → not found."""
    if certificate is None:
        answer: dict[str, Any] = dict.fromkeys(ANSWER_KEYS)
        answer["status"] = CertificateStatus.NOT_FOUND.value
        answer["status_label"] = str(CertificateStatus.NOT_FOUND.label)
        return answer
    status = CertificateStatus(certificate_status(certificate, today))
    item = certificate.instrument.catalog_item
    revoked_on = None
    superseded_by = None
    if status == CertificateStatus.REVOKED:
        revoked_on = timezone.localdate(certificate.revocation.revoked_at)
    elif status == CertificateStatus.SUPERSEDED:
        superseded_by = certificate.superseded_by.number
    return {
        "status": status.value,
        "status_label": str(status.label),
        "number": certificate.number,
        "kind": certificate.kind,
        "kind_label": str(Certificate.Kind(certificate.kind).label),
        "instrument": item.kind if item is not None else certificate.instrument.name,
        "owner": mask_name(certificate.owner.name),
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "institute": certificate.institute.name,
        "superseded_by": superseded_by,
        "revoked_on": revoked_on,
        "signature_valid": signature_valid(certificate),
    }
