"""The registry's entries in the menu."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Role
from jiliang.core.nav import Entry, Group, register

REGISTRY_ROLES = frozenset({Role.OWNER, Role.REGULATOR, Role.ADMIN})

register(
    Entry(_("计量器具"), "instruments:list", REGISTRY_ROLES, Group.INSTRUMENTS, 10),
    Entry(_("批量导入"), "instruments:import", REGISTRY_ROLES, Group.INSTRUMENTS, 20),
)
