"""``manage.py verify_certificate FILE.json [--offline] [--public-key BASE64]``: verify one signed certificate file
(the JSON export, ``jiliang.verification.documents.signed_file``) without the web application.

Which keys are trusted:

- ``--public-key BASE64``: only that key (pinned), e.g. the key the institute published;
- otherwise, when the platform's database is reachable: the platform's signing keys (``keys.trusted_keys()``,
  retired ones included);
- otherwise, or with ``--offline``: the public key embedded in the file. This proves the file was not changed since
  it was signed, *not* who signed it — the command says so.

Exit status: 0 the signature is valid, 1 it is not (or the file is not a signed certificate), 2 the file cannot be
read as JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from jiliang.metrology import signing

UNREADABLE = 2
INVALID = 1


def _pinned(raw: str) -> dict[str, str]:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(raw.strip(), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CommandError("--public-key is not the Base64 of a 32-byte Ed25519 public key", returncode=2) from exc
    return {signing.key_id(public): signing.b64(signing.public_key_raw(public))}


def _database_keys() -> dict[str, str] | None:
    """The platform's keys, or None when no database is reachable (or it has no keys table yet)."""
    from jiliang.verification import keys

    try:
        return keys.trusted_keys() or None
    except DatabaseError:
        return None


def _standing(number: str) -> str | None:
    """The certificate's standing in this platform's database today, when it is there."""
    from jiliang.verification.models import Certificate
    from jiliang.verification.selectors import CertificateStatus, certificate_status

    try:
        certificate = Certificate.objects.select_related("revocation", "superseded_by").filter(number=number).first()
    except DatabaseError:
        return None
    if certificate is None:
        return "not found in this platform's database"
    status = certificate_status(certificate, timezone.localdate())
    return f"{status} ({CertificateStatus(status).label})"


class Command(BaseCommand):
    help = (
        "Verify the Ed25519 signature of a signed certificate file (JSON export). Exit 0 valid, 1 invalid, "
        "2 unreadable file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the signed certificate, as downloaded (<number>.json)")
        parser.add_argument(
            "--offline",
            action="store_true",
            help="do not use the database: check against the public key embedded in the file (origin not checked)",
        )
        parser.add_argument("--public-key", dest="public_key", help="trust only this Base64 Ed25519 public key")

    def handle(self, *args: Any, file: str, offline: bool = False, public_key: str | None = None, **options: Any):
        try:
            signed = json.loads(Path(file).read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"cannot read {file} as a JSON file: {exc}", returncode=UNREADABLE) from exc

        document = signed.get("certificate") if isinstance(signed, dict) else None
        document = document if isinstance(document, dict) else {}
        self.stdout.write(f"file: {file}")
        self.stdout.write(f"number: {document.get('number', '?')}")
        self.stdout.write(f"kind: {self._kind(document.get('kind'))}")
        owner = document.get("owner") if isinstance(document.get("owner"), dict) else {}
        self.stdout.write(f"owner: {owner.get('name', '?')}")

        if public_key:
            trusted: dict[str, str] | None = _pinned(public_key)
            origin = "trusted keys: the pinned --public-key"
        elif offline:
            trusted = None
            origin = "offline: checked against the key embedded in the file; the key's origin was NOT checked"
        else:
            trusted = _database_keys()
            if trusted is None:
                origin = (
                    "no database with this platform's keys reachable: checked against the key embedded in the "
                    "file; the key's origin was NOT checked"
                )
            else:
                origin = f"trusted keys: this platform's {len(trusted)} signing key(s) from the database"
        self.stdout.write(origin)

        result = signing.verify_signed(signed, trusted_keys=trusted)
        if result.key_id:
            self.stdout.write(f"key id: {result.key_id}")
        if not offline and not public_key and result.valid and document.get("number"):
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
