"""``python manage.py revoke_token PREFIX`` or ``revoke_token --user USERNAME --all``: revoke API tokens.

PREFIX is the token's first eight characters as the token page and the admin show them (``jl_AbCdE``), or the whole
token. A prefix shared by several live tokens is refused unless ``--user`` narrows it to one. Each revocation is an
audit event with the system as the actor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiliang.core.api_auth import digest, token_revoke, tokens_revoke_all
from jiliang.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Revoke one API token by its prefix (or the whole token), or every token of a user with --user U --all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", nargs="?", help="the token's prefix (8 characters, e.g. jl_AbCdE) or the token")
        parser.add_argument("--user", dest="username", help="only this user's tokens")
        parser.add_argument("--all", action="store_true", help="every live token of --user")

    def handle(self, *args: Any, prefix: str | None, username: str | None, all: bool, **options: Any) -> None:
        if all:
            if prefix or not username:
                raise _usage()
            count = tokens_revoke_all(user=_user(username), actor=None, reason=ApiToken.RevokeReason.MANUAL)
            self.stdout.write(_("已吊销用户“%(username)s”的 %(n)s 个令牌") % {"username": username, "n": count})
            return
        if not prefix:
            raise _usage()
        live = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
        if username is not None:
            live = live.filter(user=_user(username))
        # A whole token is longer than any prefix; look it up by its digest.
        rows = list(live.filter(digest=digest(prefix)) if len(prefix) > 8 else live.filter(prefix=prefix))
        if not rows:
            raise CommandError(_("没有前缀为“%(prefix)s”的有效令牌") % {"prefix": prefix[:8]})
        if len(rows) > 1:
            raise CommandError(
                _("前缀“%(prefix)s”对应多个有效令牌（%(users)s），请用 --user 指定用户")
                % {"prefix": prefix, "users": "、".join(sorted(r.user.get_username() for r in rows))}
            )
        row = token_revoke(token=rows[0], actor=None)
        self.stdout.write(
            _("已吊销用户“%(username)s”的令牌 %(prefix)s…")
            % {"username": row.user.get_username(), "prefix": row.prefix}
        )


def _usage() -> CommandError:
    return CommandError(_("请给出令牌前缀，或同时给出 --user 用户名 和 --all"))


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("用户“%(username)s”不存在") % {"username": username})
    return user
