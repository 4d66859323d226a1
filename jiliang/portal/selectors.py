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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiliang.metrology import signing
from jiliang.verification import documents, keys
from jiliang.verification.models import Certificate, CertificateRevocation
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


@dataclass(frozen=True, slots=True)
class PublicCertificate:
    """A certificate as the public check reads it: the columns its answer needs, from one query.

    It answers ``revocation`` and ``superseded_by`` like a :class:`Certificate` loaded with ``select_related``
    (the related row, or ``DoesNotExist``), so that ``certificate_status`` — the one rule of a certificate's
    standing — judges it as it judges a model instance.
    """

    pk: int
    number: str
    kind: str
    issued_on: date
    valid_until: date | None
    token: str
    institute_name: str
    owner_name: str
    instrument_name: str
    catalog_kind: str | None
    revoked_at: datetime | None
    superseded_by_number: str | None

    @property
    def revocation(self) -> PublicCertificate:
        if self.revoked_at is None:
            raise CertificateRevocation.DoesNotExist
        return self

    @property
    def superseded_by(self) -> PublicCertificate:
        if self.superseded_by_number is None:
            raise Certificate.DoesNotExist
        return self


def _document_field(path: tuple[str, str]) -> str:
    """One text value of the certificate's canonical document, in the database's own JSON syntax."""
    if connection.vendor == "postgresql":
        return f"c.document->'{path[0]}'->>'{path[1]}'"
    return f"json_extract(c.document, '$.{path[0]}.{path[1]}')"


def _select_sql(column: str) -> str:
    """The one query (from the models' table and column names): the certificate; the institute's, owner's and
    instrument's names and the catalog item's kind *as the signed document states them* (what the certificate
    says is what the public is told); its revocation's time and the number of the certificate that supersedes it
    (both at most one: one-to-one), as scalar subqueries.

    Why this shape: joining the organization, instrument and catalog tables made PostgreSQL spend about 1.2 ms
    planning a seven-table join for 0.1 ms of work; reading the names from the document and the two small
    relations as subqueries plans in under 0.1 ms (measured on the bench database, EXPLAIN ANALYZE)."""
    q = connection.ops.quote_name

    def table(model) -> str:
        return q(model._meta.db_table)

    def col(model, field: str) -> str:
        return q(model._meta.get_field(field).column)

    cert, rev = Certificate, CertificateRevocation
    # Only identifiers from the models' metadata and fixed document paths; the value is a parameter.
    return (
        f"SELECT c.{col(cert, 'id')}, c.{col(cert, 'number')}, c.{col(cert, 'kind')},"  # noqa: S608
        f" c.{col(cert, 'issued_on')}, c.{col(cert, 'valid_until')}, c.{col(cert, 'token')},"
        f" {_document_field(('institute', 'name'))}, {_document_field(('owner', 'name'))},"
        f" {_document_field(('instrument', 'name'))}, {_document_field(('instrument', 'catalog_kind'))},"
        f" (SELECT r.{col(rev, 'revoked_at')} FROM {table(rev)} r WHERE r.{col(rev, 'certificate')} = c.{col(cert, 'id')}),"
        f" (SELECT s.{col(cert, 'number')} FROM {table(cert)} s WHERE s.{col(cert, 'supersedes')} = c.{col(cert, 'id')})"
        f" FROM {table(cert)} c"
        f" WHERE c.{col(cert, column)} = %s"
    )


# Built on first use (the quoting depends on the database), once per column and vendor.
_SQL: dict[tuple[str, str], str] = {}


def _one(column: str, value: str) -> PublicCertificate | None:
    """One query through the ORM's connection, without the ORM's per-query compilation (the public check is the
    platform's busiest page; compiling a six-table ``select_related`` cost more than running it)."""
    key = (connection.vendor, column)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = _select_sql(column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    revoked_at = row[10]
    if isinstance(revoked_at, str):  # SQLite: a subquery's value comes without its column's declared type
        revoked_at = parse_datetime(revoked_at)
    if revoked_at is not None and timezone.is_naive(revoked_at):  # SQLite keeps UTC without a zone
        revoked_at = timezone.make_aware(revoked_at, UTC)
    return PublicCertificate(*row[:10], revoked_at, row[11])


# Tokens are ``secrets.token_urlsafe`` (Base64url); anything else cannot be one and is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,43}")
# The same for the API's path parameter (OpenAPI / pydantic: ``$`` is the end of the text there).
TOKEN_PATTERN = "^" + _TOKEN.pattern + "$"


def certificate_by_token(token: str) -> PublicCertificate | None:
    """The certificate a QR code points at; None for an unknown token. One query."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return _one("token", token)


def normalize_number(text: str) -> str:
    """A typed number as stored: full-width characters made half-width (phones type them), trimmed, upper case.

    Numbers are issued in upper case (``jiliang.verification.services.certificate_number``), so an exact match
    on the upper-cased text is a case-insensitive match that still uses the unique index.

    >>> normalize_number("  csjl－２０２６－jd－000001 ")
    'CSJL-2026-JD-000001'
    """
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def certificate_by_number(number: str) -> PublicCertificate | None:
    """The certificate with this number (see ``normalize_number``); None when there is none. One query."""
    number = normalize_number(number)
    if not number or "\x00" in number or len(number) > Certificate._meta.get_field("number").max_length:
        return None
    return _one("number", number)


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
    # Reads the stored row (document, signature, key id), its key and the trusted keys: three small queries, once.
    stored = Certificate.objects.only("document", "signature", "key_id").get(pk=certificate.pk)
    result = signing.verify_signed(documents.signed_file(stored), trusted_keys=keys.trusted_keys()).valid
    with _lock:
        _SIGNATURES[key] = result
        while len(_SIGNATURES) > _SIGNATURES_MAX:
            _SIGNATURES.popitem(last=False)
    return result


def forget_signatures() -> None:
    """Empty the signature cache (tests)."""
    with _lock:
        _SIGNATURES.clear()


def public_answer(certificate: PublicCertificate | None, today: date) -> dict[str, Any]:
    """The public answer for ``certificate`` on ``today`` (see the module docstring); None → not found."""
    if certificate is None:
        answer: dict[str, Any] = dict.fromkeys(ANSWER_KEYS)
        answer["status"] = CertificateStatus.NOT_FOUND.value
        answer["status_label"] = str(CertificateStatus.NOT_FOUND.label)
        return answer
    status = CertificateStatus(certificate_status(certificate, today))
    revoked_on = None
    superseded_by = None
    if status == CertificateStatus.REVOKED:
        revoked_on = timezone.localdate(certificate.revoked_at)
    elif status == CertificateStatus.SUPERSEDED:
        superseded_by = certificate.superseded_by_number
    return {
        "status": status.value,
        "status_label": str(status.label),
        "number": certificate.number,
        "kind": certificate.kind,
        "kind_label": str(Certificate.Kind(certificate.kind).label),
        "instrument": certificate.catalog_kind or certificate.instrument_name,
        "owner": mask_name(certificate.owner_name),
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "institute": certificate.institute_name,
        "superseded_by": superseded_by,
        "revoked_on": revoked_on,
        "signature_valid": signature_valid(certificate),
    }
