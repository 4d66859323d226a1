"""``manage.py demo_logins``: one line per demo role — role, username, password, organization."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiliang.core.models import User
from jiliang.demo.city import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo logins (one per role) of the synthetic city."

    def handle(self, *args, **options) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
        if not users:
            raise CommandError(_("还没有演示用户：请先运行 manage.py seed_city"))
        for demo in DEMO_USERS:
            user = users.get(demo.username)
            if user is None:
                continue
            organization = user.organization.name if user.organization_id else "—"
            self.stdout.write(f"{demo.label}  {demo.username}  {DEMO_PASSWORD}  {organization}")
