from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiliang.core import audit


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; print OK or the first broken event and exit non-zero."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit.verify()
        if broken is not None:
            raise CommandError(f"audit event {broken.event_id} is broken: {broken.reason}")
        self.stdout.write("OK")
