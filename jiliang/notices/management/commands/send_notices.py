"""``manage.py send_notices [--retry-failed]``: deliver the notices to owners still pending (run it every few
minutes from a timer). Notices are normally sent when the change that caused them commits; this sends those a
process left behind. Two runs at once send each notice once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiliang.notices.owner_notices import MAX_ATTEMPTS, owner_notices_deliver_pending


class Command(BaseCommand):
    help = (
        "Deliver the e-mails and text messages of owner notices still pending (requests accepted, returned, "
        "rejected, scheduled, completed; certificates issued, corrected, revoked); each is sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help=f"send failed channels again (at most {MAX_ATTEMPTS} attempts each)",
        )

    def handle(self, *args: Any, retry_failed: bool = False, **options: Any) -> None:
        summary = owner_notices_deliver_pending(actor=None, retry_failed=retry_failed)
        self.stdout.write(
            f"notices: {summary.notices}; e-mails sent: {summary.emails_sent}, failed: {summary.emails_failed}; "
            f"text messages sent: {summary.sms_sent}, failed: {summary.sms_failed}; "
            f"skipped (claimed by another run): {summary.skipped}"
        )
        if summary.emails_failed or summary.sms_failed:
            self.stderr.write("some notices failed; see the owner notices in the admin for the errors")
