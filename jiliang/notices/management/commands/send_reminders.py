"""``manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]``: the daily due-date reminders (run it once a day,
e.g. from cron at 07:00; a second run on the same day sends nothing)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiliang.core import clock
from jiliang.notices.services import reminder_days, reminders_send


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {raw!r}") from exc


class Command(BaseCommand):
    help = (
        "Remind each owner of its in-use mandatory instruments falling due in 30, 15 or 7 days or overdue since "
        "yesterday: one in-app notification and one e-mail per owner per day, logged; idempotent per day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=_day, default=None, help="the run's day (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be sent; send and save nothing")

    def handle(self, *args, day: date | None = None, dry_run: bool = False, **options):
        day = day or clock.today()
        summary = reminders_send(day=day, actor=None, dry_run=dry_run)
        days = ", ".join(str(n) for n in reminder_days())
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(f"{prefix}reminders for {day.isoformat()} (days before due: {days}; overdue since yesterday)")
        verb = "would remind" if dry_run else "reminded"
        self.stdout.write(f"{verb} {summary.owners} owners about {summary.instruments} instruments")
        if not dry_run:
            self.stdout.write(
                f"e-mails sent: {summary.emails_sent} (to {summary.recipients} addresses); "
                f"failed: {summary.failed}; no address: {summary.no_email}"
            )
        self.stdout.write(f"skipped (already reminded on {day.isoformat()}): {summary.skipped} owners")
        if summary.failed:
            self.stderr.write(f"{summary.failed} e-mails failed; see the reminder log for the errors")
