"""The platform's certificate-signing key, and which public keys are trusted.

The private key is a PEM file (PKCS#8, unencrypted) at ``settings.JILIANG_SIGNING_KEY_FILE``. In development the
file is created on first use; in production the operator creates it (docs/certificates.md).

Trust comes from files on disk, never from the database: whoever can write to the database could add a key of
their own to a table and sign whatever they like with it. The trusted keys are

- the public half of the current signing key (``JILIANG_SIGNING_KEY_FILE``), and
- the public keys in ``settings.JILIANG_TRUSTED_KEYS_FILE`` — the file the institute publishes (format
  ``jiliang-public-keys``, written by ``manage.py export_public_keys``), which keeps retired keys so that
  certificates signed before a key rotation still verify.

:class:`SigningKey` rows record which keys have signed (shown in the admin); they are a record, not a root of trust.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jiliang.metrology import signing

from .models import SigningKey

PUBLIC_KEYS_FORMAT = "jiliang-public-keys"
PUBLIC_KEYS_VERSION = "1"

_lock = threading.Lock()
_cache: dict[str, Ed25519PrivateKey] = {}
# (signing key file, trusted keys file) → ((their stat signatures), trusted keys): the files are read again only
# when one of them changes, so a rotated key is trusted without a restart and a check costs two stat() calls.
_trusted: dict[tuple[str, str], tuple[tuple, dict[str, str]]] = {}


def _dev() -> bool:
    return bool(settings.DEBUG or getattr(settings, "JILIANG_DEV", False) or os.environ.get("JILIANG_DEV"))


def _read_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} does not hold an Ed25519 private key")
    return key


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return _read_private(path)
    if not _dev():
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


def private_key() -> Ed25519PrivateKey:
    """The current private key (created on first use in development only). Registers nothing."""
    path = Path(settings.JILIANG_SIGNING_KEY_FILE)
    with _lock:
        key = _cache.get(str(path))
        if key is None:
            key = _load_or_create(path)
            _cache[str(path)] = key
    return key


def signing_key() -> Ed25519PrivateKey:
    """The current private key; its public half is recorded as a :class:`SigningKey` row on first use."""
    key = private_key()
    SigningKey.objects.get_or_create(
        key_id=signing.key_id(key), defaults={"public_key": signing.b64(signing.public_key_raw(key))}
    )
    return key


def public_key_entry(public: Ed25519PublicKey | Ed25519PrivateKey) -> tuple[str, str]:
    """(key id, Base64 raw public key)."""
    return signing.key_id(public), signing.b64(signing.public_key_raw(public))


def parse_public_keys(data: Any, *, source: str) -> dict[str, str]:
    """Key id → Base64 public key from a published keys document (format ``jiliang-public-keys``, version 1).

    Every entry is checked: Ed25519, 32 bytes of Base64, and a key id that is that key's. A wrong entry makes the
    whole file wrong (ValueError naming ``source``): a trust list that is half right is not one to act on.
    """
    if not isinstance(data, dict) or data.get("format") != PUBLIC_KEYS_FORMAT:
        raise ValueError(f"{source}: not a {PUBLIC_KEYS_FORMAT} file")
    if data.get("version") != PUBLIC_KEYS_VERSION:
        raise ValueError(f"{source}: unknown version {data.get('version')!r} of {PUBLIC_KEYS_FORMAT}")
    entries = data.get("keys")
    if not isinstance(entries, list):
        raise ValueError(f"{source}: no list of keys")
    trusted: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or entry.get("algorithm") != signing.ALGORITHM:
            raise ValueError(f"{source}: key {n} is not an {signing.ALGORITHM} key")
        try:
            public = Ed25519PublicKey.from_public_bytes(signing.b64decode(str(entry.get("public_key", ""))))
        except ValueError as exc:
            raise ValueError(f"{source}: key {n}: the public key is not 32 bytes of Base64") from exc
        kid, b64 = public_key_entry(public)
        if entry.get("key_id") != kid:
            raise ValueError(f"{source}: key {n}: key id {entry.get('key_id')!r} is not that key's id ({kid})")
        trusted[kid] = b64
    return trusted


def read_public_keys_file(path: Path) -> dict[str, str]:
    """The keys of a published keys file (``parse_public_keys``), or of a PEM ``PUBLIC KEY`` file (what
    ``openssl pkey -pubout`` writes). Raises OSError or ValueError."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        public = serialization.load_pem_public_key(data)
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError(f"{path}: not an Ed25519 public key")
        kid, b64 = public_key_entry(public)
        return {kid: b64}
    return parse_public_keys(signing.loads(data.decode("utf-8")), source=str(path))


def public_keys_document(entries: dict[str, str], *, current: str | None) -> dict[str, Any]:
    """The published keys file for ``entries`` (key id → Base64), the current key marked ``current``."""
    return {
        "format": PUBLIC_KEYS_FORMAT,
        "version": PUBLIC_KEYS_VERSION,
        "keys": [
            {
                "algorithm": signing.ALGORITHM,
                "key_id": kid,
                "public_key": entries[kid],
                "status": "current" if kid == current else "retired",
            }
            for kid in sorted(entries, key=lambda k: (k != current, k))
        ],
    }


def _stat(path: str) -> tuple:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def trusted_keys() -> dict[str, str]:
    """Key id → Base64 public key: the current signing key's public half and the keys of the trusted keys file
    (retired ones included). Never creates a key; a missing file contributes nothing. A trusted keys file that
    cannot be read is a configuration error (ImproperlyConfigured), never an empty trust list in silence.

    Called on every public check: two ``stat()`` calls when nothing changed (plain strings: building ``Path``
    objects cost ten times more)."""
    key_path = str(settings.JILIANG_SIGNING_KEY_FILE)
    list_path = str(settings.JILIANG_TRUSTED_KEYS_FILE or "")
    stamp = (_stat(key_path), _stat(list_path) if list_path else ())
    cached = _trusted.get((key_path, list_path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    trusted: dict[str, str] = {}
    if stamp[1]:
        try:
            trusted.update(read_public_keys_file(Path(list_path)))
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(f"JILIANG_TRUSTED_KEYS_FILE {list_path}: {exc}") from exc
    if stamp[0]:
        kid, b64 = public_key_entry(_read_private(Path(key_path)))
        trusted[kid] = b64
    with _lock:
        _trusted[(key_path, list_path)] = (stamp, trusted)
    return trusted


def current_key_id() -> str | None:
    """The id of the current signing key, or None when there is no key file (never creates one)."""
    path = Path(settings.JILIANG_SIGNING_KEY_FILE)
    if not path.exists():
        return None
    return signing.key_id(_read_private(path))


def write_public_keys_file(path: Path, document: dict[str, Any]) -> None:
    """Write the published keys file atomically (readable by anyone: it holds public keys only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
