"""The public check of an instrument stopped as failed (停用（检定不合格）, issue 13 item 5): a genuine passing certificate
of an instrument that failed since answers "stopped" with the notice's number and day, from the notice's signed
document; the notice that stops it says the instrument is stopped; a later pass ends both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.instruments.models import Instrument
from jiliang.portal import selectors
from jiliang.portal.selectors import public_answer
from jiliang.verification.models import Certificate
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import issue_certificate

pytestmark = pytest.mark.django_db


def _answer(certificate, today):
    return public_answer(selectors.certificate_by_token(certificate.token), today)


def _page(client, certificate) -> str:
    return client.get(reverse("portal:token", args=[certificate.token])).content.decode()


@pytest.fixture
def passed_then_failed(bench):
    passed = issue_certificate(bench, performed_on=bench.today - timedelta(days=10))
    notice = issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=2))
    return passed, notice


def test_a_valid_certificate_of_an_instrument_failed_since_answers_stopped(bench, passed_then_failed):
    passed, notice = passed_then_failed
    answer = _answer(passed, bench.today)
    assert (answer["status"], answer["status_label"]) == ("stopped", "器具已停用（检定不合格）")
    assert (answer["stopped_by"], answer["stopped_on"]) == (notice.number, bench.today - timedelta(days=2))
    assert answer["signature_valid"] is True and answer["stops_instrument"] is False


def test_the_notice_that_stops_the_instrument_says_so(bench, passed_then_failed):
    _passed, notice = passed_then_failed
    answer = _answer(notice, bench.today)
    assert answer["status"] == "failed" and answer["stops_instrument"] is True
    assert answer["stopped_by"] is None


def test_the_pages_say_it(client, bench, passed_then_failed):
    passed, notice = passed_then_failed
    page = _page(client, passed)
    assert "器具已停用（检定不合格）" in page and notice.number in page
    assert "已停用，不得用于贸易结算等法定用途" in page
    assert "已停用" in _page(client, notice)


def test_a_later_pass_ends_it_and_the_old_notice_no_longer_says_stopped(bench, passed_then_failed):
    passed, notice = passed_then_failed
    issue_certificate(bench)
    assert _answer(passed, bench.today)["status"] == "valid"
    answer = _answer(notice, bench.today)
    assert answer["status"] == "failed" and answer["stops_instrument"] is False


def test_revoking_the_notice_gives_the_certificate_back_its_own_status(bench, passed_then_failed):
    passed, notice = passed_then_failed
    certificate_revoke(actor=bench.institute_user, certificate_id=notice.pk, reason="误判")
    assert _answer(passed, bench.today)["status"] == "valid"
    assert _answer(notice, bench.today)["status"] == "revoked"


def test_a_registry_pointing_at_another_instruments_notice_is_not_believed(bench, passed_then_failed):
    passed, _notice = passed_then_failed
    other_notice = issue_certificate(bench, item=1, passed=False)
    # Someone with write access to the database points the scale at the other scale's (genuine) notice.
    Instrument.objects.filter(pk=passed.instrument_id).update(failure_notice=other_notice)
    answer = _answer(passed, bench.today)
    assert answer["status"] == "signature_failed" and answer["number"] is None


def test_still_one_query_per_check(bench, passed_then_failed, django_assert_num_queries):
    passed, _notice = passed_then_failed
    with django_assert_num_queries(1):
        selectors.certificate_by_token(passed.token)
    assert Certificate.objects.filter(pk=passed.pk).exists()
