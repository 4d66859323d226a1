"""The public answer against someone who can write to the database behind the services (issue 11, item 4).

Two layers, each tested on the database the suite runs on (SQLite by default; the same file on PostgreSQL with
``DATABASE_URL=postgres://…``):

- the database refuses raw UPDATE and DELETE of issued rows (PostgreSQL's triggers since migration 0002, SQLite's
  since migration 0007);
- with those triggers removed (what someone holding the SQLite file, or a PostgreSQL superuser, can do), the
  public answer still says only what the signed documents say: an edited unsigned column changes nothing, an
  edited signed document or revocation is reported as failing its signature check at once (no stale cache).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from jiliang.metrology import signing
from jiliang.verification.models import Certificate, CertificateRevocation, SigningKey
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import correct_certificate, issue_certificate

pytestmark = pytest.mark.django_db

REASON = "检定员误用已过期的标准器"


def public_answer(client, certificate: Certificate) -> dict:
    """What the public API answers about the certificate's QR token (no login, no token)."""
    return client.get(f"/api/v1/public/certificates/{certificate.token}").json()


def page(client, certificate: Certificate) -> str:
    return client.get(reverse("portal:token", args=[certificate.token])).content.decode()


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def remove_immutability_triggers() -> list[str]:
    """Drop every trigger on the verification tables, as the holder of the SQLite file (``sqlite3`` shell) or a
    PostgreSQL superuser can. Inside the test's transaction: rolled back with it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'verification_%'")
            names = [row[0] for row in cursor.fetchall()]
            for name in names:
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND c.relname LIKE 'verification_%%'"
            )
            names = []
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
                names.append(name)
    return names


# ---- the database refuses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE verification_certificate SET valid_until = '2035-12-31' WHERE id = %s",
        "UPDATE verification_certificate SET issued_on = '2035-01-01' WHERE id = %s",
        "UPDATE verification_certificate SET number = number || 'X' WHERE id = %s",
        "UPDATE verification_certificate SET owner_id = institute_id WHERE id = %s",
        "UPDATE verification_certificate SET document = '{}' WHERE id = %s",
        "DELETE FROM verification_certificate WHERE id = %s",
        "DELETE FROM verification_certificaterevocation WHERE certificate_id = %s",
        "UPDATE verification_certificaterevocation SET revoked_at = revoked_at WHERE certificate_id = %s",
        "DELETE FROM verification_readingpoint WHERE record_id IN"
        " (SELECT record_id FROM verification_certificate WHERE id = %s)",
    ],
)
def test_raw_sql_edits_of_issued_rows_are_refused_by_the_database(bench, statement):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    with pytest.raises(IntegrityError, match="never edited or deleted"), transaction.atomic():
        sql(statement, [certificate.pk])
    assert Certificate.objects.filter(pk=certificate.pk, number=certificate.number).exists()
    assert CertificateRevocation.objects.filter(certificate=certificate).exists()


def test_a_revocation_deleted_in_sql_stays_revoked_on_the_public_page(bench, client):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    before = public_answer(client, certificate)
    assert before["status"] == "revoked"
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("DELETE FROM verification_certificaterevocation WHERE certificate_id = %s", [certificate.pk])
    assert public_answer(client, certificate) == before


# ---- behind the triggers: unsigned columns say nothing ------------------------------------------------------------


def test_unsigned_columns_edited_behind_the_triggers_do_not_change_the_answer(bench, client, monkeypatch):
    certificate = issue_certificate(bench)
    expired_day = certificate.valid_until + timedelta(days=1)
    # The page and the API read today through the platform clock, which reads Django's.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: expired_day)
    before = public_answer(client, certificate)
    assert before["status"] == "expired"
    assert before["signature_valid"] is True
    assert remove_immutability_triggers() or connection.vendor == "sqlite"  # SQLite before the fix: none to drop
    for statement in (
        "UPDATE verification_certificate SET valid_until = '2035-12-31' WHERE id = %s",
        "UPDATE verification_certificate SET issued_on = '2035-01-01' WHERE id = %s",
        "UPDATE verification_certificate SET kind = 'calibration' WHERE id = %s",
        "UPDATE verification_certificate SET owner_id = institute_id WHERE id = %s",
        "UPDATE verification_certificate SET number = 'FAKE-2035-JD-000001' WHERE id = %s",
    ):
        sql(statement, [certificate.pk])
    assert Certificate.objects.get(pk=certificate.pk).valid_until.year == 2035
    after = public_answer(client, certificate)
    assert after == before
    html = page(client, certificate)
    assert "2035" not in html
    assert certificate.number in html
    # The changed number leads to a row whose signed document names another number: not presented as valid.
    typed = client.get(reverse("portal:index"), {"number": "FAKE-2035-JD-000001"}).content.decode()
    assert "banner s-valid" not in typed and "banner s-expired" not in typed
    assert "签名验证未通过" in typed


def test_a_document_edited_after_its_first_check_fails_its_signature_at_once(bench, client):
    certificate = issue_certificate(bench)
    assert public_answer(client, certificate)["signature_valid"] is True
    assert "数字签名有效" in page(client, certificate)
    remove_immutability_triggers()
    document = dict(certificate.document)
    document["valid_until"] = "2035-12-31"
    document["owner"] = {**document["owner"], "name": "冒名商贸有限公司"}
    sql(
        "UPDATE verification_certificate SET document = %s WHERE id = %s",
        [json.dumps(document, ensure_ascii=False), certificate.pk],
    )
    answer = public_answer(client, certificate)
    assert answer["status"] == "signature_failed"
    assert answer["signature_valid"] is False
    # Nothing of the unverified document is stated.
    assert answer["valid_until"] is None and answer["owner"] is None
    html = page(client, certificate)
    assert "签名验证未通过" in html
    assert "2035" not in html and "冒名" not in html
    assert "banner s-valid" not in html


def test_a_duplicate_key_stored_before_the_signed_one_fails_the_signature_check(bench, client):
    certificate = issue_certificate(bench)
    assert public_answer(client, certificate)["status"] == "valid"
    remove_immutability_triggers()
    text = json.dumps(certificate.document, ensure_ascii=False)
    # A JSON reader that keeps the first of two equal keys (SQLite's json_extract) and one that keeps the last
    # (Python's json, which checked the signature) would read two different documents.
    forged = '{"owner": {"name": "冒名商贸有限公司"}, "valid_until": "2035-12-31", ' + text[1:]
    sql("UPDATE verification_certificate SET document = %s WHERE id = %s", [forged, certificate.pk])
    answer = public_answer(client, certificate)
    assert "冒名" not in json.dumps(answer, ensure_ascii=False)
    assert answer["valid_until"] != "2035-12-31"
    if connection.vendor == "sqlite":
        # Stored as written: refused as a document with duplicate keys.
        assert answer["status"] == "signature_failed"
    else:
        # jsonb keeps the last of duplicate keys on input: the stored document is the signed one.
        assert answer["status"] == "valid" and answer["signature_valid"] is True


# ---- behind the triggers: revocations and supersessions are signed ------------------------------------------------


def test_a_revocation_edited_behind_the_triggers_fails_its_signature_check(bench, client):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    assert public_answer(client, certificate)["status"] == "revoked"
    remove_immutability_triggers()
    sql(
        "UPDATE verification_certificaterevocation SET revoked_at = %s WHERE certificate_id = %s",
        ["2020-01-01 00:00:00", certificate.pk],
    )
    answer = public_answer(client, certificate)
    assert answer["status"] in {"revoked", "signature_failed"}
    assert answer["revoked_on"] != "2020-01-01"


def test_a_revocation_row_inserted_behind_the_services_is_no_proof(bench, client):
    certificate = issue_certificate(bench)
    other = issue_certificate(bench, item=1)
    certificate_revoke(actor=bench.institute_user, certificate_id=other.pk, reason=REASON)
    genuine = CertificateRevocation.objects.get(certificate=other)
    # The other certificate's signed revocation, copied onto this certificate: it names another number.
    CertificateRevocation.objects.create(
        certificate=certificate,
        reason=REASON,
        revoked_at=genuine.revoked_at,
        revoked_by=genuine.revoked_by,
        document=genuine.document,
        signature=genuine.signature,
        key_id=genuine.key_id,
    )
    answer = public_answer(client, certificate)
    assert answer["status"] == "signature_failed"
    assert answer["revoked_on"] is None


def test_a_supersession_made_up_in_sql_is_no_proof(bench, client):
    old = issue_certificate(bench)
    new = correct_certificate(bench, old, reason="更正", place="现场")
    victim = issue_certificate(bench, item=1)
    assert public_answer(client, victim)["status"] == "valid"
    assert public_answer(client, old)["superseded_by"] == new.number
    remove_immutability_triggers()
    # The correction's row now points at the victim; its signed document still says it supersedes ``old``.
    sql("UPDATE verification_certificate SET supersedes_id = %s WHERE id = %s", [victim.pk, new.pk])
    answer = public_answer(client, victim)
    assert answer["status"] == "signature_failed"
    assert answer["superseded_by"] is None


# ---- which keys are trusted ---------------------------------------------------------------------------------------


def _forge(certificate: Certificate, key) -> Certificate:
    """A certificate signed by ``key`` over a document that claims what the forger wants."""
    token = secrets.token_urlsafe(24)
    document = dict(certificate.document)
    document["number"] = f"{certificate.number}-F"
    document["valid_until"] = "2035-12-31"
    document["public_check"] = document["public_check"].replace(certificate.token, token)
    signed = signing.sign_document(document, key)
    return Certificate.objects.create(
        number=document["number"],
        kind=certificate.kind,
        record=certificate.record,
        institute=certificate.institute,
        owner=certificate.owner,
        region=certificate.region,
        instrument=certificate.instrument,
        year=certificate.year,
        sequence=certificate.sequence + 1000,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        token=token,
        document=document,
        signature=signed["signature"]["value"],
        key_id=signed["signature"]["key_id"],
        issued_at=certificate.issued_at,
    )


def test_a_key_added_to_the_signing_key_table_is_not_trusted(bench, client):
    certificate = issue_certificate(bench)
    forger = signing.private_key_from_seed(b"\x07" * 32)
    SigningKey.objects.create(key_id=signing.key_id(forger), public_key=signing.b64(signing.public_key_raw(forger)))
    forged = _forge(certificate, forger)
    answer = public_answer(client, forged)
    assert answer["status"] == "signature_failed"
    assert answer["signature_valid"] is False
    assert answer["valid_until"] is None


def test_a_genuine_document_under_another_token_is_not_presented(bench, client):
    """Swapping the tokens of two rows would point one QR code at another certificate: the signed document names
    the token it was issued with."""
    certificate = issue_certificate(bench)
    other = issue_certificate(bench, item=1)
    remove_immutability_triggers()
    sql(
        "UPDATE verification_certificate SET token = %s WHERE id = %s",
        ["swap-" + certificate.token[:30], certificate.pk],
    )
    sql("UPDATE verification_certificate SET token = %s WHERE id = %s", [certificate.token, other.pk])
    answer = public_answer(client, certificate)
    assert answer["status"] == "signature_failed"
    assert answer["number"] is None
