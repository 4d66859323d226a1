"""What the public check reads and answers. No login, no scope: the answer itself is what is safe to show.

Every statement of the answer comes from a signed document whose signature verifies with a trusted key
(``jiliang.verification.keys.trusted_keys``: the key files on disk, never a database table) — the certificate's
own document, its signed revocation, the signed document of the certificate that supersedes it — and never from
the columns beside them, which anyone with write access to the database could change without a signature
noticing. Issued rows cannot be updated or deleted either (triggers on PostgreSQL and SQLite); the signatures are
what still holds when someone got past those.

The answer (``public_answer``) holds ONLY:

- ``status`` and ``status_label``: valid / expired / superseded / revoked / failed (a notice of failed
  verification) / not_found (``jiliang.verification.selectors.certificates.certificate_status``, applied to the
  signed facts), or **signature_failed** (below);
- ``number``: the certificate's number. Not in the issue's list, shown on purpose: a forger can copy the QR code
  of a genuine certificate onto a forged one, and the person who scans it must be able to compare the number on
  the paper with the number the platform answers for. It reveals nothing the paper does not show, and a number
  alone cannot be looked up faster than the rate limit allows;
- ``kind`` and ``kind_label``: verification certificate, notice of failed verification, calibration certificate;
- ``instrument``: the kind of instrument (the catalog item's kind, else the instrument's name);
- ``model`` and ``serial_number``: the instrument's model (型号规格) and factory number (出厂编号), as the signed
  document states them. Shown (issue 14) so that a shopper can match the certificate to the scale in front of them:
  both are printed on the instrument's own nameplate, so they reveal nothing that standing at the counter does not.
  Never its readings;
- ``owner``: the user's name, partly masked (``jiliang.portal.masking``) — never its address or credit code;
- ``issued_on``, ``valid_until``, ``institute`` (the issuing institute's name);
- ``superseded_by``: for a superseded certificate, the number of the certificate that replaces it (from that
  certificate's signed document, which names the number it supersedes);
- ``revoked_on``: for a revoked certificate, the day it was revoked (from the signed revocation). The reason stays
  internal: it may name a person's mistake or a suspicion about the user, which the public has no need to know;
  that the certificate must not be relied on, and since when, is what the public needs;
- ``stopped_by`` and ``stopped_on``: when the instrument is stopped as failed (停用（检定不合格）, issue 13) by a
  notice of failed verification other than this certificate, that notice's number and its verification's date,
  from the notice's own signed document, which must name the same instrument (owner's credit code, catalog code,
  serial number) and a verification on or after this certificate's. A valid or expired certificate then answers
  **stopped** (器具已停用（检定不合格）): the certificate is genuine, but the instrument failed since and must not
  be used. Which notice stops the instrument is the registry's (``Instrument.failure_notice``, kept by
  verification's services, like the revocation and supersession rows); its content is the notice's signed word;
- ``stops_instrument``: True for a notice of failed verification that is the one the instrument is stopped by
  (the page then says it is stopped), False otherwise;
- ``signature_valid``: True when every record the answer rests on verified; False for ``signature_failed``.

**signature_failed** (签名验证未通过): the platform holds a row for what was looked up, but it does not verify —
the certificate's document does not match its signature, is signed by a key the platform does not trust, names
another token or number than the one looked up (rows swapped), or has duplicate keys; or a revocation or
supersession row exists for it whose signed document does not verify or does not name this certificate. The
answer then states nothing else (every other value empty): whatever the row says is unproven. The page says so
plainly, and tells the reader not to rely on the certificate and to contact the institute.

Not found answers the same keys, with ``status`` "not_found" and every other value empty.

Cost: one query per check (the certificate; its revocation, its successor and the notice its instrument is stopped
by as three scalar subqueries).
Parsing a document and verifying its signature happen once per distinct stored content: the results are kept by
the SHA-256 of (the stored document text, the signature, the key id, the trusted public key), so a repeat check
hashes three short texts and verifies nothing, and a document changed in the database is a new key — verified
afresh on its next check, never answered from a stale entry. (The stored text is hashed rather than its canonical
bytes because the text determines the canonical bytes, and a repeat check should not have to parse the document
to find its cache entry.)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from jiliang.instruments.models import Instrument
from jiliang.metrology import signing
from jiliang.verification import keys
from jiliang.verification.formats import documents
from jiliang.verification.models import Certificate, CertificateRevocation
from jiliang.verification.selectors.certificates import CertificateStatus, certificate_status
from jiliang.verification.services.records import KIND_CODES

from .masking import mask_name
from .memo import Memo

ANSWER_KEYS = (
    "status",
    "status_label",
    "number",
    "kind",
    "kind_label",
    "instrument",
    "model",
    "serial_number",
    "owner",
    "issued_on",
    "valid_until",
    "institute",
    "superseded_by",
    "revoked_on",
    "stopped_by",
    "stopped_on",
    "stops_instrument",
    "signature_valid",
)

# The public check's own status, beside CertificateStatus's: a record that fails its signature check.
SIGNATURE_FAILED = "signature_failed"
SIGNATURE_FAILED_LABEL = _("签名验证未通过")
# And a genuine valid (or expired) certificate of an instrument stopped as failed since.
STOPPED = "stopped"
STOPPED_LABEL = _("器具已停用（检定不合格）")
STATUS_VALUES = (*CertificateStatus.values, SIGNATURE_FAILED, STOPPED)


@dataclass(frozen=True, slots=True)
class PublicCertificate:
    """A certificate as the public check found it: ``verified`` and the facts its signed records state, or not
    verified (every fact None).

    It answers ``revocation`` and ``superseded_by`` like a :class:`Certificate` loaded with ``select_related``
    (the related row, or ``DoesNotExist``), so that ``certificate_status`` — the one rule of a certificate's
    standing — judges it as it judges a model instance.
    """

    pk: int
    verified: bool
    number: str | None = None
    kind: str | None = None
    issued_on: date | None = None
    valid_until: date | None = None
    institute_name: str | None = None
    owner_name: str | None = None
    instrument_name: str | None = None
    model: str | None = None
    serial_number: str | None = None
    revoked_on: date | None = None
    superseded_by_number: str | None = None
    # The notice of failed verification the instrument is stopped by: its number and verification date (another
    # certificate), or ``stops_instrument`` (this one).
    stopped_by_number: str | None = None
    stopped_on: date | None = None
    stops_instrument: bool = False

    @property
    def revocation(self) -> PublicCertificate:
        if self.revoked_on is None:
            raise CertificateRevocation.DoesNotExist
        return self

    @property
    def superseded_by(self) -> PublicCertificate:
        if self.superseded_by_number is None:
            raise Certificate.DoesNotExist
        return self


# ---- signed facts, verified once per stored content ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedCertificate:
    """What a verified certificate document states (the parts the public check needs)."""

    number: str
    kind: str
    issued_on: date
    valid_until: date | None
    supersedes: str | None
    token: str
    institute: str
    owner: str
    instrument: str
    model: str
    sha256: str
    # Which instrument (owner's credit code, catalog code, serial number) and the verification's date.
    identity: tuple[str, str, str]
    performed_on: date


@dataclass(frozen=True, slots=True)
class SignedRevocation:
    """What a verified revocation document states."""

    certificate: str
    certificate_sha256: str
    revoked_on: date


_FAILS = object()


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a text value was expected")
    return value


def _day(value: Any) -> date:
    return date.fromisoformat(_str(value))


def _read_certificate(document: Any) -> SignedCertificate:
    """The facts of a certificate document (raises KeyError/TypeError/ValueError on a document that is not one)."""
    if document.get("format") != signing.FORMAT or document.get("version") not in documents.KNOWN_DOCUMENT_VERSIONS:
        raise ValueError("not a certificate document of a known version")
    kind = _str(document["kind"])
    if kind not in Certificate.Kind.values:
        raise ValueError("unknown kind")
    instrument = document["instrument"]
    supersedes = document["supersedes"]
    return SignedCertificate(
        number=_str(document["number"]),
        kind=kind,
        issued_on=_day(document["issued_on"]),
        valid_until=None if document["valid_until"] is None else _day(document["valid_until"]),
        supersedes=None if supersedes is None else _str(supersedes),
        # The QR URL ends in the token: /check/c/<token>/ (the base URL may have moved since).
        token=_str(document["public_check"]).rstrip("/").rsplit("/", 1)[-1],
        institute=_str(document["institute"]["name"]),
        owner=_str(document["owner"]["name"]),
        instrument=_str(instrument["catalog_kind"] or instrument["name"]),
        model=_str(instrument["model"] or ""),
        sha256=signing.document_sha256(document),
        identity=(
            _str(document["owner"]["credit_code"]),
            _str(instrument["catalog_code"] or ""),
            _str(instrument["serial_number"]),
        ),
        performed_on=_day(document["performed_on"]),
    )


def _read_revocation(document: Any) -> SignedRevocation:
    if document.get("format") != signing.REVOCATION_FORMAT or document.get("version") != documents.REVOCATION_VERSION:
        raise ValueError("not a revocation document of a known version")
    # The time carries the platform's offset: its date is the day of the revocation where it was made.
    return SignedRevocation(
        certificate=_str(document["certificate"]),
        certificate_sha256=_str(document["certificate_sha256"]),
        revoked_on=datetime.fromisoformat(_str(document["revoked_at"])).date(),
    )


_READERS = {"certificate": _read_certificate, "revocation": _read_revocation}

# Verified facts (or _FAILS) by the SHA-256 of what they were read from. Bounded, least recently used out first.
_SIGNATURES: Memo[bytes, Any] = Memo(50_000)


def verified(what: str, text: str | None, signature: str, key_id: str, trusted: dict[str, str]) -> Any:
    """The facts of a stored signed document (``what``: "certificate" or "revocation") when its signature
    verifies with the trusted key it names, else ``_FAILS``. Cached by content (see the module docstring)."""
    public = trusted.get(key_id or "")
    if public is None or text is None:
        return _FAILS
    digest = hashlib.sha256("\x00".join((what, text, signature or "", key_id, public)).encode()).digest()
    facts = _SIGNATURES.get(digest)
    if facts is not None:
        return facts
    try:
        document = signing.loads(text)
        facts = _FAILS
        if isinstance(document, dict) and signing.signature_matches(document, signature or "", public):
            facts = _READERS[what](document)
    except (KeyError, TypeError, ValueError, AttributeError):
        facts = _FAILS
    _SIGNATURES.put(digest, facts)
    return facts


def forget_signatures() -> None:
    """Empty the cache of verified documents (tests, benchmarks)."""
    _SIGNATURES.clear()


# ---- the look-up ----------------------------------------------------------------------------------------------------


def _select_sql(column: str) -> str:
    """The one query (from the models' table and column names): the certificate's stored document, signature and
    key id; and, as two scalar subqueries, those of its revocation and of the certificate that supersedes it (each
    at most one: one-to-one), each as one text ``"<key id> <signature> <document>"`` (a key id is hexadecimal and
    a signature Base64: neither holds a space). Nothing else is read: every statement comes from the documents.

    Why this shape: on PostgreSQL, planning two LEFT JOINs cost about 0.16 ms a check (EXPLAIN ANALYZE on the bench
    database), two scalar subqueries less than half of that; six (one per column) cost more than the joins."""
    q = connection.ops.quote_name
    text = "::text" if connection.vendor == "postgresql" else ""

    def col(model, field: str, alias: str) -> str:
        return f"{alias}.{q(model._meta.get_field(field).column)}"

    def signed(model, alias: str) -> str:
        return (
            f"{col(model, 'key_id', alias)} || ' ' || {col(model, 'signature', alias)}"
            f" || ' ' || {col(model, 'document', alias)}{text}"
        )

    cert, rev, ins = Certificate, CertificateRevocation, Instrument
    # Only identifiers from the models' metadata; the value is a parameter.
    return (
        f"SELECT {col(cert, 'id', 'c')}, {col(cert, 'document', 'c')}{text},"  # noqa: S608
        f" {col(cert, 'signature', 'c')}, {col(cert, 'key_id', 'c')},"
        f" (SELECT {signed(rev, 'r')} FROM {q(rev._meta.db_table)} r"
        f" WHERE {col(rev, 'certificate', 'r')} = {col(cert, 'id', 'c')}),"
        f" (SELECT {signed(cert, 's')} FROM {q(cert._meta.db_table)} s"
        f" WHERE {col(cert, 'supersedes', 's')} = {col(cert, 'id', 'c')}),"
        f" (SELECT {col(cert, 'id', 'n')} || ' ' || {signed(cert, 'n')} FROM {q(cert._meta.db_table)} n"
        f" JOIN {q(ins._meta.db_table)} i ON {col(ins, 'failure_notice', 'i')} = {col(cert, 'id', 'n')}"
        f" WHERE {col(ins, 'id', 'i')} = {col(cert, 'instrument', 'c')})"
        f" FROM {q(cert._meta.db_table)} c"
        f" WHERE {col(cert, column, 'c')} = %s"
    )


def _split(packed: str) -> tuple[str | None, str, str]:
    """(document text, signature, key id) from a subquery's ``"<key id> <signature> <document>"``."""
    parts = packed.split(" ", 2)
    if len(parts) != 3:
        return None, "", ""
    return parts[2], parts[1], parts[0]


# Built on first use (the quoting depends on the database), once per column and vendor.
_SQL: dict[tuple[str, str], str] = {}


def _one(column: str, value: str) -> PublicCertificate | None:
    """The certificate whose ``column`` is ``value``, judged by its signed records; None when there is none.

    One query through the ORM's connection, without the ORM's per-query compilation (the public check is the
    platform's busiest page). The row is found by an unsigned column, so the signed document must name what was
    looked up: the token of its QR URL, or its number."""
    key = (connection.vendor, column)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = _select_sql(column)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, text, signature, key_id, revocation_row, successor_row, stop_row = row
    failed = PublicCertificate(pk=pk, verified=False)
    trusted = keys.trusted_keys()
    facts = verified("certificate", text, signature, key_id, trusted)
    if facts is _FAILS or (facts.token if column == "token" else facts.number) != value:
        return failed
    revoked_on = None
    if revocation_row is not None:
        revocation = verified("revocation", *_split(revocation_row), trusted)
        if (
            revocation is _FAILS
            or revocation.certificate != facts.number
            or revocation.certificate_sha256 != facts.sha256
        ):
            return failed
        revoked_on = revocation.revoked_on
    superseded_by = None
    if successor_row is not None:
        successor = verified("certificate", *_split(successor_row), trusted)
        if successor is _FAILS or successor.supersedes != facts.number:
            return failed
        superseded_by = successor.number
    stopped_by, stopped_on, stops_instrument = None, None, False
    if stop_row is not None:
        notice_id, _space, packed = stop_row.partition(" ")
        if notice_id == str(pk):
            stops_instrument = facts.kind == Certificate.Kind.FAILURE_NOTICE
        else:
            notice = verified("certificate", *_split(packed), trusted)
            if (
                notice is _FAILS
                or notice.kind != Certificate.Kind.FAILURE_NOTICE
                or notice.identity != facts.identity
                or notice.performed_on < facts.performed_on
            ):
                return failed
            stopped_by, stopped_on = notice.number, notice.performed_on
    return PublicCertificate(
        pk=pk,
        verified=True,
        number=facts.number,
        kind=facts.kind,
        issued_on=facts.issued_on,
        valid_until=facts.valid_until,
        institute_name=facts.institute,
        owner_name=facts.owner,
        instrument_name=facts.instrument,
        model=facts.model,
        serial_number=facts.identity[2],
        revoked_on=revoked_on,
        superseded_by_number=superseded_by,
        stopped_by_number=stopped_by,
        stopped_on=stopped_on,
        stops_instrument=stops_instrument,
    )


# Tokens are ``secrets.token_urlsafe`` (Base64url); anything else cannot be one and is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,43}")
# The same for the API's path parameter (OpenAPI / pydantic: ``$`` is the end of the text there).
TOKEN_PATTERN = "^" + _TOKEN.pattern + "$"


def certificate_by_token(token: str) -> PublicCertificate | None:
    """The certificate a QR code points at; None for an unknown token. One query."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return _one("token", token)


# A certificate number (``jiliang.verification.services.records.certificate_number``):
# ``<institute code>-<year>-<kind code>-<sequence of 6 digits or more>``, e.g. ``YCJL-2026-JD-000142``.
_NUMBER = re.compile(
    rf"(?P<code>[A-Z0-9]+?)(?P<year>\d{{4}})(?P<kind>{'|'.join(KIND_CODES.values())})(?P<seq>\d{{6,}})"
)
_CANONICAL = re.compile(rf".+-\d{{4}}-(?:{'|'.join(KIND_CODES.values())})-\d{{6,}}")
# What people type between the parts, or paste: spaces of any width and dashes of any length.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff0d_]+")


def normalize_number(text: str) -> str:
    """A typed number in the form it was issued in, so that one look-up on the unique index finds it whatever the
    case, the spaces and the dashes typed: full-width characters made half-width (phones type them), upper case,
    and when the text without spaces and dashes is a number of the platform's format, that number with its dashes
    where ``certificate_number`` puts them. Text of another shape (an old or a foreign number) is kept as typed,
    trimmed and in upper case.

    >>> normalize_number("  csjl－２０２６－jd－000001 ")
    'CSJL-2026-JD-000001'
    >>> normalize_number("ycjl2026jd000142")
    'YCJL-2026-JD-000142'
    >>> normalize_number("YCJL 2026 JD 000142")
    'YCJL-2026-JD-000142'
    >>> normalize_number("i12-2026tz-1234567")
    'I12-2026-TZ-1234567'
    >>> normalize_number("AB-CD-2026-JZ-000007")
    'AB-CD-2026-JZ-000007'
    >>> normalize_number("no. 42")
    'NO. 42'
    """
    typed = unicodedata.normalize("NFKC", text or "").strip().upper()
    if _CANONICAL.fullmatch(typed):
        return typed  # already as issued (an institute code may hold a dash of its own)
    match = _NUMBER.fullmatch(_SEPARATORS.sub("", typed))
    if match is None:
        return typed
    return "-".join(match.group("code", "year", "kind", "seq"))


def certificate_by_number(number: str) -> PublicCertificate | None:
    """The certificate with this number (see ``normalize_number``); None when there is none. One query."""
    number = normalize_number(number)
    if not number or "\x00" in number or len(number) > Certificate._meta.get_field("number").max_length:
        return None
    return _one("number", number)


def public_answer(certificate: PublicCertificate | None, today: date) -> dict[str, Any]:
    """The public answer for ``certificate`` on ``today`` (see the module docstring); None → not found."""
    answer: dict[str, Any] = dict.fromkeys(ANSWER_KEYS)
    if certificate is None:
        answer["status"] = CertificateStatus.NOT_FOUND.value
        answer["status_label"] = str(CertificateStatus.NOT_FOUND.label)
        return answer
    if not certificate.verified:
        answer["status"] = SIGNATURE_FAILED
        answer["status_label"] = str(SIGNATURE_FAILED_LABEL)
        answer["signature_valid"] = False
        return answer
    status = CertificateStatus(certificate_status(certificate, today))
    stopped = certificate.stopped_by_number is not None and status in (
        CertificateStatus.VALID,
        CertificateStatus.EXPIRED,
    )
    answer.update(
        status=STOPPED if stopped else status.value,
        status_label=str(STOPPED_LABEL if stopped else status.label),
        number=certificate.number,
        kind=certificate.kind,
        kind_label=str(Certificate.Kind(certificate.kind).label),
        instrument=certificate.instrument_name,
        model=certificate.model or None,
        serial_number=certificate.serial_number,
        owner=mask_name(certificate.owner_name),
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        institute=certificate.institute_name,
        superseded_by=certificate.superseded_by_number if status == CertificateStatus.SUPERSEDED else None,
        revoked_on=certificate.revoked_on if status == CertificateStatus.REVOKED else None,
        stopped_by=certificate.stopped_by_number if stopped else None,
        stopped_on=certificate.stopped_on if stopped else None,
        stops_instrument=certificate.stops_instrument and status == CertificateStatus.FAILED,
        signature_valid=True,
    )
    return answer
