"""The supervision area's entries in the menu: for regulators the daily work first (plans and draws, campaigns,
inspections, orders, cases), then the rosters (the item list, the inspector pool); for an owner its own inspections
and orders, and its cases."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Role
from jiliang.core.nav import Entry, Group, register

SUPERVISORS = frozenset({Role.REGULATOR, Role.ADMIN})
OWNERS = frozenset({Role.OWNER})

register(
    Entry(_("抽查计划与任务"), "supervision:list", SUPERVISORS, Group.SUPERVISION, 10),
    Entry(_("专项检查"), "supervision:campaigns", SUPERVISORS, Group.SUPERVISION, 20),
    Entry(_("现场检查"), "supervision:inspections", SUPERVISORS, Group.SUPERVISION, 30),
    Entry(_("责令改正"), "supervision:rectifications", SUPERVISORS, Group.SUPERVISION, 40),
    # One entry per page (the registry keys entries by URL name): an owner reads its own cases here.
    Entry(_("行政处罚案件"), "supervision:cases", SUPERVISORS | OWNERS, Group.SUPERVISION, 50),
    Entry(_("抽查事项清单"), "supervision:items", SUPERVISORS, Group.SUPERVISION, 60),
    Entry(_("执法检查人员"), "supervision:inspectors", SUPERVISORS, Group.SUPERVISION, 70),
    Entry(_("监督检查与整改"), "supervision:mine", OWNERS, Group.SUPERVISION, 10),
)
