"""``manage.py verify_certificate FILE.json``: offline verification of the signed JSON export."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from jiliang.metrology import signing
from jiliang.verification.formats import documents
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import issue_certificate

from .conftest import export_signed, run_verify

pytestmark = pytest.mark.django_db


def test_a_signed_export_verifies_against_the_platform_keys(bench, tmp_path):
    certificate = issue_certificate(bench)
    code, out = run_verify(str(export_signed(certificate, tmp_path / f"{certificate.number}.json")))
    assert code == 0, out
    assert certificate.number in out
    assert "verification (检定证书)" in out
    assert bench.instruments[0].owner.name in out
    assert "trusted keys: 1 from this platform's signing key file and trusted keys file" in out
    assert "status today: valid" in out
    assert "VALID" in out


def test_one_changed_character_fails(bench, tmp_path):
    certificate = issue_certificate(bench)
    path = export_signed(certificate, tmp_path / "c.json")
    text = path.read_text(encoding="utf-8")
    assert "10.004" in text
    path.write_text(text.replace("10.004", "10.005", 1), encoding="utf-8")
    code, out = run_verify(str(path))
    assert code == 1
    assert "INVALID: the signature does not match the document" in out
    assert certificate.number in out


def test_an_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert run_verify(str(path))[0] == 2
    assert run_verify(str(tmp_path / "missing.json"))[0] == 2


def test_a_file_that_is_no_signed_certificate_is_invalid(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    code, out = run_verify(str(path))
    assert code == 1
    assert "no certificate object" in out


def test_a_key_unknown_to_the_platform_is_refused_online_and_offline(bench, tmp_path):
    """Offline, this test used to expect exit 0 with "the key's origin was NOT checked" (the key inside the file
    was trusted): now offline verification without a published key refuses (issue 11, item 5)."""
    certificate = issue_certificate(bench)
    forged = signing.sign_document(certificate.document, signing.private_key_from_seed(b"\x01" * 32))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    code, out = run_verify(str(path))
    assert code == 1
    assert "is not one of the trusted keys" in out
    code, out = run_verify(str(path), "--offline")
    assert code == 2
    assert "REFUSED: no trusted public key" in out
    assert "VALID" not in out


def test_a_pinned_public_key_is_the_only_one_trusted(bench, tmp_path):
    certificate = issue_certificate(bench)
    path = export_signed(certificate, tmp_path / "c.json")
    right = documents.signed_file(certificate)["signature"]["public_key"]
    code, out = run_verify(str(path), "--public-key", right)
    assert code == 0 and "pinned" in out
    other = signing.b64(signing.public_key_raw(signing.private_key_from_seed(b"\x02" * 32)))
    assert run_verify(str(path), "--public-key", other)[0] == 1
    assert run_verify(str(path), "--public-key", "not-base64!")[0] == 2


def test_a_revoked_certificate_still_verifies_and_its_status_is_shown(bench, tmp_path):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason="登记错误")
    code, out = run_verify(str(export_signed(certificate, tmp_path / "c.json")))
    assert code == 0
    assert "status today: revoked (已撤销)" in out


def test_the_shell_sees_the_exit_status(bench, tmp_path):
    """Run as a real process, offline with the published keys (the test database is not the one manage.py would
    open): 0 valid, 1 changed, 2 without a key to trust."""
    certificate = issue_certificate(bench)
    path = export_signed(certificate, tmp_path / "c.json")
    published = _published_keys_file(
        tmp_path / "keys.json", documents.signed_file(certificate)["signature"]["public_key"]
    )
    env = {**os.environ, "JILIANG_DEV": "1"}
    manage = Path(settings.BASE_DIR) / "manage.py"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(manage), "verify_certificate", str(path), "--offline", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    ok = run("--public-key-file", str(published))
    assert ok.returncode == 0, ok.stderr
    assert certificate.number in ok.stdout and "VALID" in ok.stdout
    assert run().returncode == 2
    path.write_text(path.read_text(encoding="utf-8").replace("PS-1", "PS-7"), encoding="utf-8")
    bad = run("--public-key-file", str(published))
    assert bad.returncode == 1
    assert "INVALID" in bad.stdout


# ---- issue 11, item 5: offline verification trusts only a published key ------------------------------------------


def _published_keys_file(path: Path, *public_keys: str) -> Path:
    """The file an institute publishes (``manage.py export_public_keys``): its public keys."""
    keys_ = []
    for public in public_keys:
        raw = base64.b64decode(public)
        keys_.append({"algorithm": "Ed25519", "key_id": hashlib.sha256(raw).hexdigest()[:16], "public_key": public})
    path.write_text(
        json.dumps({"format": "jiliang-public-keys", "version": "1", "keys": keys_}, indent=2), encoding="utf-8"
    )
    return path


def test_offline_without_a_published_key_refuses(bench, tmp_path):
    certificate = issue_certificate(bench)
    path = export_signed(certificate, tmp_path / "c.json")
    code, out = run_verify(str(path), "--offline")
    assert code == 2, out
    assert "VALID" not in out
    assert "--public-key-file" in out


def test_a_certificate_re_signed_with_another_key_fails_against_the_published_keys(bench, tmp_path):
    certificate = issue_certificate(bench)
    genuine = documents.signed_file(certificate)["signature"]["public_key"]
    published = _published_keys_file(tmp_path / "keys.json", genuine)
    assert (
        run_verify(
            str(export_signed(certificate, tmp_path / "c.json")), "--offline", "--public-key-file", str(published)
        )[0]
        == 0
    )
    document = dict(certificate.document)
    document["valid_until"] = "2035-12-31"
    forged = signing.sign_document(document, signing.private_key_from_seed(b"\x03" * 32))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    code, out = run_verify(str(path), "--offline", "--public-key-file", str(published))
    assert code == 1
    assert "INVALID" in out and "not one of the trusted keys" in out


def test_a_duplicate_key_before_the_signed_one_is_invalid(bench, tmp_path):
    certificate = issue_certificate(bench)
    public = documents.signed_file(certificate)["signature"]["public_key"]
    path = export_signed(certificate, tmp_path / "c.json")
    text = path.read_text(encoding="utf-8")
    signed_value = f'"valid_until": "{certificate.document["valid_until"]}"'
    assert signed_value in text
    # A reader that keeps the first of two equal keys sees 2035; the signature covers the second.
    path.write_text(text.replace(signed_value, f'"valid_until": "2035-12-31", {signed_value}', 1), encoding="utf-8")
    code, out = run_verify(str(path), "--public-key", public)
    assert code == 1, out
    assert "INVALID" in out and "duplicate key" in out
