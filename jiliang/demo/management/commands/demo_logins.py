"""``manage.py demo_logins``: per demo city, one line per demo login — who it is, the username, the password, the
organization, and what to try first — then the platform's administrator. The signers' logins (检定员, 核验员,
批准人 of the city institute and of the demo county's institute) exist once the history is built."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiliang.core.models import User
from jiliang.demo.city import DEMO_ADMIN, DEMO_PASSWORD, DEMO_SIGNERS, DEMO_USERS, DemoUser, demo_usernames
from jiliang.demo.names import CITIES, City


class Command(BaseCommand):
    help = "Print the demo logins of each demo city: who is who and what to try first."

    def handle(self, *args, **options) -> None:
        users = {
            u.username: u for u in User.objects.filter(username__in=demo_usernames()).select_related("organization")
        }
        # Only accounts that still have the demo password (not one made by hand under a demo name, nor one
        # whose password was changed). The demo users share one hash: check each distinct hash once.
        checked: dict[str, bool] = {}

        def usable(user: User | None) -> bool:
            if user is None or not user.is_active:
                return False
            if user.password not in checked:
                checked[user.password] = user.check_password(DEMO_PASSWORD)
            return checked[user.password]

        printed = 0
        rows: list[tuple[City | None, DemoUser]] = [
            (city, demo) for city in CITIES.values() for demo in (*DEMO_USERS, *DEMO_SIGNERS)
        ]
        rows.append((None, DEMO_ADMIN))
        heading: City | None = None
        for city, demo in rows:
            user = users.get(demo.username(city))
            if not usable(user):
                continue
            assert user is not None
            if city is not None and city is not heading:
                heading = city
                self.stdout.write(f"# {city.name}")
            organization = user.organization.name if user.organization_id else "—"
            self.stdout.write(f"{demo.label}  {user.username}  {DEMO_PASSWORD}  {organization}  {demo.hint}")
            printed += 1
        if not printed:
            raise CommandError(_("还没有演示用户：请先运行 manage.py seed_city"))
