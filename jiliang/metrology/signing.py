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

>>> key = private_key_from_seed(bytes(32))
>>> signed = sign_document({"number": "CS01-2026-JD-000001", "kind": "verification"}, key)
>>> signed["signature"]["algorithm"], signed["signature"]["key_id"]
('Ed25519', '139e3940e64b5491')
>>> verify_signed(signed).valid
True
>>> signed["certificate"]["number"] = "CS01-2026-JD-000002"
>>> verify_signed(signed).reason
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


def verify_signed(signed: Any, *, trusted_keys: dict[str, str] | None = None) -> Verification:
    """Check a signed file. ``trusted_keys`` (key id → Base64 public key), when given, must hold the signing key:
    a valid signature by an unknown key proves only that the file was not changed since someone signed it."""
    if not isinstance(signed, dict) or not isinstance(signed.get("certificate"), dict):
        return Verification(False, "not a signed certificate: no certificate object")
    sig = signed.get("signature")
    if not isinstance(sig, dict):
        return Verification(False, "not a signed certificate: no signature object")
    if sig.get("algorithm") != ALGORITHM:
        return Verification(False, f"unsupported algorithm {sig.get('algorithm')!r}")
    if sig.get("canonical_form") != f"{FORMAT}/{CANONICAL_VERSION}":
        return Verification(False, f"unsupported canonical form {sig.get('canonical_form')!r}")
    try:
        raw_public = base64.b64decode(str(sig.get("public_key", "")), validate=True)
        raw_signature = base64.b64decode(str(sig.get("value", "")), validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw_public)
    except (binascii.Error, ValueError):
        return Verification(False, "the public key or the signature is not valid Base64 of the right length")
    kid = key_id(public)
    if sig.get("key_id") != kid:
        return Verification(False, "the key id does not belong to the public key", kid)
    if trusted_keys is not None and trusted_keys.get(kid) != b64(raw_public):
        return Verification(False, f"key {kid} is not one of this platform's signing keys", kid)
    try:
        data = canonical_bytes(signed["certificate"])
    except NotCanonical as exc:
        return Verification(False, f"the document is not in canonical form: {exc}", kid)
    try:
        public.verify(raw_signature, data)
    except InvalidSignature:
        return Verification(False, "the signature does not match the document", kid)
    return Verification(True, "", kid)
