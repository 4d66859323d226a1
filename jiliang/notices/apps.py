from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "jiliang.notices"
    verbose_name = _("提醒与通知")

    def ready(self) -> None:
        # Notices to owners follow verification's events (jiliang/notices/owner_notices.py).
        from . import receivers

        receivers.connect()
