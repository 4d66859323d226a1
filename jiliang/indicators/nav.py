"""The indicators' entries in the menu: the plans for regulators, the early warnings for institutes too."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Role
from jiliang.core.nav import Entry, Group, register

register(
    Entry(_("规划指标"), "plans:list", frozenset({Role.REGULATOR, Role.ADMIN}), Group.PLANNING, 10),
    Entry(_("计量预警"), "warnings:list", frozenset({Role.INSTITUTE, Role.REGULATOR, Role.ADMIN}), Group.PLANNING, 20),
)
