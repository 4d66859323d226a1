"""``manage.py export_public_keys [--output FILE] [--add-public-key BASE64 ...] [--from-database]``: write the file
of public keys the platform trusts and the institute publishes (format ``jiliang-public-keys`` version 1).

The file holds the current signing key's public half (from ``JILIANG_SIGNING_KEY_FILE``, marked ``current``) and
every key already in the file (kept, marked ``retired``), so running it again after a key rotation keeps the old
keys: certificates signed before the rotation still verify. By default it writes ``JILIANG_TRUSTED_KEYS_FILE``,
the file the public check trusts; ``--output -`` prints it instead. Publish that file (the institute's website,
the printed notice) for whoever verifies a certificate offline (``verify_certificate --public-key-file``).

``--add-public-key`` adds a key the operator knows to be the platform's from its own records (a retired key kept
apart from the database). ``--from-database`` adds every key recorded in the ``SigningKey`` table: only for an
installation whose database nobody else could have written to (e.g. once, when upgrading to a version that trusts
the file), because a key in that table is exactly what someone with write access could have planted.

It never creates a signing key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiliang.metrology import signing
from jiliang.verification import keys


class Command(BaseCommand):
    help = "Write the trusted/published public keys file (current signing key + retired keys)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="where to write (default: JILIANG_TRUSTED_KEYS_FILE); '-' prints to standard output"
        )
        parser.add_argument(
            "--add-public-key",
            dest="add",
            action="append",
            default=[],
            help="also trust this Base64 Ed25519 public key (a retired key of this platform); may be repeated",
        )
        parser.add_argument(
            "--from-database",
            action="store_true",
            help="also add the keys recorded in the SigningKey table (only if nobody else can write the database)",
        )

    def handle(self, *args: Any, output: str | None = None, add: list[str], from_database: bool = False, **options):
        target = output or settings.JILIANG_TRUSTED_KEYS_FILE
        if not target:
            raise CommandError("JILIANG_TRUSTED_KEYS_FILE is empty: pass --output FILE (or --output - to print)")
        entries: dict[str, str] = {}
        if target != "-" and Path(target).exists():
            try:
                entries.update(keys.read_public_keys_file(Path(target)))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"{target} exists and is not a public keys file: {exc}") from exc
        for raw in add:
            try:
                public = Ed25519PublicKey.from_public_bytes(signing.b64decode(raw.strip()))
            except ValueError as exc:
                raise CommandError(f"--add-public-key {raw!r} is not the Base64 of an Ed25519 public key") from exc
            kid, b64 = keys.public_key_entry(public)
            entries[kid] = b64
        if from_database:
            from jiliang.verification.models import SigningKey

            for kid, b64 in SigningKey.objects.values_list("key_id", "public_key"):
                try:
                    public = Ed25519PublicKey.from_public_bytes(signing.b64decode(b64))
                except ValueError as exc:
                    raise CommandError(f"SigningKey {kid}: not an Ed25519 public key") from exc
                if signing.key_id(public) != kid:
                    raise CommandError(f"SigningKey {kid}: the key id is not that key's id")
                entries[kid] = b64
        current = keys.current_key_id()
        if current is None:
            self.stderr.write(
                f"warning: no signing key at {settings.JILIANG_SIGNING_KEY_FILE}; the file lists no current key"
            )
        else:
            entries[current] = keys.public_key_entry(keys.private_key())[1]
        if not entries:
            raise CommandError("no key to write: there is no signing key and no key was given")
        document = keys.public_keys_document(entries, current=current)
        if target == "-":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        keys.write_public_keys_file(Path(target), document)
        for entry in document["keys"]:
            self.stdout.write(f"{entry['key_id']}  {entry['status']:8}  {entry['public_key']}")
        self.stdout.write(self.style.SUCCESS(f"wrote {len(entries)} key(s) to {target}"))
