"""The canonical form of a certificate and its Ed25519 signature.

Canonical form (version 1), the bytes that are signed:

* the document is a JSON object whose values are objects, arrays, strings, integers, ``true``, ``false`` and
  ``null`` only — no floating-point numbers (a measured value is a decimal string such as ``"0.0256"``, so no
  two implementations disagree on how to print it);
* serialised with object keys sorted by their Unicode code points, no insignificant whitespace (``,`` and ``:``
  separators), non-ASCII characters written as themselves (not ``\\u`` escapes), encoded as UTF-8;
* this is the subset of RFC 8785 (JSON Canonicalization Scheme) that a document without floats needs: for such
  documents the bytes are the same as RFC 8785's.

Signature: Ed25519 (RFC 8032) over those bytes. A signed file carries the document, the algorithm, the key id
(the first 16 hexadecimal digits of the SHA-256 of the 32-byte raw public key) and the public key and the
signature in standard Base64.

A signed file is verified only against keys the verifier already trusts (the institute's published public keys):
the public key inside the file says which key the signer *claims*, never which key is genuine — anyone can
re-sign a changed document with a key of their own and put that key in the file.

>>> key = private_key_from_seed(bytes(32))
>>> signed = sign_document({"number": "CS01-2026-JD-000001", "kind": "verification"}, key)
>>> signed["signature"]["algorithm"], signed["signature"]["key_id"]
('Ed25519', '139e3940e64b5491')
>>> published = {key_id(key): b64(public_key_raw(key))}
>>> verify_signed(signed, trusted_keys=published).valid
True
>>> verify_signed(signed, trusted_keys={}).reason
'key 139e3940e64b5491 is not one of the trusted keys'
>>> signed["certificate"]["number"] = "CS01-2026-JD-000002"
>>> verify_signed(signed, trusted_keys=published).reason
'the signature does not match the document'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "jiliang-certificate"
CANONICAL_VERSION = "1"
ALGORITHM = "Ed25519"
# A revocation is a document of its own, signed like a certificate (docs/certificates.md, "Revocations").
REVOCATION_FORMAT = "jiliang-revocation"


class NotCanonical(ValueError):
    """The document holds something the canonical form does not allow (a float, a non-string key …)."""


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, float):
        raise NotCanonical(f"{path}: floating-point numbers are not allowed; write the value as a decimal string")
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}: object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    raise NotCanonical(f"{path}: {type(value).__name__} is not a JSON value")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise NotCanonical(f"duplicate key {key!r}: a signed document names each key once")
        obj[key] = value
    return obj


def _refuse_constant(name: str) -> Any:
    raise NotCanonical(f"{name} is not a JSON value")


def loads(text: str | bytes) -> Any:
    """Read a signed file or a stored document: JSON in which no object names a key twice.

    Two readers disagree on ``{"valid_until": "2035-12-31", …, "valid_until": "2027-01-01"}``: Python keeps the
    last value (the one the signature covers once re-serialised), SQLite's ``json_extract`` and many others the
    first. A signed document must mean one thing to every reader, so a duplicate key makes it invalid. ``NaN``
    and ``Infinity`` (which Python's reader accepts) are refused as well.

    >>> loads('{"number": "CS01-2026-JD-000001", "valid_until": null}')
    {'number': 'CS01-2026-JD-000001', 'valid_until': None}
    >>> loads('{"valid_until": "2035-12-31", "valid_until": "2027-01-01"}')
    Traceback (most recent call last):
    ...
    jiliang.metrology.signing.NotCanonical: duplicate key 'valid_until': a signed document names each key once

    Raises :class:`NotCanonical` (a ``ValueError``), or ``ValueError`` for text that is not JSON at all.
    """
    return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)


def document_sha256(document: dict[str, Any]) -> str:
    """SHA-256 of the document's canonical bytes, in hexadecimal: what a revocation names as the document it
    revokes.

    >>> document_sha256({"number": "CS01-2026-JD-000001"})[:16]  # printf '{"number":"CS01-2026-JD-000001"}' | sha256sum
    '98d508375f2c089e'
    """
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no whitespace, UTF-8, no floats.

    >>> canonical_bytes({"b": "计量", "a": [1, None, True]})
    b'{"a":[1,null,true],"b":"\\xe8\\xae\\xa1\\xe9\\x87\\x8f"}'
    """
    if not isinstance(document, dict):
        raise NotCanonical("a certificate document is a JSON object")
    _check(document, "$")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key_raw(key)).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard Base64 (ValueError on anything else)."""
    return base64.b64decode(text, validate=True)


def sign_document(document: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed file: ``{"certificate": document, "signature": {...}}``."""
    signature = key.sign(canonical_bytes(document))
    return {
        "certificate": document,
        "signature": {
            "algorithm": ALGORITHM,
            "canonical_form": f"{FORMAT}/{CANONICAL_VERSION}",
            "key_id": key_id(key),
            "public_key": b64(public_key_raw(key)),
            "value": b64(signature),
        },
    }


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str = ""
    key_id: str = ""


def sign_canonical(document: dict[str, Any], key: Ed25519PrivateKey) -> tuple[str, str]:
    """(Base64 signature of the document's canonical bytes, key id): how a revocation is signed."""
    return b64(key.sign(canonical_bytes(document))), key_id(key)


def signature_matches(document: dict[str, Any], signature: str, public_key: str) -> bool:
    """Whether ``signature`` (Base64) is ``public_key``'s (Base64, trusted by the caller) over the document's
    canonical bytes. False for anything malformed (a float in the document, bad Base64, a wrong length)."""
    try:
        data = canonical_bytes(document)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        public.verify(base64.b64decode(signature, validate=True), data)
    except (NotCanonical, InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def verify_signed(signed: Any, *, trusted_keys: dict[str, str]) -> Verification:
    """Check a signed file against ``trusted_keys`` (key id → Base64 public key): the keys the verifier already
    holds as genuine, e.g. the institute's published keys. The key named in the file must be one of them; the
    public key the file carries is never trusted on its own (there is deliberately no default)."""
    if not isinstance(signed, dict) or not isinstance(signed.get("certificate"), dict):
        return Verification(False, "not a signed certificate: no certificate object")
    sig = signed.get("signature")
    if not isinstance(sig, dict):
        return Verification(False, "not a signed certificate: no signature object")
    if sig.get("algorithm") != ALGORITHM:
        return Verification(False, f"unsupported algorithm {sig.get('algorithm')!r}")
    if sig.get("canonical_form") != f"{FORMAT}/{CANONICAL_VERSION}":
        return Verification(False, f"unsupported canonical form {sig.get('canonical_form')!r}")
    kid = sig.get("key_id")
    if not isinstance(kid, str) or not kid:
        return Verification(False, "the signature names no key id")
    trusted = trusted_keys.get(kid)
    if trusted is None:
        return Verification(False, f"key {kid} is not one of the trusted keys", kid)
    embedded = sig.get("public_key")
    if embedded not in (None, "", trusted):
        return Verification(False, f"the public key in the file is not the trusted key {kid}", kid)
    try:
        raw_signature = base64.b64decode(str(sig.get("value", "")), validate=True)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted, validate=True))
    except (binascii.Error, ValueError):
        return Verification(False, "the signature is not valid Base64 of the right length", kid)
    if key_id(public) != kid:
        return Verification(False, f"trusted key {kid} does not have that key id", kid)
    try:
        data = canonical_bytes(signed["certificate"])
    except NotCanonical as exc:
        return Verification(False, f"the document is not in canonical form: {exc}", kid)
    try:
        public.verify(raw_signature, data)
    except InvalidSignature:
        return Verification(False, "the signature does not match the document", kid)
    return Verification(True, "", kid)
