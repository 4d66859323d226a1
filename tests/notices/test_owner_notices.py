"""Notices to the owner on its requests and certificates: one in-app notice, one e-mail, one text message per event,
sent after the commit and once, whatever runs the sending job and how often."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from jiliang.notices import owner_notices, sms
from jiliang.notices.models import Kind, Notification, OwnerNotice
from jiliang.verification.models import Certificate, ServiceRequest
from jiliang.verification.services import requests as svc
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import correct_certificate, issue_certificate

from .conftest import PHONE

pytestmark = pytest.mark.django_db

Status = OwnerNotice.Status


class Boom(Exception):
    pass


class FailingEmailBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


class RecordingBackend(sms.BaseBackend):
    """A city's provider, as plugged in by the setting."""

    sent: list[sms.SmsMessage] = []

    def send(self, message: sms.SmsMessage) -> None:
        RecordingBackend.sent.append(message)


class RefusingBackend(sms.BaseBackend):
    def send(self, message: sms.SmsMessage) -> None:
        raise RuntimeError("provider refused: template not approved")


def one_notice(owner, kind) -> tuple[Notification, OwnerNotice]:
    notices = list(OwnerNotice.objects.filter(owner=owner))
    assert [n.kind for n in notices] == [kind]
    notifications = list(Notification.objects.filter(organization=owner).exclude(kind=Kind.DUE_REMINDER))
    assert [n.kind for n in notifications] == [kind]
    assert notices[0].notification == notifications[0]
    return notifications[0], notices[0]


def event_action(kind: str) -> str:
    return {v: k for k, v in owner_notices.REQUEST_KINDS.items()}[kind]


@pytest.fixture
def bench_phone(bench):
    ServiceRequest.objects.filter(pk=bench.request.pk).update(phone=PHONE)
    return bench


# ---- each event: one in-app notice, one e-mail, one text message ---------------------------------------------------


@pytest.mark.parametrize(
    ("act", "kind", "words"),
    [
        (lambda r, u: svc.request_accept(actor=u, request_id=r.pk), Kind.REQUEST_ACCEPTED, ["已受理", "办结时限"]),
        (
            lambda r, u: svc.request_return(actor=u, request_id=r.pk, reason="缺少器具照片"),
            Kind.REQUEST_RETURNED,
            ["退回补正", "退回原因：缺少器具照片"],
        ),
        (
            lambda r, u: svc.request_reject(actor=u, request_id=r.pk, reason="不在授权范围内"),
            Kind.REQUEST_REJECTED,
            ["不予受理", "原因：不在授权范围内"],
        ),
    ],
    ids=["accept", "return", "reject"],
)
def test_a_request_decision_notifies_the_owner_once_on_every_channel(
    city, submitted, sms_outbox, django_capture_on_commit_callbacks, act, kind, words
):
    with django_capture_on_commit_callbacks(execute=True):
        act(submitted, city.institute_user)
    notification, notice = one_notice(city.owner_a, kind)
    assert notification.link == f"/requests/{submitted.pk}/"
    assert submitted.number in notification.title
    for word in words:
        assert word in notification.title + notification.body
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.cn"] and message.subject == notification.title
    assert f"/requests/{submitted.pk}/" in message.body and "请勿回复" in message.body
    assert [(m.phone, m.template) for m in sms_outbox] == [(PHONE, kind)]
    assert submitted.number in sms_outbox[0].text
    event = submitted.events.order_by("-pk").first()
    assert notice.key == f"request.{event_action(kind)}:{submitted.pk}:{event.pk}"
    notice.refresh_from_db()
    assert (notice.email_status, notice.sms_status) == (Status.SENT, Status.SENT)
    assert notice.email_sent_at and notice.sms_sent_at and (notice.email_attempts, notice.sms_attempts) == (1, 1)


def test_the_reason_travels_in_the_text_message(city, submitted, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_return(actor=city.institute_user, request_id=submitted.pk, reason="缺少器具照片")
    assert "缺少器具照片" in sms_outbox[0].text
    assert sms_outbox[0].params["reason"] == "缺少器具照片"


@pytest.mark.parametrize(
    ("place", "words"),
    [
        (ServiceRequest.Place.ON_SITE, ["现场检定", "到贵单位现场检定"]),
        (ServiceRequest.Place.SEND_IN, ["送检", "请于当日将器具送至 市计量测试所"]),
    ],
)
def test_scheduling_tells_the_date_and_the_place(
    city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks, place, words
):
    ServiceRequest.objects.filter(pk=bench_phone.request.pk).update(place=place)
    day = bench_phone.today + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_schedule(actor=city.institute_user, request_id=bench_phone.request.pk, scheduled_on=day)
    notification, _notice = one_notice(city.owner_a, Kind.REQUEST_SCHEDULED)
    text = notification.title + notification.body
    assert day.isoformat() in notification.title
    for word in words:
        assert word in text
    assert len(mail.outbox) == 1
    assert sms_outbox[0].params["date"] == day.isoformat()
    assert sms_outbox[0].params["place"] == words[0]
    assert day.isoformat() in sms_outbox[0].text and words[0] in sms_outbox[0].text


def test_rescheduling_is_a_new_notice(city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks):
    request_id = bench_phone.request.pk
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_schedule(actor=city.institute_user, request_id=request_id, scheduled_on=bench_phone.today)
        svc.request_schedule(
            actor=city.institute_user, request_id=request_id, scheduled_on=bench_phone.today + timedelta(days=1)
        )
    keys = list(OwnerNotice.objects.order_by("pk").values_list("key", flat=True))
    assert len(keys) == 2 and len(set(keys)) == 2 and all(k.startswith(f"request.schedule:{request_id}:") for k in keys)
    assert len(mail.outbox) == 2 and len(sms_outbox) == 2


def test_issuing_a_certificate_notifies_with_number_instrument_and_link(
    city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue_certificate(bench_phone)
    assert certificate.kind == Certificate.Kind.VERIFICATION
    notification, notice = one_notice(city.owner_a, Kind.CERTIFICATE_ISSUED)
    assert notice.key == f"certificate.issue:{certificate.pk}"
    assert notification.link == f"/certificates/{certificate.pk}/"
    assert certificate.number in notification.title
    assert "PS-1" in notification.body and "检定证书" in notification.title
    assert len(mail.outbox) == 1 and f"/certificates/{certificate.pk}/" in mail.outbox[0].body
    assert [m.phone for m in sms_outbox] == [PHONE]
    assert certificate.number in sms_outbox[0].text and "PS-1" in sms_outbox[0].params["instrument"]


def test_a_failed_verification_notifies_the_failure_notice(
    city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue_certificate(bench_phone, passed=False)
    assert certificate.kind == Certificate.Kind.FAILURE_NOTICE
    notification, _notice = one_notice(city.owner_a, Kind.FAILURE_NOTICE_ISSUED)
    assert certificate.number in notification.title and "不合格" in notification.title
    assert "不得继续使用" in notification.body
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_a_correction_tells_both_numbers_and_links_the_new_certificate(
    city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks
):
    old = issue_certificate(bench_phone)  # its own notice, not delivered here (no commit callbacks run)
    with django_capture_on_commit_callbacks(execute=True):
        new = correct_certificate(bench_phone, old, reason="温度录入错误", temperature="21.0 ℃")
    notice = OwnerNotice.objects.get(kind=Kind.CERTIFICATE_SUPERSEDED)
    assert notice.key == f"certificate.issue:{new.pk}"
    assert old.number in notice.title and new.number in notice.title
    assert notice.link == f"/certificates/{new.pk}/"
    assert [m.subject for m in mail.outbox] == [notice.title]
    assert [m.template for m in sms_outbox] == [Kind.CERTIFICATE_SUPERSEDED]


def test_a_revocation_tells_the_reason(city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks):
    certificate = issue_certificate(bench_phone)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(actor=city.institute_user, certificate_id=certificate.pk, reason="所用标准器已失效")
    notice = OwnerNotice.objects.get(kind=Kind.CERTIFICATE_REVOKED)
    assert notice.key == f"certificate.revoke:{certificate.pk}"
    assert certificate.number in notice.title and "撤销原因：所用标准器已失效" in notice.body
    assert notice.link == f"/certificates/{certificate.pk}/"
    assert len(mail.outbox) == 1 and "所用标准器已失效" in sms_outbox[0].text


def test_completion_is_notified_and_start_is_not(
    city, bench_phone, owner_a_mail, sms_outbox, django_capture_on_commit_callbacks
):
    request_id = bench_phone.request.pk
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_start(actor=city.institute_user, request_id=request_id)
    assert not OwnerNotice.objects.exists() and not mail.outbox and not sms_outbox
    issue_certificate(bench_phone, item=0)
    issue_certificate(bench_phone, item=1)
    OwnerNotice.objects.all().delete()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_complete(actor=city.institute_user, request_id=request_id)
    notification, _notice = one_notice(city.owner_a, Kind.REQUEST_COMPLETED)
    assert bench_phone.request.number in notification.title and "办结" in notification.title
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_the_owners_own_acts_are_not_notified(city, submitted, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_return(actor=city.institute_user, request_id=submitted.pk, reason="补充照片")
    OwnerNotice.objects.all().delete()
    Notification.objects.all().delete()
    mail.outbox.clear()
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_resubmit(actor=city.owner_a_user, request_id=submitted.pk, note="已补充")
        svc.request_withdraw(actor=city.owner_a_user, request_id=submitted.pk)
    assert not OwnerNotice.objects.exists() and not Notification.objects.exists()
    assert not mail.outbox and not sms_outbox


# ---- sent after the commit, once ------------------------------------------------------------------------------------


def test_nothing_is_sent_before_the_commit(city, submitted, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
        assert OwnerNotice.objects.get().email_status == Status.PENDING
        assert not mail.outbox and not sms_outbox
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_a_rolled_back_change_sends_nothing(city, submitted, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
            assert OwnerNotice.objects.count() == 1
            raise Boom
    assert callbacks == []
    assert not OwnerNotice.objects.exists() and not Notification.objects.exists()
    call_command("send_notices", stdout=_Sink())
    assert not mail.outbox and not sms_outbox
    assert ServiceRequest.objects.get(pk=submitted.pk).status == ServiceRequest.Status.SUBMITTED


def test_the_job_twice_after_the_commit_sends_nothing_more(
    city, submitted, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    call_command("send_notices", stdout=_Sink())
    call_command("send_notices", "--retry-failed", stdout=_Sink())
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_the_job_delivers_what_a_dead_process_left_pending_once_however_often_it_runs(
    city, submitted, bench_phone, sms_outbox
):
    # No commit callback runs here (the test's transaction never commits): as if the process died after the commit.
    svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    issue_certificate(bench_phone)
    assert OwnerNotice.objects.filter(email_status=Status.PENDING, sms_status=Status.PENDING).count() == 2
    assert not mail.outbox and not sms_outbox
    out = _Sink()
    call_command("send_notices", stdout=out)
    assert "e-mails sent: 2" in out.text and "text messages sent: 2" in out.text
    call_command("send_notices", stdout=_Sink())
    owner_notices.owner_notices_deliver_pending()
    assert len(mail.outbox) == 2 and len(sms_outbox) == 2
    assert set(OwnerNotice.objects.values_list("email_status", "sms_status")) == {(Status.SENT, Status.SENT)}
    assert set(OwnerNotice.objects.values_list("email_attempts", "sms_attempts")) == {(1, 1)}


def test_two_jobs_running_at_once_send_each_notice_once(city, submitted, bench_phone, sms_outbox, monkeypatch):
    """The second run starts while the first is sending its first e-mail: both listed the same pending rows."""
    svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    issue_certificate(bench_phone, item=0)
    issue_certificate(bench_phone, item=1)
    assert OwnerNotice.objects.filter(email_status=Status.PENDING).count() == 3
    real_send_mail = owner_notices.send_mail
    inner: list[owner_notices.DeliverySummary] = []
    started: list[bool] = []

    def send_mail_while_another_run_starts(*args, **kwargs):
        if not started:
            started.append(True)
            inner.append(owner_notices.owner_notices_deliver_pending())
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(owner_notices, "send_mail", send_mail_while_another_run_starts)
    outer = owner_notices.owner_notices_deliver_pending()
    assert len(mail.outbox) == 3 and len(sms_outbox) == 3
    assert sorted(m.key for m in sms_outbox) == sorted(OwnerNotice.objects.values_list("key", flat=True))
    # Each channel was sent by exactly one of the two runs.
    assert outer.emails_sent + inner[0].emails_sent == 3 and outer.sms_sent + inner[0].sms_sent == 3
    assert outer.skipped + inner[0].skipped == 6  # every channel found claimed by the other run once
    assert set(OwnerNotice.objects.values_list("email_attempts", "sms_attempts")) == {(1, 1)}


def test_a_notice_is_recorded_once_per_event(city, bench_phone, owner_a_mail, sms_outbox):
    from jiliang.verification import signals

    certificate = issue_certificate(bench_phone)
    signals.certificate_issued.send(Certificate, certificate=certificate, actor=city.institute_user)
    assert OwnerNotice.objects.filter(key=f"certificate.issue:{certificate.pk}").count() == 1
    assert Notification.objects.filter(kind=Kind.CERTIFICATE_ISSUED).count() == 1


# ---- failures and missing addresses -------------------------------------------------------------------------------


def test_a_failing_mail_server_marks_the_e_mail_failed_and_keeps_the_in_app_notice(
    city, submitted, sms_outbox, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        request = svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    assert request.status == ServiceRequest.Status.ACCEPTED
    _notification, notice = one_notice(city.owner_a, Kind.REQUEST_ACCEPTED)
    notice.refresh_from_db()
    assert notice.email_status == Status.FAILED and "smtp down" in notice.email_error
    assert notice.sms_status == Status.SENT and len(sms_outbox) == 1
    # The job does not retry on its own; asked to, it sends the e-mail once and the text message not again.
    call_command("send_notices", stdout=_Sink())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notices", "--retry-failed", stdout=_Sink())
    call_command("send_notices", "--retry-failed", stdout=_Sink())
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1
    notice.refresh_from_db()
    assert (notice.email_status, notice.email_attempts, notice.email_error) == (Status.SENT, 2, "")


def test_retries_stop_after_the_last_attempt(city, submitted, sms_outbox, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    for _ in range(owner_notices.MAX_ATTEMPTS + 2):
        call_command("send_notices", "--retry-failed", stdout=_Sink(), stderr=_Sink())
    notice = OwnerNotice.objects.get()
    assert (notice.email_status, notice.email_attempts) == (Status.FAILED, owner_notices.MAX_ATTEMPTS)


def test_an_owner_without_addresses_gets_the_in_app_notice_only(
    city, bench, sms_outbox, django_capture_on_commit_callbacks
):
    city.owner_a.phone = ""
    city.owner_a.save(update_fields=["phone"])
    type(city.owner_a_user).objects.filter(organization=city.owner_a).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_schedule(actor=city.institute_user, request_id=bench.request.pk, scheduled_on=bench.today)
    _notification, notice = one_notice(city.owner_a, Kind.REQUEST_SCHEDULED)
    assert (notice.email_status, notice.sms_status) == (Status.NO_ADDRESS, Status.NO_ADDRESS)
    assert not mail.outbox and not sms_outbox


def test_inactive_users_and_other_organizations_get_no_e_mail(
    city, submitted, owner_b_mail, sms_outbox, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(organization=city.owner_a, email="gone@example.cn", is_active=False)
    UserFactory(organization=city.owner_a, email="a@example.cn")  # the same address once
    UserFactory(organization=city.owner_a, email="a2@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    assert [m.to for m in mail.outbox] == [["a@example.cn", "a2@example.cn"]]


# ---- the text-message backends ------------------------------------------------------------------------------------


def test_the_default_backend_logs_the_message_with_the_number_masked_and_sends_nothing(
    city, submitted, settings, caplog, django_capture_on_commit_callbacks
):
    assert settings.JILIANG_SMS_BACKEND == "jiliang.notices.sms.LogBackend"
    sms.outbox.clear()
    with caplog.at_level(logging.INFO, logger="jiliang.notices.sms"):
        with django_capture_on_commit_callbacks(execute=True):
            svc.request_return(actor=city.institute_user, request_id=submitted.pk, reason="缺少器具照片")
    lines = [r.getMessage() for r in caplog.records if r.name == "jiliang.notices.sms"]
    assert len(lines) == 1
    assert "138****5678" in lines[0] and "not sent" in lines[0] and submitted.number in lines[0]
    assert PHONE not in caplog.text
    assert sms.outbox == []
    notice = OwnerNotice.objects.get()
    assert notice.sms_status == Status.LOGGED and notice.email_status == Status.SENT


def test_a_backend_named_by_the_setting_is_used(city, submitted, settings, django_capture_on_commit_callbacks):
    settings.JILIANG_SMS_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    assert [(m.phone, m.template, m.key) for m in RecordingBackend.sent] == [
        (PHONE, Kind.REQUEST_ACCEPTED, OwnerNotice.objects.get().key)
    ]
    assert RecordingBackend.sent[0].params["number"] == submitted.number
    assert OwnerNotice.objects.get().sms_status == Status.SENT


def test_a_refusing_provider_marks_the_text_message_failed_and_the_log_masks_the_number(
    city, submitted, settings, caplog, django_capture_on_commit_callbacks
):
    settings.JILIANG_SMS_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    notice = OwnerNotice.objects.get()
    assert notice.sms_status == Status.FAILED and "template not approved" in notice.sms_error
    assert notice.email_status == Status.SENT and len(mail.outbox) == 1
    assert PHONE not in caplog.text and "138****5678" in caplog.text


def test_a_backend_that_cannot_be_loaded_fails_the_channel_not_the_change(
    city, submitted, settings, django_capture_on_commit_callbacks
):
    settings.JILIANG_SMS_BACKEND = "jiliang.notices.sms.NoSuchBackend"
    with django_capture_on_commit_callbacks(execute=True):
        request = svc.request_accept(actor=city.institute_user, request_id=submitted.pk)
    assert request.status == ServiceRequest.Status.ACCEPTED
    notice = OwnerNotice.objects.get()
    assert notice.sms_status == Status.FAILED and "NoSuchBackend" in notice.sms_error


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_timer_runs_send_notices_every_few_minutes():
    from pathlib import Path

    from django.core.management import get_commands

    text = (Path(__file__).resolve().parents[2] / "deploy" / "jiliang-send-notices.timer").read_text(encoding="utf-8")
    assert "Unit=jiliang-job@send_notices.service" in text and "OnCalendar=*-*-* *:00/5:00 Asia/Shanghai" in text
    assert get_commands()["send_notices"] == "jiliang.notices"
