"""Recording verifications and issuing, correcting and revoking certificates (jiliang.verification.services: records,
certificates)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.instruments import tally
from jiliang.metrology import signing
from jiliang.verification import keys
from jiliang.verification.formats import documents
from jiliang.verification.models import (
    Certificate,
    ImmutableRecordError,
    ReadingPoint,
    VerificationRecord,
)
from jiliang.verification.selectors.certificates import CertificateStatus, certificate_status
from jiliang.verification.services.certificates import certificate_correct, certificate_revoke
from jiliang.verification.services.drafts import draft_save
from tests.builders.verification import correct_certificate, issue_certificate, record_values

pytestmark = pytest.mark.django_db


def test_a_pass_issues_a_signed_verification_certificate_and_moves_the_due_date(bench):
    instrument = bench.instruments[0]
    due_before = instrument.due_on
    certificate = issue_certificate(bench)
    assert certificate.kind == Certificate.Kind.VERIFICATION
    assert certificate.number == f"CSJL-{bench.today.year}-JD-000001"
    assert certificate.record.conclusion == VerificationRecord.Conclusion.PASS
    assert [p.passed for p in certificate.record.points.all()] == [True, True]
    instrument.refresh_from_db()
    assert instrument.last_verification_id == certificate.record_id
    # Item 02 (price scales): 12-month interval from the verification date.
    assert instrument.due_on == certificate.valid_until
    assert instrument.due_on > due_before
    assert instrument.due_on.year == bench.today.year + 1 or instrument.due_on.month != bench.today.month
    assert tally.differences() == {}
    signed = documents.signed_file(certificate)
    assert signing.verify_signed(signed, trusted_keys=keys.trusted_keys()).valid
    assert signed["certificate"]["instrument"]["serial_number"] == "PS-1"
    # The digits shown follow the rounding interval (0.001 kg): 1.000, not 1.
    first = signed["certificate"]["results"]["points"][0]
    assert (first["reference"], first["indicated"], first["error"], first["mpe"]) == (
        "1.000",
        "1.001",
        "0.001",
        "0.005",
    )
    assert AuditEvent.objects.filter(action="certificate.issue", object_id=str(certificate.pk)).exists()


def test_a_fail_issues_a_failure_notice_and_leaves_the_due_date(bench):
    instrument = bench.instruments[1]
    due_before = instrument.due_on
    certificate = issue_certificate(bench, item=1, passed=False)
    assert certificate.kind == Certificate.Kind.FAILURE_NOTICE
    assert certificate.number.split("-")[2] == "TZ"
    assert certificate.valid_until is None
    assert [p.passed for p in certificate.record.points.all()] == [True, False]
    instrument.refresh_from_db()
    assert instrument.due_on == due_before
    assert certificate_status(certificate, bench.today) == CertificateStatus.FAILED


def test_numbers_run_per_institute_year_and_kind(bench):
    first = issue_certificate(bench, item=0)
    second = issue_certificate(bench, item=1)
    notice = issue_certificate(bench, item=1, passed=False)
    assert [c.sequence for c in (first, second, notice)] == [1, 2, 1]


def test_one_changed_character_breaks_the_signature(bench):
    signed = documents.signed_file(issue_certificate(bench))
    assert signing.verify_signed(signed, trusted_keys=keys.trusted_keys()).valid
    signed["certificate"]["number"] = signed["certificate"]["number"][:-1] + "9"
    assert not signing.verify_signed(signed, trusted_keys=keys.trusted_keys()).valid


def test_unqualified_verifier_is_refused(bench):
    with pytest.raises(DomainError) as err:
        issue_certificate(bench, verifier=bench.novice)
    assert "没有“" in err.value.message and "检定员资格" in err.value.message
    assert not Certificate.objects.exists()


def test_expired_qualification_is_refused(bench):
    with pytest.raises(DomainError, match="检定员资格"):
        issue_certificate(bench, performed_on=bench.today - timedelta(days=800))


def test_expired_standard_is_refused(bench):
    with pytest.raises(DomainError) as err:
        issue_certificate(bench, standard_ids=[bench.expired_standard.pk])
    assert "无效" in err.value.message and "考核证书已过期" in err.value.message
    assert err.value.errors[0][0] == "standard_ids"


def test_same_person_as_verifier_and_checker_is_refused(bench):
    with pytest.raises(DomainError, match="检定员和核验员不能是同一人"):
        issue_certificate(bench, checker_id=bench.verifier.pk)


def test_approver_must_differ_too(bench):
    with pytest.raises(DomainError, match="批准人"):
        issue_certificate(bench, approver_id=bench.checker.pk)


def test_the_database_refuses_the_same_signatory_twice(bench):
    certificate = issue_certificate(bench)
    record = certificate.record
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationRecord.objects.create(
            instrument=record.instrument,
            institute=record.institute,
            performed_on=record.performed_on,
            conclusion="pass",
            verifier=bench.verifier,
            checker=bench.verifier,
            approver=bench.approver,
        )


def test_future_date_missing_mpe_and_no_standard_are_refused(bench):
    with pytest.raises(DomainError) as err:
        issue_certificate(
            bench,
            performed_on=bench.today + timedelta(days=1),
            standard_ids=[],
            points=[{"reference": "1", "indicated": "1.001"}],
        )
    fields = {f for f, _m in err.value.errors}
    assert {"performed_on", "standard_ids", "points"} <= fields


def test_a_standard_of_another_institute_is_refused(bench):
    with pytest.raises(DomainError, match="不属于本机构"):
        issue_certificate(bench, standard_ids=[bench.lab.county_standard.pk])


def test_without_authorization_the_institute_cannot_verify(bench):
    bench.authorization.revoked_on = bench.today - timedelta(days=1)
    bench.authorization.save()
    with pytest.raises(DomainError, match="授权"):
        issue_certificate(bench)


def test_a_calibration_needs_u_and_k_and_states_no_verdict(bench):
    with pytest.raises(DomainError) as err:
        issue_certificate(bench, kind="calibration")
    assert {f for f, _m in err.value.errors} >= {"expanded_uncertainty", "coverage_factor"}
    certificate = issue_certificate(
        bench,
        kind="calibration",
        expanded_uncertainty="0.8 g",
        coverage_factor="2",
        points=[{"reference": "1", "indicated": "1.0004"}],
    )
    assert certificate.kind == Certificate.Kind.CALIBRATION
    assert certificate.record.conclusion == VerificationRecord.Conclusion.CALIBRATED
    point = certificate.record.points.get()
    assert point.passed is None and str(point.error.normalize()) == "0.0004"
    assert certificate.document["results"]["coverage_factor"] == "2"


def test_outsiders_cannot_record(bench, city):
    for user in (city.owner_a_user, city.city_regulator, bench.lab.county_institute_user):
        with pytest.raises(NotFoundOrForbidden):
            draft_save(actor=user, request_item_id=bench.items[0].pk, **record_values(bench))


def test_a_request_not_accepted_yet_takes_no_record(bench):
    type(bench.request).objects.filter(pk=bench.request.pk).update(status="submitted")
    with pytest.raises(DomainError, match="不能录入检定记录"):
        issue_certificate(bench)


def test_issued_certificate_cannot_be_edited_or_deleted_through_the_models(bench):
    certificate = issue_certificate(bench)
    certificate.valid_until = certificate.valid_until + timedelta(days=365)
    with pytest.raises(ImmutableRecordError):
        certificate.save()
    with pytest.raises(ImmutableRecordError):
        certificate.delete()
    with pytest.raises(ImmutableRecordError):
        Certificate.objects.filter(pk=certificate.pk).update(valid_until=None)
    with pytest.raises(ImmutableRecordError):
        ReadingPoint.objects.filter(record=certificate.record).delete()
    certificate.refresh_from_db()
    assert certificate.valid_until.isoformat() == certificate.document["valid_until"]


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_in_sql(bench):
    if connection.vendor != "postgresql":
        pytest.skip("the immutability trigger exists on PostgreSQL only (CI runs this on PostgreSQL)")
    certificate = issue_certificate(bench)
    for sql in (
        "UPDATE verification_certificate SET valid_until = valid_until + 365 WHERE id = %s",
        "DELETE FROM verification_certificate WHERE id = %s",
        "UPDATE verification_readingpoint SET indicated = 0 WHERE record_id = %s",
    ):
        params = [certificate.pk if "certificate" in sql else certificate.record_id]
        with (
            pytest.raises(IntegrityError, match="never edited or deleted"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, params)


def test_correction_supersedes_and_both_stay_visible(bench):
    old = issue_certificate(bench)
    new = correct_certificate(bench, old, reason="温度录入错误", temperature="21.0 ℃")
    assert new.supersedes_id == old.pk and new.number != old.number
    assert new.record.corrects_id == old.record_id
    assert new.document["supersedes"] == old.number
    assert new.document["conditions"]["temperature"] == "21.0 ℃"
    old = Certificate.objects.get(pk=old.pk)
    assert certificate_status(old, bench.today) == CertificateStatus.SUPERSEDED
    assert certificate_status(new, bench.today) == CertificateStatus.VALID
    instrument = new.instrument
    instrument.refresh_from_db()
    assert instrument.last_verification_id == new.record_id
    with pytest.raises(DomainError, match="已被更正证书替代"):
        certificate_correct(actor=bench.verifier.user, certificate_id=old.pk, reason="再改", place="x")


def test_a_correction_is_checked_like_a_new_record(bench):
    old = issue_certificate(bench)
    with pytest.raises(DomainError, match="检定员和核验员不能是同一人"):
        certificate_correct(
            actor=bench.verifier.user, certificate_id=old.pk, reason="换人", checker_id=bench.verifier.pk
        )
    with pytest.raises(DomainError, match="不能更正"):
        certificate_correct(actor=bench.verifier.user, certificate_id=old.pk, reason="改编号", number="X")


def test_a_corrected_reading_that_fails_turns_into_a_failure_notice(bench):
    old = issue_certificate(bench)
    new = correct_certificate(
        bench,
        old,
        reason="读数抄错",
        points=[{"label": "10 kg", "reference": "10", "indicated": "10.05", "mpe": "0.01"}],
    )
    assert new.kind == Certificate.Kind.FAILURE_NOTICE
    instrument = new.instrument
    instrument.refresh_from_db()
    # The pass no longer stands: the last valid verification is the declared one from before.
    assert instrument.last_verification.source == VerificationRecord.Source.DECLARED
    assert tally.differences() == {}


def test_revocation_needs_a_reason_and_moves_the_due_date_back(bench):
    certificate = issue_certificate(bench)
    with pytest.raises(DomainError, match="原因"):
        certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=" ")
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason="标准器溯源证书失效")
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate_status(certificate, bench.today) == CertificateStatus.REVOKED
    instrument = certificate.instrument
    instrument.refresh_from_db()
    assert instrument.last_verification.source == VerificationRecord.Source.DECLARED
    assert tally.differences() == {}
    with pytest.raises(DomainError, match="已撤销"):
        certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason="again")


def test_only_the_issuing_institute_corrects_or_revokes(bench, city):
    certificate = issue_certificate(bench)
    for user in (city.owner_a_user, city.city_regulator, bench.lab.county_institute_user):
        with pytest.raises(NotFoundOrForbidden):
            certificate_revoke(actor=user, certificate_id=certificate.pk, reason="x")
