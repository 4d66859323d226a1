"""Issued rows refused by the database itself on SQLite (migration 0007, ``jiliang.verification.immutable``) as on
PostgreSQL (migration 0002); revocations signed by migration 0006.

The refusals of raw SQL edits, and what the public check answers when someone gets past them, are in
``tests/portal/test_tamper.py``.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jiliang.metrology import signing
from jiliang.verification import immutable, keys
from jiliang.verification.models import Certificate, CertificateRevocation, VerificationRecord
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import issue_certificate

TABLES = (
    "verification_verificationrecord",
    "verification_readingpoint",
    "verification_standarduse",
    "verification_certificate",
    "verification_certificaterevocation",
)
BEFORE = [("verification", "0005_drop_covered_fk_indexes")]


def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers (PostgreSQL's are migration 0002's, refused in tests/portal/test_tamper.py)")


@pytest.mark.django_db
def test_every_issued_table_has_its_two_triggers():
    """Fails when a later migration rebuilt one of the tables on SQLite (its triggers dropped with the old table)
    without creating them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            found = set(cursor.fetchall())
            expected = {(t, f"{t}_no_{op}") for t in TABLES for op in ("update", "delete")}
        else:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"
            )
            found = set(cursor.fetchall())
            expected = {(t, f"{t}_immutable") for t in TABLES}
    assert expected <= found


@pytest.mark.django_db
def test_a_sqlite3_shell_without_the_application_cannot_update_or_delete(bench, tmp_path):
    """The schema of the certificate table as it is (table and triggers), in a file opened by a plain sqlite3
    connection: what ``sqlite3 db.sqlite3`` is. It has no ``jiliang_issued_rows_writable``, so nothing passes."""
    sqlite_only()
    certificate = issue_certificate(bench)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'verification_certificate' AND type IN ('table', 'trigger')"
            " ORDER BY type = 'trigger'"
        )
        schema = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT * FROM verification_certificate WHERE id = %s", [certificate.pk])
        row = cursor.fetchone()
    shell = sqlite3.connect(tmp_path / "copy.sqlite3")
    for statement in schema:
        shell.execute(statement)
    placeholders = ", ".join("?" * len(row))
    shell.execute(f"INSERT INTO verification_certificate VALUES ({placeholders})", row)  # noqa: S608 (no input)
    shell.commit()
    for statement in (
        "UPDATE verification_certificate SET valid_until = '2035-12-31'",
        "DELETE FROM verification_certificate",
    ):
        with pytest.raises(sqlite3.OperationalError, match="no such function: jiliang_issued_rows_writable"):
            shell.execute(statement)
    # With the function of the application, outside maintenance: refused with the reason.
    shell.create_function(immutable.FUNCTION, 0, lambda: 0)
    with pytest.raises(sqlite3.IntegrityError, match="never edited or deleted"):
        shell.execute("UPDATE verification_certificate SET valid_until = '2035-12-31'")
    shell.close()


@pytest.mark.django_db
def test_maintenance_lets_only_its_own_thread_through(bench):
    sqlite_only()
    certificate = issue_certificate(bench)
    update = "UPDATE verification_certificate SET valid_until = valid_until WHERE id = %s"
    outcome: list = []

    def elsewhere():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(update, [certificate.pk])
            outcome.append("updated")
        except Exception as exc:  # the outcome is what the test inspects
            outcome.append(exc)
        finally:
            connections.close_all()

    with immutable.maintenance():
        with connection.cursor() as cursor:
            cursor.execute(update, [certificate.pk])  # allowed here
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join(30)
    assert len(outcome) == 1 and not isinstance(outcome[0], str), outcome
    with pytest.raises(IntegrityError, match="never edited or deleted"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(update, [certificate.pk])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_empties_the_issued_tables(bench):
    """``manage.py flush`` (what the test suite runs after each transactional test) works on both databases."""
    issue_certificate(bench)
    with pytest.raises(IntegrityError, match="never edited or deleted"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM verification_certificate")
    call_command("flush", interactive=False, verbosity=0)
    assert not Certificate.objects.exists()
    assert not VerificationRecord.objects.exists()


# ---- migration 0006: existing revocations are signed ----------------------------------------------------------------


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _revoke_the_old_way(certificate: Certificate, user) -> int:
    """A revocation as the platform wrote it before migration 0006: no document, no signature."""
    Old = (
        MigrationExecutor(connection)
        .loader.project_state(BEFORE)
        .apps.get_model("verification", "CertificateRevocation")
    )
    return Old.objects.create(
        certificate_id=certificate.pk, reason="登记错误", revoked_at=certificate.issued_at, revoked_by_id=user.pk
    ).pk


# Runs on SQLite and on PostgreSQL, where migration 0002's trigger must be switched off for the update.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0006_signs_the_revocations_made_before(bench, client):
    latest = _latest()
    certificate = issue_certificate(bench)
    try:
        _migrate(BEFORE)
        pk = _revoke_the_old_way(certificate, bench.institute_user)
        _migrate(latest)
        revocation = CertificateRevocation.objects.get(pk=pk)
        assert revocation.document == {
            "format": "jiliang-revocation",
            "version": "1",
            "certificate": certificate.number,
            "certificate_sha256": signing.document_sha256(certificate.document),
            "revoked_at": revocation.document["revoked_at"],
        }
        day = timezone.localdate(certificate.issued_at).isoformat()
        assert revocation.document["revoked_at"].startswith(day)
        assert revocation.key_id == certificate.key_id
        trusted = keys.trusted_keys()
        assert signing.signature_matches(revocation.document, revocation.signature, trusted[revocation.key_id])
        answer = client.get(f"/api/v1/public/certificates/{certificate.token}").json()
        assert (answer["status"], answer["revoked_on"]) == ("revoked", day)
        # The trigger is back: the signed row cannot be changed.
        with pytest.raises(IntegrityError, match="never edited or deleted"), connection.cursor() as cursor:
            cursor.execute("UPDATE verification_certificaterevocation SET signature = '' WHERE id = %s", [pk])
    finally:
        _migrate(_latest())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0006_refuses_clearly_without_the_signing_key(bench, settings, monkeypatch, tmp_path):
    latest = _latest()
    certificate = issue_certificate(bench)
    key_file = settings.JILIANG_SIGNING_KEY_FILE
    try:
        _migrate(BEFORE)
        _revoke_the_old_way(certificate, bench.institute_user)
        # Production: no key file, and none is created.
        monkeypatch.delenv("JILIANG_DEV", raising=False)
        settings.DEBUG = False
        settings.JILIANG_DEV = False
        settings.JILIANG_SIGNING_KEY_FILE = str(tmp_path / "missing.pem")
        with pytest.raises(RuntimeError, match=r"must sign the 1 existing certificate revocation\(s\)") as refused:
            _migrate(latest)
        assert "missing.pem does not exist" in str(refused.value)
        assert not (tmp_path / "missing.pem").exists()
    finally:
        monkeypatch.undo()
        settings.DEBUG, settings.JILIANG_DEV, settings.JILIANG_SIGNING_KEY_FILE = False, True, key_file
        _migrate(_latest())


@pytest.mark.django_db
def test_a_revocation_made_through_the_service_is_signed(bench):
    certificate = issue_certificate(bench)
    revocation = certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason="登记错误")
    assert revocation.document["certificate"] == certificate.number
    assert revocation.document["certificate_sha256"] == signing.document_sha256(certificate.document)
    assert "登记错误" not in str(revocation.document)  # the reason stays internal
    trusted = keys.trusted_keys()
    assert signing.signature_matches(revocation.document, revocation.signature, trusted[revocation.key_id])
