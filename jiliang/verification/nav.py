"""The one window's entries in the menu: owners file requests, institutes work them, regulators watch the limits."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.nav import ALL_ROLES, Entry, Group, register

register(
    Entry(_("检定申请"), "requests:list", ALL_ROLES, Group.INSTRUMENTS, 30),
    Entry(_("证书"), "certificates:list", ALL_ROLES, Group.INSTRUMENTS, 40),
)
