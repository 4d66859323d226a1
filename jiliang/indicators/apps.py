from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jiliang.indicators"
    verbose_name = _("规划指标")
