"""Which keys are trusted (``jiliang.verification.keys``) and how they are published (``manage.py
export_public_keys``): the key files on disk, never the SigningKey table."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from jiliang.metrology import signing
from jiliang.verification import keys
from jiliang.verification.models import SigningKey
from tests.builders.verification import issue_certificate

from .conftest import export_signed, run_verify

OLD = signing.private_key_from_seed(b"\x11" * 32)
PLANTED = signing.private_key_from_seed(b"\x12" * 32)


def _b64(key) -> str:
    return signing.b64(signing.public_key_raw(key))


@pytest.fixture
def key_files(settings, tmp_path):
    """A signing key and a trusted keys file of this test's own."""
    settings.JILIANG_SIGNING_KEY_FILE = str(tmp_path / "signing.pem")
    settings.JILIANG_TRUSTED_KEYS_FILE = str(tmp_path / "public-keys.json")
    keys.private_key()  # created: development
    return tmp_path


def test_the_current_key_is_trusted_and_a_key_in_the_database_is_not(key_files, db):
    current = keys.private_key()
    SigningKey.objects.create(key_id=signing.key_id(PLANTED), public_key=_b64(PLANTED))
    assert keys.trusted_keys() == {signing.key_id(current): _b64(current)}


def test_export_public_keys_keeps_retired_keys_across_a_rotation(key_files, settings, db):
    first = keys.private_key()
    out = StringIO()
    call_command("export_public_keys", "--add-public-key", _b64(OLD), stdout=out)
    assert "wrote 2 key(s)" in out.getvalue()
    published = json.loads((key_files / "public-keys.json").read_text(encoding="utf-8"))
    assert published["format"] == "jiliang-public-keys" and published["version"] == "1"
    assert [(k["key_id"], k["status"]) for k in published["keys"]] == [
        (signing.key_id(first), "current"),
        (signing.key_id(OLD), "retired"),
    ]
    # Rotation: a new signing key file; exporting again keeps the first key as a retired one.
    settings.JILIANG_SIGNING_KEY_FILE = str(key_files / "signing-2027.pem")
    second = keys.private_key()
    call_command("export_public_keys", stdout=StringIO())
    assert keys.trusted_keys() == {
        signing.key_id(second): _b64(second),
        signing.key_id(first): _b64(first),
        signing.key_id(OLD): _b64(OLD),
    }
    published = json.loads((key_files / "public-keys.json").read_text(encoding="utf-8"))
    assert {k["key_id"]: k["status"] for k in published["keys"]} == {
        signing.key_id(second): "current",
        signing.key_id(first): "retired",
        signing.key_id(OLD): "retired",
    }


def test_keys_recorded_in_the_database_are_exported_only_when_asked(key_files, db):
    SigningKey.objects.create(key_id=signing.key_id(PLANTED), public_key=_b64(PLANTED))
    out = StringIO()
    call_command("export_public_keys", "--output", "-", stdout=out)
    assert signing.key_id(PLANTED) not in out.getvalue()
    out = StringIO()
    call_command("export_public_keys", "--output", "-", "--from-database", stdout=out)
    assert signing.key_id(PLANTED) in [k["key_id"] for k in json.loads(out.getvalue())["keys"]]


def test_a_broken_trusted_keys_file_is_a_configuration_error(key_files):
    path = key_files / "public-keys.json"
    entry = {"algorithm": "Ed25519", "key_id": "0000000000000000", "public_key": _b64(OLD)}
    path.write_text(json.dumps({"format": "jiliang-public-keys", "version": "1", "keys": [entry]}), encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="is not that key's id"):
        keys.trusted_keys()
    path.write_text('{"format": "jiliang-public-keys", "format": "x"}', encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="duplicate key"):
        keys.trusted_keys()
    with pytest.raises(CommandError, match="not a public keys file"):
        call_command("export_public_keys", stdout=StringIO())


def test_export_never_creates_a_signing_key(settings, tmp_path, monkeypatch, db):
    monkeypatch.delenv("JILIANG_DEV", raising=False)
    settings.JILIANG_DEV = False
    settings.JILIANG_SIGNING_KEY_FILE = str(tmp_path / "none.pem")
    settings.JILIANG_TRUSTED_KEYS_FILE = str(tmp_path / "public-keys.json")
    with pytest.raises(CommandError, match="no key to write"):
        call_command("export_public_keys", stdout=StringIO(), stderr=StringIO())
    assert not (tmp_path / "none.pem").exists()


@pytest.mark.django_db
def test_the_exported_file_and_a_pem_public_key_verify_a_certificate_offline(bench, tmp_path):
    certificate = issue_certificate(bench)
    path = export_signed(certificate, tmp_path / "c.json")
    published = tmp_path / "published.json"
    call_command("export_public_keys", "--output", str(published), stdout=StringIO())
    code, out = run_verify(str(path), "--offline", "--public-key-file", str(published))
    assert code == 0, out
    assert "VALID" in out and str(published) in out
    pem = (
        keys.private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "public.pem").write_bytes(pem)
    assert run_verify(str(path), "--offline", "--public-key-file", str(tmp_path / "public.pem"))[0] == 0
    other = tmp_path / "other.pem"
    other.write_bytes(
        PLANTED.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, out = run_verify(str(path), "--offline", "--public-key-file", str(other))
    assert code == 1 and "not one of the trusted keys" in out
    assert run_verify(str(path), "--offline", "--public-key-file", str(Path(tmp_path / "missing.json")))[0] == 2
