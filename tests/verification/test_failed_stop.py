"""A failed instrument is stopped (issue 13, item 5): the rule as verification applies it after every issue,
correction and revocation (``services.records._refresh_instrument``), through the registry's services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.core.errors import DomainError
from jiliang.core.models import AuditEvent
from jiliang.instruments import services, tally
from jiliang.instruments.models import Instrument
from jiliang.verification.models import Certificate
from jiliang.verification.services.certificates import certificate_revoke

from ..builders.verification import PASSING_POINTS, correct_certificate, issue_certificate

pytestmark = pytest.mark.django_db

FAILED = Instrument.StopReason.FAILED_VERIFICATION


def _fresh(instrument: Instrument) -> Instrument:
    return Instrument.objects.get(pk=instrument.pk)


def test_a_failure_notice_stops_the_instrument_as_failed_since_the_verification_day(bench):
    notice = issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=2))
    assert notice.kind == Certificate.Kind.FAILURE_NOTICE
    scale = _fresh(bench.instruments[0])
    assert scale.status == Instrument.Status.STOPPED
    assert scale.stop_reason == FAILED
    assert scale.stopped_on == bench.today - timedelta(days=2)
    assert scale.failure_notice_id == notice.pk
    assert scale.stopped_as_failed
    assert scale.status_label == "停用（检定不合格）"
    event = AuditEvent.objects.filter(action="instrument.mark_failed", object_id=str(scale.pk)).get()
    # The approver's act issued the notice and stopped the instrument.
    assert event.actor == bench.approver.user
    assert event.changes["status"] == ["in_use", "stopped"]
    # Stopped: out of the in-use mandatory instruments the due tally counts (not valid, not overdue).
    assert tally.key_of(scale) is None
    assert tally.differences() == {}
    # The other scale of the request is untouched.
    assert _fresh(bench.instruments[1]).status == Instrument.Status.IN_USE


def test_a_pass_afterwards_puts_it_back_in_use(bench):
    issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=5))
    certificate = issue_certificate(bench, passed=True)
    scale = _fresh(bench.instruments[0])
    assert scale.status == Instrument.Status.IN_USE
    assert (scale.stop_reason, scale.stopped_on, scale.failure_notice_id) == ("", None, None)
    assert scale.last_verification_id == certificate.record_id
    assert AuditEvent.objects.filter(action="instrument.clear_failure", object_id=str(scale.pk)).count() == 1
    assert tally.differences() == {}


def test_a_pass_dated_before_the_failure_does_not_end_it(bench):
    issue_certificate(bench, passed=False)
    issue_certificate(bench, passed=True, performed_on=bench.today - timedelta(days=3))
    assert _fresh(bench.instruments[0]).stopped_as_failed


def test_a_failure_after_a_pass_stops_it_although_the_pass_stays_its_last_valid_verification(bench):
    passed = issue_certificate(bench, passed=True, performed_on=bench.today - timedelta(days=3))
    notice = issue_certificate(bench, passed=False)
    scale = _fresh(bench.instruments[0])
    assert scale.stopped_as_failed and scale.failure_notice_id == notice.pk
    assert scale.last_verification_id == passed.record_id


def test_revoking_the_failure_notice_rederives_the_state(bench, city):
    notice = issue_certificate(bench, passed=False)
    certificate_revoke(actor=bench.institute_user, certificate_id=notice.pk, reason="误判")
    scale = _fresh(bench.instruments[0])
    assert scale.status == Instrument.Status.IN_USE
    assert scale.stop_reason == ""
    assert tally.differences() == {}


def test_revoking_a_later_failure_notice_falls_back_to_an_earlier_failure(bench):
    first = issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=4))
    second = issue_certificate(bench, passed=False)
    assert _fresh(bench.instruments[0]).failure_notice_id == second.pk
    certificate_revoke(actor=bench.institute_user, certificate_id=second.pk, reason="重复出具")
    scale = _fresh(bench.instruments[0])
    assert scale.stopped_as_failed
    assert (scale.failure_notice_id, scale.stopped_on) == (first.pk, first.record.performed_on)


def test_correcting_the_failure_notice_into_a_pass_puts_it_back_in_use(bench):
    notice = issue_certificate(bench, passed=False)
    correct_certificate(bench, notice, reason="读数录错", points=PASSING_POINTS)
    assert _fresh(bench.instruments[0]).status == Instrument.Status.IN_USE


def test_correcting_a_pass_into_a_failure_stops_it_by_the_new_notice(bench):
    passed = issue_certificate(bench, passed=True)
    notice = correct_certificate(
        bench,
        passed,
        reason="读数录错",
        points=[{**PASSING_POINTS[0]}, {**PASSING_POINTS[1], "indicated": "10.020"}],
    )
    assert notice.kind == Certificate.Kind.FAILURE_NOTICE
    scale = _fresh(bench.instruments[0])
    assert scale.stopped_as_failed and scale.failure_notice_id == notice.pk


def test_the_owner_cannot_put_a_failed_instrument_back_in_use(bench, city):
    issue_certificate(bench, passed=False)
    scale = bench.instruments[0]
    for actor in (city.owner_a_user, city.county_regulator_a):
        with pytest.raises(DomainError) as refused:
            services.instrument_set_status(actor=actor, instrument_id=scale.pk, status="in_use", reason="已修好")
        assert [field for field, _ in refused.value.errors] == ["status"]
    assert _fresh(scale).stopped_as_failed


def test_editing_a_failed_instrument_keeps_it_stopped(bench, city):
    issue_certificate(bench, passed=False)
    scale = services.instrument_update(
        actor=city.owner_a_user, instrument_id=bench.instruments[0].pk, location="二号摊位"
    )
    assert _fresh(scale).stopped_as_failed


def test_scrapping_a_failed_instrument_ends_the_stop_and_nothing_revives_it(bench, city):
    notice = issue_certificate(bench, passed=False)
    scale = bench.instruments[0]
    services.instrument_set_status(
        actor=city.owner_a_user, instrument_id=scale.pk, status="scrapped", reason="无法修复"
    )
    scrapped = _fresh(scale)
    assert scrapped.status == Instrument.Status.SCRAPPED
    assert (scrapped.stop_reason, scrapped.stopped_on, scrapped.failure_notice_id) == ("", None, None)
    certificate_revoke(actor=bench.institute_user, certificate_id=notice.pk, reason="误判")
    assert _fresh(scale).status == Instrument.Status.SCRAPPED


def test_an_owners_own_stop_is_not_undone_by_a_pass(bench, city):
    scale = bench.instruments[0]
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=scale.pk, status="stopped", reason="送修")
    stopped = _fresh(scale)
    assert (stopped.status, stopped.stop_reason, stopped.stopped_on) == ("stopped", "", bench.today)
    issue_certificate(bench, passed=True)
    assert _fresh(scale).status == Instrument.Status.STOPPED


def test_a_failure_takes_over_an_owners_stop_and_a_later_pass_ends_it(bench, city):
    scale = bench.instruments[0]
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=scale.pk, status="stopped", reason="送修")
    issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=1))
    assert _fresh(scale).stopped_as_failed
    with pytest.raises(DomainError):
        services.instrument_set_status(actor=city.owner_a_user, instrument_id=scale.pk, status="in_use", reason="x")
    issue_certificate(bench, passed=True)
    assert _fresh(scale).status == Instrument.Status.IN_USE


def test_a_failed_instrument_may_be_sent_for_verification_again_and_an_owners_stopped_one_may_not(bench, city):
    from jiliang.verification.models import ServiceRequest
    from jiliang.verification.services.requests import request_complete, request_start, request_submit

    issue_certificate(bench, passed=False)
    issue_certificate(bench, item=1, passed=True)
    request_start(actor=bench.institute_user, request_id=bench.request.pk)
    request_complete(actor=bench.institute_user, request_id=bench.request.pk)
    failed, other = bench.instruments
    services.instrument_set_status(actor=city.owner_a_user, instrument_id=other.pk, status="stopped", reason="送修")
    values = dict(service="verification", place=ServiceRequest.Place.SEND_IN, contact="王经理", phone="0418-1234567")
    with pytest.raises(DomainError) as refused:
        request_submit(actor=city.owner_a_user, instrument_ids=[failed.pk, other.pk], **values)
    assert "PS-2" in refused.value.message and "PS-1" not in refused.value.message
    request = request_submit(actor=city.owner_a_user, instrument_ids=[failed.pk], **values)
    assert [item.instrument_id for item in request.items.all()] == [failed.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0006_stops_instruments_whose_latest_verification_failed(bench):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    notice = issue_certificate(bench, passed=False)
    issue_certificate(bench, item=1, passed=False, performed_on=bench.today - timedelta(days=3))
    issue_certificate(bench, item=1, passed=True)
    failed, passed = bench.instruments
    # As stored before the migration: every instrument in use, the tally counting them.
    Instrument.objects.filter(pk=failed.pk).update(
        status="in_use", stop_reason="", stopped_on=None, failure_notice=None
    )
    tally.rebuild()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        MigrationExecutor(connection).migrate([("instruments", "0005_last_verification_record")])
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    stopped = _fresh(failed)
    assert stopped.stopped_as_failed
    assert (stopped.failure_notice_id, stopped.stopped_on) == (notice.pk, bench.today)
    assert _fresh(passed).status == Instrument.Status.IN_USE
    assert tally.differences() == {}


def test_reminders_leave_out_an_instrument_stopped_as_failed(bench):
    from jiliang.notices.services import reminders_due

    issue_certificate(bench, passed=False)
    failed, other = (_fresh(i) for i in bench.instruments)
    assert failed.due_on == other.due_on is not None
    picked = reminders_due(failed.due_on + timedelta(days=1))
    assert [item["instrument"] for item in picked[failed.owner_id]] == [other.pk]


def test_a_failed_instrument_is_not_counted_as_covered_by_its_earlier_pass(bench, city):
    from jiliang.indicators.selectors.definitions import coverage

    issue_certificate(bench, passed=True, performed_on=bench.today - timedelta(days=10))
    issue_certificate(bench, item=1, passed=True, performed_on=bench.today - timedelta(days=10))
    before = coverage(city=city.city, counties=[city.county_a, city.county_b], day=bench.today)[city.county_a.pk]
    assert (before.numerator, before.denominator) == (2, 2)
    issue_certificate(bench, passed=False)
    # Stopped, so out of the in-use mandatory instruments: its earlier pass no longer makes it "covered".
    after = coverage(city=city.city, counties=[city.county_a, city.county_b], day=bench.today)[city.county_a.pk]
    assert (after.numerator, after.denominator) == (1, 1)
