from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "jiliang.verification"
    verbose_name = _("检定与证书")

    def ready(self) -> None:
        # SQLite connections get the function their immutability triggers call (migration 0007).
        from . import immutable

        immutable.connect()
        # The registry (a layer below) reaches verification records through its hooks.
        from jiliang.instruments import hooks as registry_hooks

        from .hooks import ForTheRegistry

        registry_hooks.register(ForTheRegistry())
