"""``manage.py verify_certificate FILE.json``: offline verification of the signed JSON export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from jiliang.metrology import signing
from jiliang.verification import documents
from jiliang.verification.services import certificate_revoke

from .conftest import issue_certificate

pytestmark = pytest.mark.django_db


def _export(certificate, path: Path) -> Path:
    path.write_text(json.dumps(documents.signed_file(certificate), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str]:
    """(exit status, stdout) of call_command: CommandError carries the status the shell would see."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_certificate", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_a_signed_export_verifies_against_the_platform_keys(bench, tmp_path):
    certificate = issue_certificate(bench)
    code, out = _run(str(_export(certificate, tmp_path / f"{certificate.number}.json")))
    assert code == 0, out
    assert certificate.number in out
    assert "verification (检定证书)" in out
    assert bench.instruments[0].owner.name in out
    assert "this platform's 1 signing key(s)" in out
    assert "status today: valid" in out
    assert "VALID" in out


def test_one_changed_character_fails(bench, tmp_path):
    certificate = issue_certificate(bench)
    path = _export(certificate, tmp_path / "c.json")
    text = path.read_text(encoding="utf-8")
    assert "10.004" in text
    path.write_text(text.replace("10.004", "10.005", 1), encoding="utf-8")
    code, out = _run(str(path))
    assert code == 1
    assert "INVALID: the signature does not match the document" in out
    assert certificate.number in out


def test_an_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert _run(str(path))[0] == 2
    assert _run(str(tmp_path / "missing.json"))[0] == 2


def test_a_file_that_is_no_signed_certificate_is_invalid(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    code, out = _run(str(path))
    assert code == 1
    assert "no certificate object" in out


def test_a_key_unknown_to_the_platform_is_refused_online_and_flagged_offline(bench, tmp_path):
    certificate = issue_certificate(bench)
    forged = signing.sign_document(certificate.document, signing.private_key_from_seed(b"\x01" * 32))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    code, out = _run(str(path))
    assert code == 1
    assert "is not one of this platform's signing keys" in out
    code, out = _run(str(path), "--offline")
    assert code == 0
    assert "the key's origin was NOT checked" in out


def test_a_pinned_public_key_is_the_only_one_trusted(bench, tmp_path):
    certificate = issue_certificate(bench)
    path = _export(certificate, tmp_path / "c.json")
    right = documents.signed_file(certificate)["signature"]["public_key"]
    code, out = _run(str(path), "--public-key", right)
    assert code == 0 and "pinned" in out
    other = signing.b64(signing.public_key_raw(signing.private_key_from_seed(b"\x02" * 32)))
    assert _run(str(path), "--public-key", other)[0] == 1
    assert _run(str(path), "--public-key", "not-base64!")[0] == 2


def test_a_revoked_certificate_still_verifies_and_its_status_is_shown(bench, tmp_path):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason="登记错误")
    code, out = _run(str(_export(certificate, tmp_path / "c.json")))
    assert code == 0
    assert "status today: revoked (已撤销)" in out


def test_the_shell_sees_the_exit_status(bench, tmp_path):
    """Run as a real process, offline (the test database is not the one manage.py would open)."""
    certificate = issue_certificate(bench)
    path = _export(certificate, tmp_path / "c.json")
    env = {**os.environ, "JILIANG_DEV": "1"}
    manage = Path(settings.BASE_DIR) / "manage.py"
    ok = subprocess.run(
        [sys.executable, str(manage), "verify_certificate", str(path), "--offline"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert certificate.number in ok.stdout and "NOT checked" in ok.stdout
    path.write_text(path.read_text(encoding="utf-8").replace("PS-1", "PS-7"), encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, str(manage), "verify_certificate", str(path), "--offline"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "INVALID" in bad.stdout
