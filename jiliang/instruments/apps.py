from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "jiliang.instruments"
    verbose_name = _("计量器具")
