"""``manage.py flush``, as Django's, inside ``immutable.maintenance()``.

On SQLite a flush deletes every row table by table, and the triggers of migration 0007 refuse deleting issued
records and certificates outside a maintenance context; on PostgreSQL a flush is a TRUNCATE, which the triggers of
migration 0002 do not see. This command makes a flush empty the database on both, as Django's does (the test suite
flushes after each transactional test). Nothing else runs in the maintenance context.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from jiliang.verification import immutable


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with immutable.maintenance():
            super().handle(**options)
