"""The standards' entries in the menu: owners with a laboratory declare their capabilities; institutes keep their
standards; regulators also watch the coverage."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Role
from jiliang.core.nav import Entry, Group, register

from .selectors.declarations import may_declare

register(
    Entry(_("能力声明"), "coverage:declarations", frozenset({Role.OWNER}), Group.STANDARDS, 10, when=may_declare),
    Entry(
        _("计量标准"), "standards:list", frozenset({Role.INSTITUTE, Role.REGULATOR, Role.ADMIN}), Group.STANDARDS, 20
    ),
    Entry(_("建标覆盖率"), "coverage:index", frozenset({Role.REGULATOR, Role.ADMIN}), Group.STANDARDS, 40),
)
