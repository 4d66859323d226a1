"""The platform's certificate-signing key and the public keys it has used.

The private key is a PEM file (PKCS#8, unencrypted) at ``settings.JILIANG_SIGNING_KEY_FILE``. In development the
file is created on first use; in production the operator creates it (``manage.py verify_certificate`` needs only
the public keys, which live in the database as :class:`SigningKey` rows so that certificates signed with a retired
key still verify).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jiliang.metrology import signing

from .models import SigningKey

_lock = threading.Lock()
_cache: dict[str, Ed25519PrivateKey] = {}


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured(f"{path} does not hold an Ed25519 private key")
        return key
    if not (settings.DEBUG or getattr(settings, "JILIANG_DEV", False) or os.environ.get("JILIANG_DEV")):
        raise ImproperlyConfigured(
            f"The certificate-signing key {path} does not exist. Create one (see docs/certificates.md) and set "
            "JILIANG_SIGNING_KEY_FILE."
        )
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # Written with owner-only permissions, atomically: two processes starting at once keep the first file.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return _load_or_create(path)


def signing_key() -> Ed25519PrivateKey:
    """The current private key; its public half is registered as a :class:`SigningKey` row on first use."""
    path = Path(settings.JILIANG_SIGNING_KEY_FILE)
    with _lock:
        key = _cache.get(str(path))
        if key is None:
            key = _load_or_create(path)
            _cache[str(path)] = key
    SigningKey.objects.get_or_create(
        key_id=signing.key_id(key), defaults={"public_key": signing.b64(signing.public_key_raw(key))}
    )
    return key


def trusted_keys() -> dict[str, str]:
    """Key id → Base64 public key, for every key this platform has signed with (retired ones included)."""
    return dict(SigningKey.objects.values_list("key_id", "public_key"))
