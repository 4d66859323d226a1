"""send_reminders: which instruments, one message per owner per day, once per day even when run twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import IntegrityError, transaction

from jiliang.core.models import AuditEvent
from jiliang.instruments.models import Instrument
from jiliang.notices.models import Notification, ReminderLog
from jiliang.notices.services import OVERDUE, reminder_targets, reminders_send

from .conftest import DAY, due_in

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


def picked(summary_day=DAY) -> dict[int, str]:
    """{instrument id: threshold} over every log row of the day."""
    return {
        item["instrument"]: item["threshold"]
        for log in ReminderLog.objects.filter(day=summary_day)
        for item in log.items
    }


def test_targets_are_exact_days_and_overdue_is_yesterday():
    targets = reminder_targets(DAY)
    assert targets == {
        DAY + timedelta(days=30): "30",
        DAY + timedelta(days=15): "15",
        DAY + timedelta(days=7): "7",
        DAY - timedelta(days=1): OVERDUE,
    }


def test_settings_override_the_reminder_days(settings):
    settings.JILIANG_REMINDER_DAYS = [60, 30, 30]
    assert set(reminder_targets(DAY).values()) == {"60", "30", OVERDUE}


def test_run_twice_on_one_day_sends_once(city, owner_a_mail):
    due_in(city.owner_a, 30)
    first = reminders_send(day=DAY)
    assert (first.owners, first.instruments, first.emails_sent, first.skipped) == (1, 1, 1, 0)
    second = reminders_send(day=DAY)
    assert (second.owners, second.instruments, second.emails_sent, second.skipped) == (0, 0, 0, 1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.cn"]
    assert Notification.objects.count() == 1
    assert ReminderLog.objects.count() == 1
    log = ReminderLog.objects.get()
    assert log.status == ReminderLog.Status.SENT and log.sent_at is not None
    assert log.emails == ["a@example.cn"]
    assert log.notification == Notification.objects.get()
    # One audit event per run, the second one saying it skipped the owner.
    runs = list(AuditEvent.objects.filter(action="reminders.send").order_by("id"))
    assert [(e.changes["owners"], e.changes["skipped"]) for e in runs] == [(1, 0), (0, 1)]


def test_the_command_run_twice_sends_once_and_says_so(city, owner_a_mail):
    due_in(city.owner_a, 7)
    due_in(city.owner_a, -1)
    out = StringIO()
    call_command("send_reminders", "--date", DAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert f"reminders for {DAY.isoformat()}" in text
    assert "reminded 1 owners about 2 instruments" in text
    assert "e-mails sent: 1 (to 1 addresses)" in text
    assert "skipped (already reminded on 2026-03-10): 0 owners" in text
    out = StringIO()
    call_command("send_reminders", "--date", DAY.isoformat(), stdout=out)
    assert "reminded 0 owners about 0 instruments" in out.getvalue()
    assert "e-mails sent: 0" in out.getvalue()
    assert "skipped (already reminded on 2026-03-10): 1 owners" in out.getvalue()
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert ReminderLog.objects.count() == 1


def test_dry_run_counts_and_saves_nothing(city, owner_a_mail):
    due_in(city.owner_a, 15)
    out = StringIO()
    call_command("send_reminders", "--date", DAY.isoformat(), "--dry-run", stdout=out)
    assert "[dry run]" in out.getvalue() and "would remind 1 owners about 1 instruments" in out.getvalue()
    assert len(mail.outbox) == 0
    assert not Notification.objects.exists() and not ReminderLog.objects.exists()
    assert not AuditEvent.objects.filter(action="reminders.send").exists()


def test_a_bad_date_is_refused(city):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "2026-13-01", stdout=StringIO())


def test_the_next_day_a_new_threshold_sends_again(city, owner_a_mail):
    instrument = due_in(city.owner_a, 15)
    reminders_send(day=DAY)
    # Tomorrow nothing of this instrument is at a threshold: nothing sent, and no log row.
    tomorrow = reminders_send(day=DAY + timedelta(days=1))
    assert tomorrow.owners == 0 and len(mail.outbox) == 1
    # Eight days later it is due in 7 days: reminded again, at the new threshold.
    later = DAY + timedelta(days=8)
    summary = reminders_send(day=later)
    assert summary.owners == 1 and summary.emails_sent == 1
    assert len(mail.outbox) == 2
    assert picked(DAY) == {instrument.pk: "15"}
    assert picked(later) == {instrument.pk: "7"}
    assert Notification.objects.count() == 2


@pytest.mark.parametrize(("days", "threshold"), [(30, "30"), (15, "15"), (7, "7"), (-1, OVERDUE)])
def test_each_threshold_is_picked(city, days, threshold):
    instrument = due_in(city.owner_a, days)
    reminders_send(day=DAY)
    assert picked() == {instrument.pk: threshold}


@pytest.mark.parametrize("days", [31, 29, 16, 8, 6, 1, 0, -2, -30])
def test_other_days_are_not_picked(city, days):
    due_in(city.owner_a, days)
    summary = reminders_send(day=DAY)
    assert summary.owners == 0 and summary.instruments == 0
    assert not ReminderLog.objects.exists() and not Notification.objects.exists()


def test_a_daily_run_reminds_each_threshold_exactly_once(city, owner_a_mail):
    instrument = due_in(city.owner_a, 40)
    thresholds = []
    for offset in range(45):
        reminders_send(day=DAY + timedelta(days=offset))
    for log in ReminderLog.objects.order_by("day"):
        thresholds += [item["threshold"] for item in log.items if item["instrument"] == instrument.pk]
    assert thresholds == ["30", "15", "7", OVERDUE]
    assert len(mail.outbox) == 4


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Instrument.Status.STOPPED},
        {"status": Instrument.Status.SCRAPPED},
        {"mandatory": False},
    ],
    ids=["stopped", "scrapped", "not-mandatory"],
)
def test_stopped_scrapped_and_non_mandatory_are_not_picked(city, owner_a_mail, fields):
    due_in(city.owner_a, 7, **fields)
    summary = reminders_send(day=DAY)
    assert summary.owners == 0
    assert len(mail.outbox) == 0 and not Notification.objects.exists()


def test_one_message_per_owner_listing_each_instrument(city, owner_a_mail, owner_b_mail):
    a30 = due_in(city.owner_a, 30, serial_number="A-30", name="电子计价秤")
    a7 = due_in(city.owner_a, 7, serial_number="A-07", name="电子台秤")
    a_over = due_in(city.owner_a, -1, serial_number="A-OD", name="案秤")
    b15 = due_in(city.owner_b, 15, serial_number="B-15", name="燃油加油机")
    summary = reminders_send(day=DAY)
    assert (summary.owners, summary.instruments, summary.emails_sent) == (2, 4, 2)
    assert len(mail.outbox) == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    body_a = by_to["a@example.cn"].body
    for instrument in (a30, a7, a_over):
        assert instrument.serial_number in body_a and instrument.name in body_a
        assert instrument.due_on.isoformat() in body_a
    assert "30 天后到期" in body_a and "7 天后到期" in body_a and "已超期" in body_a
    assert "B-15" not in body_a
    assert "/instruments/?due_state=overdue" in body_a and "/instruments/?due_state=due_soon" in body_a
    assert "B-15" in by_to["b@example.cn"].body and "15 天后到期" in by_to["b@example.cn"].body
    assert "A-30" not in by_to["b@example.cn"].body
    notice_a = Notification.objects.get(organization=city.owner_a)
    assert notice_a.title == "计量器具检定到期提醒：3 台"
    assert notice_a.link == "/instruments/?due_state=overdue"
    assert notice_a.concerns_on == DAY
    assert "A-07" in notice_a.body
    notice_b = Notification.objects.get(organization=city.owner_b)
    assert notice_b.link == "/instruments/?due_state=due_soon"
    assert by_to["a@example.cn"].subject == notice_a.title
    assert {log.owner_id: log.instrument_count for log in ReminderLog.objects.all()} == {
        city.owner_a.pk: 3,
        city.owner_b.pk: 1,
    }
    assert b15.pk in picked()


def test_every_user_of_the_owner_with_an_address_gets_the_one_message(city, owner_a_mail):
    from tests.factories import UserFactory

    UserFactory(organization=city.owner_a, email="a2@example.cn")
    UserFactory(organization=city.owner_a, email="")
    UserFactory(organization=city.owner_a, email="gone@example.cn", is_active=False)
    due_in(city.owner_a, 7)
    reminders_send(day=DAY)
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["a2@example.cn", "a@example.cn"]


def test_an_owner_without_addresses_gets_the_notification_only(city):
    due_in(city.owner_a, 7)
    summary = reminders_send(day=DAY)
    assert summary.owners == 1 and summary.no_email == 1 and summary.emails_sent == 0
    assert len(mail.outbox) == 0
    assert Notification.objects.filter(organization=city.owner_a).count() == 1
    assert ReminderLog.objects.get().status == ReminderLog.Status.NO_EMAIL


def test_a_mail_failure_is_logged_and_the_notification_kept(city, owner_a_mail, settings):
    settings.EMAIL_BACKEND = "tests.notices.test_reminders.FailingBackend"
    due_in(city.owner_a, 7)
    summary = reminders_send(day=DAY)
    assert summary.failed == 1 and summary.emails_sent == 0 and summary.owners == 1
    log = ReminderLog.objects.get()
    assert log.status == ReminderLog.Status.FAILED
    assert "ConnectionRefusedError" in log.error and "refused" in log.error
    assert log.sent_at is None
    assert Notification.objects.filter(organization=city.owner_a).count() == 1
    assert log.notification_id == Notification.objects.get().pk
    # Not retried by a second run the same day: the owner already has its notification.
    assert reminders_send(day=DAY).skipped == 1
    assert Notification.objects.count() == 1


def test_the_constraint_refuses_a_second_row_for_the_day(city):
    ReminderLog.objects.create(owner=city.owner_a, day=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderLog.objects.create(owner=city.owner_a, day=DAY)


def test_a_racing_run_that_missed_the_check_still_sends_nothing(city, owner_a_mail, monkeypatch):
    """Simulate a race: the other run inserted its row after this run read the day's logs."""
    from jiliang.notices import services

    due_in(city.owner_a, 7)
    real = services.reminders_due

    def due_then_race(day):
        found = real(day)
        ReminderLog.objects.create(owner=city.owner_a, day=day)  # the other run's row lands now
        return found

    monkeypatch.setattr(services, "reminders_due", due_then_race)
    summary = reminders_send(day=DAY)
    assert summary.owners == 0 and summary.skipped == 1
    assert len(mail.outbox) == 0
    assert not Notification.objects.exists()


def test_the_log_is_readable_in_the_admin_and_not_editable(client, city, owner_a_mail):
    due_in(city.owner_a, 7)
    reminders_send(day=DAY)
    client.force_login(city.admin)
    response = client.get("/admin/notices/reminderlog/")
    assert response.status_code == 200 and city.owner_a.name in response.content.decode()
    log = ReminderLog.objects.get()
    assert client.post(f"/admin/notices/reminderlog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReminderLog.objects.filter(pk=log.pk).exists()


class RecordingBackend(BaseEmailBackend):
    """Remembers whether a transaction was open while it sent, and whether the notification was saved by then."""

    seen: list[tuple[bool, int]] = []

    def send_messages(self, email_messages):
        RecordingBackend.seen.append((transaction.get_connection().in_atomic_block, Notification.objects.count()))
        return len(email_messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_mail_goes_out_after_the_notification_is_committed(city, owner_a_mail, settings):
    settings.EMAIL_BACKEND = "tests.notices.test_reminders.RecordingBackend"
    RecordingBackend.seen = []
    due_in(city.owner_a, 7)
    summary = reminders_send(day=DAY)
    assert summary.emails_sent == 1
    assert RecordingBackend.seen == [(False, 1)]
    assert ReminderLog.objects.get().status == ReminderLog.Status.SENT
