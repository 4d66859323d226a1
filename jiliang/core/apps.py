from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiliang.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        # Connects the receivers that revoke a user's API tokens when the password changes or the user is
        # deactivated (accounts), and that drop the cached working-day calendar when a HolidayYear changes (calendar).
        from . import accounts, calendar  # noqa: F401

        # Each app declares its menu entries in its own nav module (jiliang.core.nav); core imports none by name.
        autodiscover_modules("nav")
