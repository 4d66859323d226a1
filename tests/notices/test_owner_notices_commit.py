"""Owner notices with real commits (no test transaction around them): sent when the change commits, never when it
rolls back, and once when two sending jobs race (PostgreSQL, each job in its own thread and connection)."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction

from jiliang.notices import owner_notices
from jiliang.notices.models import Notification, OwnerNotice
from jiliang.verification.models import ServiceRequest
from jiliang.verification.services import requests as svc
from tests.builders.verification import issue_certificate

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = OwnerNotice.Status


class Boom(Exception):
    pass


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def test_a_committed_change_is_sent_on_commit_and_the_job_sends_it_no_more(city, submitted, sms_outbox):
    assert not connection.in_atomic_block
    svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1
    notice = OwnerNotice.objects.get()
    assert (notice.email_status, notice.sms_status) == (Status.SENT, Status.SENT)
    call_command("send_notices", stdout=_Sink())
    call_command("send_notices", stdout=_Sink())
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_a_change_rolled_back_by_its_caller_sends_nothing(city, submitted, sms_outbox):
    with pytest.raises(Boom), transaction.atomic():
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
        raise Boom
    assert not OwnerNotice.objects.exists() and not Notification.objects.exists()
    call_command("send_notices", stdout=_Sink())
    assert not mail.outbox and not sms_outbox
    assert ServiceRequest.objects.get(pk=submitted.pk).status == ServiceRequest.Status.SUBMITTED


@pytest.mark.postgres
def test_two_jobs_racing_in_two_connections_send_each_notice_once(city, submitted, bench, sms_outbox, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serializes the writers anyway")
    # Leave the notices pending, as a process that died after its commits would.
    ServiceRequest.objects.filter(pk=bench.request.pk).update(phone="13900001111")
    monkeypatch.setattr(owner_notices, "owner_notice_deliver", lambda notice_id: None)
    svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    issue_certificate(bench, item=0)
    issue_certificate(bench, item=1)
    monkeypatch.undo()
    assert OwnerNotice.objects.filter(email_status=Status.PENDING, sms_status=Status.PENDING).count() == 3
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def job(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = owner_notices.owner_notices_deliver_pending()
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(o, owner_notices.DeliverySummary) for o in outcomes), outcomes
    assert len(mail.outbox) == 3 and len(sms_outbox) == 3
    assert sum(o.emails_sent for o in outcomes) == 3 and sum(o.sms_sent for o in outcomes) == 3
    assert set(OwnerNotice.objects.values_list("email_attempts", "sms_attempts")) == {(1, 1)}
