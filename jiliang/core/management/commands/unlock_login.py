"""``python manage.py unlock_login USERNAME`` or ``unlock_login --address IP``: end a login lock now.

USERNAME forgets that username's failed logins from every address; ``--address`` forgets one address's failed logins
on every username. Audited (``login.unlock``, the system as the actor, the address as its keyed hash).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiliang.core.errors import DomainError
from jiliang.core.login_throttle import login_unlock


class Command(BaseCommand):
    help = "End a login lock now: forget the failed logins of USERNAME, or of one address with --address IP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--address", help="the client address (IPv4 or IPv6) whose lock ends")

    def handle(self, *args: Any, username: str | None, address: str | None, **options: Any) -> None:
        if (username is None) == (address is None):
            raise CommandError(_("请给出用户名，或 --address 网络地址（二者选一）"))
        try:
            removed = login_unlock(username=username, address=address, actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        target = username if username is not None else address
        self.stdout.write(_("已解除“%(target)s”的登录锁定（清除 %(n)s 条失败记录）") % {"target": target, "n": removed})
