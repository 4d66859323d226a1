"""``manage.py verify_certificate FILE.json [--public-key-file KEYS] [--public-key BASE64] [--offline]``: verify one
signed certificate file (the JSON export, ``jiliang.verification.formats.documents.signed_file``).

Which keys are trusted — never the public key inside the file (anyone can re-sign a changed document with a key
of their own and put that key in the file):

- ``--public-key-file KEYS``: the keys in that file — the institute's published keys (``jiliang-public-keys``, as
  ``manage.py export_public_keys`` writes it) or a PEM public key (``openssl pkey -pubout``);
- ``--public-key BASE64``: that key (pinned); both options may be given, and ``--public-key`` more than once;
- with neither, on the platform's own server (a database reachable, not ``--offline``): this installation's
  trusted keys (``keys.trusted_keys()``: the signing key file and the trusted keys file, not the database);
- with neither and no database (or ``--offline``): nothing to check against — the command refuses.

The file is read strictly (``signing.loads``): a key named twice in one object makes it invalid.

Exit status: 0 the signature is valid, 1 it is not (or the file is not a signed certificate, or names a key twice),
2 the file cannot be read as JSON, a key given cannot be read, or there is no trusted key to check against.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from jiliang.core import clock
from jiliang.metrology import signing

UNREADABLE = 2
INVALID = 1
NO_KEY = (
    "no trusted public key to verify against: pass the institute's published keys with --public-key-file "
    "(or one key with --public-key). The public key inside the file is never trusted: anyone can re-sign a changed "
    "certificate with a key of their own."
)


def _pinned(raw: str) -> dict[str, str]:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(raw.strip(), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CommandError("--public-key is not the Base64 of a 32-byte Ed25519 public key", returncode=2) from exc
    return {signing.key_id(public): signing.b64(signing.public_key_raw(public))}


def _from_file(path: str) -> dict[str, str]:
    from jiliang.verification import keys

    try:
        return keys.read_public_keys_file(Path(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"--public-key-file {path}: {exc}", returncode=UNREADABLE) from exc


def _database_reachable() -> bool:
    try:
        connection.ensure_connection()
        from jiliang.verification.models import SigningKey

        SigningKey.objects.exists()
    except DatabaseError:
        return False
    return True


def _standing(number: str) -> str | None:
    """The certificate's standing in this platform's database today, when it is there."""
    from jiliang.verification.models import Certificate
    from jiliang.verification.selectors.certificates import CertificateStatus, certificate_status

    try:
        certificate = Certificate.objects.select_related("revocation", "superseded_by").filter(number=number).first()
    except DatabaseError:
        return None
    if certificate is None:
        return "not found in this platform's database"
    status = certificate_status(certificate, clock.today())
    return f"{status} ({CertificateStatus(status).label})"


class Command(BaseCommand):
    help = (
        "Verify the Ed25519 signature of a signed certificate file (JSON export) against the institute's published "
        "public keys. Exit 0 valid, 1 invalid, 2 unreadable file or no trusted key."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the signed certificate, as downloaded (<number>.json)")
        parser.add_argument(
            "--public-key-file",
            dest="public_key_file",
            help="the institute's published public keys (jiliang-public-keys JSON) or a PEM public key",
        )
        parser.add_argument(
            "--public-key",
            dest="public_key",
            action="append",
            default=[],
            help="trust this Base64 Ed25519 public key (may be repeated)",
        )
        parser.add_argument(
            "--offline",
            action="store_true",
            help="do not use this platform's database or keys: only --public-key-file / --public-key are trusted",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        public_key_file: str | None = None,
        public_key: list[str] | None = None,
        offline: bool = False,
        **options: Any,
    ):
        try:
            signed = signing.loads(Path(file).read_bytes().decode("utf-8"))
        except signing.NotCanonical as exc:
            signed = None
            malformed: str | None = str(exc)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"cannot read {file} as a JSON file: {exc}", returncode=UNREADABLE) from exc
        else:
            malformed = None

        document = signed.get("certificate") if isinstance(signed, dict) else None
        document = document if isinstance(document, dict) else {}
        self.stdout.write(f"file: {file}")
        self.stdout.write(f"number: {document.get('number', '?')}")
        self.stdout.write(f"kind: {self._kind(document.get('kind'))}")
        owner = document.get("owner") if isinstance(document.get("owner"), dict) else {}
        self.stdout.write(f"owner: {owner.get('name', '?')}")

        trusted: dict[str, str] = {}
        origins = []
        if public_key_file:
            trusted.update(_from_file(public_key_file))
            origins.append(f"the published keys in {public_key_file}")
        for raw in public_key or []:
            trusted.update(_pinned(raw))
            origins.append("the pinned --public-key")
        on_platform = not trusted and not offline and _database_reachable()
        if on_platform:
            from jiliang.verification import keys

            try:
                trusted = keys.trusted_keys()
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc), returncode=UNREADABLE) from exc
            origins.append("this platform's signing key file and trusted keys file")
        if not trusted:
            self.stdout.write(f"REFUSED: {NO_KEY}")
            raise CommandError(NO_KEY, returncode=UNREADABLE)
        self.stdout.write(f"trusted keys: {len(trusted)} from {' and '.join(origins)} ({', '.join(sorted(trusted))})")

        if malformed is not None:
            self.stdout.write(f"INVALID: {malformed}")
            raise CommandError(f"INVALID: {malformed}", returncode=INVALID)
        result = signing.verify_signed(signed, trusted_keys=trusted)
        if result.key_id:
            self.stdout.write(f"key id: {result.key_id}")
        if on_platform and result.valid and document.get("number"):
            standing = _standing(str(document["number"]))
            if standing:
                self.stdout.write(f"status today: {standing}")
        if not result.valid:
            self.stdout.write(f"INVALID: {result.reason}")
            raise CommandError(f"INVALID: {result.reason}", returncode=INVALID)
        self.stdout.write(self.style.SUCCESS("VALID: the signature matches the document"))

    @staticmethod
    def _kind(kind: Any) -> str:
        from jiliang.verification.models import Certificate

        if kind in Certificate.Kind.values:
            return f"{kind} ({Certificate.Kind(kind).label})"
        return str(kind or "?")
