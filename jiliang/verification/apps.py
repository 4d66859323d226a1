from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "jiliang.verification"
    verbose_name = _("检定与证书")
