"""``python manage.py issue_token USERNAME [--days N]``: print a new API token for a user (only the token, on stdout).

The token lives N days (JILIANG_API_TOKEN_DAYS by default, at most JILIANG_API_TOKEN_MAX_DAYS).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiliang.core.api_auth import token_issue
from jiliang.core.errors import DomainError
from jiliang.core.models import User


class Command(BaseCommand):
    help = "Issue an API bearer token for USERNAME and print it; only a digest is stored, so it is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="lifetime in days (default JILIANG_API_TOKEN_DAYS)")

    def handle(self, *args: Any, username: str, days: int | None, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户“%(username)s”不存在") % {"username": username})
        try:
            # Issued from the command line, so the actor is the system, not a user of the platform.
            token = token_issue(user=user, actor=None, days=days)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(token)
