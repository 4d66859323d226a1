"""``python manage.py issue_token USERNAME``: print a new API token for a user (only the token, on stdout)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiliang.core.api_auth import token_issue
from jiliang.core.models import User


class Command(BaseCommand):
    help = "Issue an API bearer token for USERNAME and print it; only a digest is stored, so it is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户“%(username)s”不存在") % {"username": username})
        if not user.is_active:
            raise CommandError(_("用户“%(username)s”已停用，不能签发令牌") % {"username": username})
        # Issued from the command line, so the actor is the system, not a user of the platform.
        token = token_issue(user=user, actor=None)
        self.stdout.write(token)
