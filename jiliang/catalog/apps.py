from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "jiliang.catalog"
    verbose_name = _("强制管理目录")
