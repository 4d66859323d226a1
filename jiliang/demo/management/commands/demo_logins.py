"""``manage.py demo_logins``: one line per demo role — role, username, password, organization — and, once the
history is built, the three people of the demo institute who sign records (检定员, 核验员, 批准人)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiliang.core.models import User
from jiliang.demo.city import DEMO_PASSWORD, DEMO_SIGNERS, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo logins (one per role) of the synthetic city."

    def handle(self, *args, **options) -> None:
        demos = (*DEMO_USERS, *DEMO_SIGNERS)
        users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in demos])}
        # Only accounts that still have the demo password (not one made by hand under a demo name, nor one
        # whose password was changed). The demo users share one hash: check each distinct hash once.
        checked: dict[str, bool] = {}
        printed = 0
        for demo in demos:
            user = users.get(demo.username)
            if user is None or not user.is_active:
                continue
            if user.password not in checked:
                checked[user.password] = user.check_password(DEMO_PASSWORD)
            if not checked[user.password]:
                continue
            organization = user.organization.name if user.organization_id else "—"
            self.stdout.write(f"{demo.label}  {demo.username}  {DEMO_PASSWORD}  {organization}")
            printed += 1
        if not printed:
            raise CommandError(_("还没有演示用户：请先运行 manage.py seed_city"))
