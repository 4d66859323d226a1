from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "jiliang.instruments"
    verbose_name = _("计量器具")

    def ready(self) -> None:
        from jiliang.catalog.signals import catalog_item_changed

        catalog_item_changed.connect(_rederive, dispatch_uid="instruments.rederive_on_catalog_change")


def _rederive(sender, *, item, actor, **kwargs) -> None:
    from .services import instruments_rederive_for_item

    instruments_rederive_for_item(actor=actor, item=item)
