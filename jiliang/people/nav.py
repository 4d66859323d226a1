"""The staff's entry in the menu, beside the standards they work on."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Role
from jiliang.core.nav import Entry, Group, register

register(
    Entry(_("人员资质"), "people:list", frozenset({Role.INSTITUTE, Role.REGULATOR, Role.ADMIN}), Group.STANDARDS, 30),
)
