from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "jiliang.standards"
    verbose_name = _("计量标准")
