from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiliang.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        # Connects the receiver that revokes a user's API tokens when the password changes or the user is deactivated.
        from . import accounts  # noqa: F401

        # Each app declares its menu entries in its own nav module (jiliang.core.nav); core imports none by name.
        autodiscover_modules("nav")
