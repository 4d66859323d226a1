"""Due-date reminders (``manage.py send_reminders``) and marking notifications read.

Which instruments a run on ``day`` picks
----------------------------------------
In-use mandatory instruments whose ``due_on`` is exactly ``day + N`` for each N in the reminder days (30, 15, 7 by
default; ``settings.JILIANG_REMINDER_DAYS`` overrides them), or exactly ``day - 1`` ("just overdue": an instrument
is still valid on its due date and overdue from the next day, as in ``jiliang.metrology.due.due_state``). Each
threshold is one exact date, so a run every day picks every instrument once per threshold and never twice: on
the day it is 30 days before the due date, again at 15 and 7, and on the first day it is overdue. A day the
command did not run can be made up with ``--date`` (the unique log row still stops a second sending for that
day). Never-verified instruments have no due date and are not reminded here.

One message per owner per day
-----------------------------
For each owner with picked instruments: one ``ReminderLog`` row (unique per owner, day and kind) and one
``Notification`` for the owner organization are saved in one transaction; then one e-mail goes to every active
user of the owner with an address. The row is inserted *before* anything is sent, so a second run on the same day
(or a run racing this one) fails to insert it and skips the owner — the constraint decides, not only the check
made first. The e-mail is sent after that transaction commits; a mail failure is written to the row
(status "failed" and the error) and the notification stays. A row left "pending" (the process died between the
commit and the mail) is not retried, so that nobody ever gets the same reminder twice.

Call ``reminders_send`` outside any transaction (as the command does): inside a caller's transaction that later
rolls back, the e-mails would already be gone while the notifications vanish.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.models import Organization, User
from jiliang.instruments.models import Instrument
from jiliang.instruments.selectors import due_instruments

from .models import Kind, Notification, ReminderLog
from .selectors import notification_get, notifications_visible_to

logger = logging.getLogger(__name__)

# Days before the due date on which an owner is reminded. ``settings.JILIANG_REMINDER_DAYS`` (a list of
# non-negative integers) overrides it; not defined in settings.py, so the default applies unless a deployment sets it.
DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 15, 7)
# The threshold of an instrument on the first day it is overdue (due_on == day - 1).
OVERDUE = "overdue"
# Owners per query when reading users' addresses (stays under SQLite's bound-parameter limit).
CHUNK = 500


def reminder_days() -> tuple[int, ...]:
    """The reminder days in force, largest first, without duplicates."""
    raw = getattr(settings, "JILIANG_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    days = sorted({int(n) for n in raw}, reverse=True)
    if any(n < 0 for n in days):
        raise ValueError("JILIANG_REMINDER_DAYS must hold non-negative integers")
    return tuple(days)


def reminder_targets(day: date, days: Iterable[int] | None = None) -> dict[date, str]:
    """Each due date a run on ``day`` looks for, with its threshold ("30", "15", "7" or "overdue").

    E.g. on 2026-11-22: 2026-12-22 → "30", 2026-12-07 → "15", 2026-11-29 → "7", 2026-11-21 → "overdue".
    """
    targets = {day + timedelta(days=n): str(n) for n in (reminder_days() if days is None else days)}
    targets[day - timedelta(days=1)] = OVERDUE
    return targets


def threshold_label(threshold: str) -> str:
    if threshold == OVERDUE:
        return _("已超期")
    if threshold == "0":
        return _("今日到期")
    return _("%(n)s 天后到期") % {"n": threshold}


def reminders_due(day: date) -> dict[int, list[dict[str, Any]]]:
    """The picked instruments of every owner, in one query over the due-date index: {owner id: [item, …]}."""
    targets = reminder_targets(day)
    rows = (
        due_instruments(due_on=targets)
        .order_by("owner_id", "due_on", "id")
        .values_list("id", "owner_id", "name", "serial_number", "due_on")
    )
    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, owner_id, name, serial, due_on in rows.iterator(chunk_size=2000):
        by_owner[owner_id].append(
            {
                "instrument": pk,
                "name": name,
                "serial_number": serial,
                "due_on": due_on.isoformat(),
                "threshold": targets[due_on],
            }
        )
    return dict(by_owner)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _addresses(owner_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(owner_ids):
        users = (
            User.objects.filter(organization_id__in=chunk, is_active=True)
            .exclude(email="")
            .order_by("organization_id", "id")
            .values_list("organization_id", "email")
        )
        for owner_id, email in users:
            if email not in found[owner_id]:
                found[owner_id].append(email)
    return found


def _names(owner_ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in _chunks(owner_ids):
        names.update(Organization.objects.filter(pk__in=chunk).values_list("id", "name"))
    return names


def _list_link(items: list[dict[str, Any]]) -> str:
    """The instrument list filtered to overdue when any is overdue, else to due soon."""
    state = (
        Instrument.DueState.OVERDUE if any(i["threshold"] == OVERDUE for i in items) else Instrument.DueState.DUE_SOON
    )
    return f"{reverse('instruments:list')}?due_state={state.value}"


def _message(owner_name: str, day: date, items: list[dict[str, Any]]) -> tuple[str, str]:
    """(title, body) in the site's language; the body lists each instrument and ends with the links."""
    overdue = sum(1 for i in items if i["threshold"] == OVERDUE)
    title = _("计量器具检定到期提醒：%(n)s 台") % {"n": len(items)}
    lines = [
        _("%(owner)s：") % {"owner": owner_name},
        "",
        _("截至 %(day)s，贵单位以下 %(n)s 台强制检定计量器具即将到期或已超期，请及时申请检定：")
        % {"day": day.isoformat(), "n": len(items)},
        "",
    ]
    for item in items:
        lines.append(
            _("· %(name)s（出厂编号 %(serial)s），下次检定日期 %(due)s，%(threshold)s")
            % {
                "name": item["name"],
                "serial": item["serial_number"],
                "due": item["due_on"],
                "threshold": threshold_label(item["threshold"]),
            }
        )
    base = settings.JILIANG_PUBLIC_BASE_URL.rstrip("/")
    list_url = reverse("instruments:list")
    lines.append("")
    if overdue < len(items):
        lines.append(
            _("即将到期的器具：%(url)s") % {"url": f"{base}{list_url}?due_state={Instrument.DueState.DUE_SOON.value}"}
        )
    if overdue:
        lines.append(
            _("已超期的器具：%(url)s") % {"url": f"{base}{list_url}?due_state={Instrument.DueState.OVERDUE.value}"}
        )
    lines.append("")
    lines.append(_("此邮件由计量监管平台自动发送，请勿回复。"))
    return title, "\n".join(lines)


@dataclass
class ReminderSummary:
    day: date
    dry_run: bool = False
    # Owners reminded by this run (or, in a dry run, that would be).
    owners: int = 0
    # Instruments listed in those reminders.
    instruments: int = 0
    # E-mail messages sent (one per owner) and the addresses they went to.
    emails_sent: int = 0
    recipients: int = 0
    # Owners already reminded for this day (by an earlier or a racing run): nothing sent.
    skipped: int = 0
    # Owners whose e-mail failed (the notification is saved; the error is in the log row).
    failed: int = 0
    # Owners without any user with an e-mail address (notification only).
    no_email: int = 0
    log_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data


def _send(log: ReminderLog, title: str, body: str, summary: ReminderSummary) -> None:
    if not log.emails:
        log.status = ReminderLog.Status.NO_EMAIL
        log.sent_at = clock.now()
        summary.no_email += 1
    else:
        try:
            send_mail(title, body, None, log.emails, fail_silently=False)
        except Exception as exc:  # any backend error: record it, keep the notification, go on with the next owner
            logger.exception("reminder e-mail to owner %s failed", log.owner_id)
            log.status = ReminderLog.Status.FAILED
            log.error = f"{type(exc).__name__}: {exc}"[:2000]
            summary.failed += 1
        else:
            log.status = ReminderLog.Status.SENT
            log.sent_at = clock.now()
            summary.emails_sent += 1
            summary.recipients += len(log.emails)
    ReminderLog.objects.filter(pk=log.pk).update(status=log.status, sent_at=log.sent_at, error=log.error)


def reminders_send(*, day: date, actor: User | None = None, dry_run: bool = False) -> ReminderSummary:
    """Remind every owner of its instruments falling due on ``day`` (see the module docstring). Idempotent per day."""
    summary = ReminderSummary(day=day, dry_run=dry_run)
    by_owner = reminders_due(day)
    already = set(
        ReminderLog.objects.filter(day=day, kind=Kind.DUE_REMINDER).values_list("owner_id", flat=True).iterator()
    )
    pending = [owner_id for owner_id in by_owner if owner_id not in already]
    summary.skipped = len(by_owner) - len(pending)
    if dry_run:
        summary.owners = len(pending)
        summary.instruments = sum(len(by_owner[o]) for o in pending)
        return summary
    names = _names(pending)
    addresses = _addresses(pending)
    # Stored texts are in the site's language whatever the caller's (a command, a test, a request).
    with translation.override(settings.LANGUAGE_CODE):
        for owner_id in pending:
            items = by_owner[owner_id]
            title, body = _message(names.get(owner_id, ""), day, items)
            log = ReminderLog(
                owner_id=owner_id,
                day=day,
                kind=Kind.DUE_REMINDER,
                items=items,
                instrument_count=len(items),
                emails=addresses.get(owner_id, []),
            )
            try:
                with transaction.atomic():
                    # First, so that a racing run's insert fails here before either has sent anything.
                    log.save(force_insert=True)
                    notification = Notification.objects.create(
                        organization_id=owner_id,
                        kind=Kind.DUE_REMINDER,
                        title=title,
                        body=body,
                        link=_list_link(items),
                        concerns_on=day,
                    )
                    log.notification = notification
                    log.save(update_fields=["notification"])
            except IntegrityError:
                summary.skipped += 1
                continue
            summary.owners += 1
            summary.instruments += len(items)
            summary.log_ids.append(log.pk)
            _send(log, title, body, summary)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="reminders.send",
            object_type="notices.reminderlog",
            object_id=day.isoformat(),
            changes={k: v for k, v in summary.as_dict().items() if k != "log_ids"},
        )
    return summary


# ---- Reading notifications ----------------------------------------------------------------------------------
# Marking a message read changes no record of the registry: not written to the audit chain (it would add one
# event per click for nothing a regulator needs to prove).


def notification_mark_read(*, notification_id: int, actor: User) -> Notification:
    notification = notification_get(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification the actor can see as read; returns how many."""
    return notifications_visible_to(actor).filter(read_at__isnull=True).update(read_at=clock.now())
