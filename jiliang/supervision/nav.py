"""The supervision area's entries in the menu: plans and draws, the item list, the inspector pool."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Role
from jiliang.core.nav import Entry, Group, register

SUPERVISORS = frozenset({Role.REGULATOR, Role.ADMIN})

register(
    Entry(_("抽查计划与任务"), "supervision:list", SUPERVISORS, Group.SUPERVISION, 10),
    Entry(_("抽查事项清单"), "supervision:items", SUPERVISORS, Group.SUPERVISION, 20),
    Entry(_("执法检查人员"), "supervision:inspectors", SUPERVISORS, Group.SUPERVISION, 30),
    Entry(_("专项检查"), "supervision:campaigns", SUPERVISORS, Group.SUPERVISION, 15),
)
# Inspections on the spot and rectification (issue 15, Build 3 and 4).
register(
    Entry(_("现场检查"), "supervision:inspections", SUPERVISORS, Group.SUPERVISION, 40),
    Entry(_("责令改正"), "supervision:rectifications", SUPERVISORS, Group.SUPERVISION, 50),
    Entry(_("监督检查与整改"), "supervision:mine", frozenset({Role.OWNER}), Group.SUPERVISION, 60),
)
# cases
register(
    Entry(_("行政处罚案件"), "supervision:cases", SUPERVISORS, Group.SUPERVISION, 50),
    Entry(_("行政处罚"), "supervision:cases", frozenset({Role.OWNER}), Group.SUPERVISION, 50),
)
