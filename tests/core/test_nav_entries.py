"""The navigation entries each role gets: the set must survive the move of the menu into the apps.

The menu is about to be declared by each app and drawn in groups; where an entry sits may change, which entries a
persona sees (label, address, whether it carries a badge) may not. The lists below are today's, written out per
persona of tests/conftest.py. Read the entries through ``_entries`` only, so that a new shape of the context (groups
instead of one list) changes one function, not the expectations.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiliang.notices.models import Kind, Notification

HOME = ("首页", "/", False)
REGISTRY = [("计量器具", "/instruments/", False), ("批量导入", "/instruments/import/", False)]
WINDOW = [("检定申请", "/requests/", False), ("证书", "/certificates/", False)]
STANDARDS_PEOPLE = [("计量标准", "/standards/", False), ("人员资质", "/people/", False)]
REGULATION = [("建标覆盖率", "/coverage/", False), ("规划指标", "/plans/", False)]
SUPERVISION = [
    ("抽查计划与任务", "/supervision/", False),
    ("专项检查", "/supervision/campaigns/", False),
    ("现场检查", "/supervision/inspections/", False),
    ("责令改正", "/supervision/rectifications/", False),
    ("行政处罚案件", "/supervision/cases/", False),
    ("抽查事项清单", "/supervision/items/", False),
    ("执法检查人员", "/supervision/inspectors/", False),
]
OWNER_SUPERVISION = [("监督检查与整改", "/supervision/mine/", False), ("行政处罚案件", "/supervision/cases/", False)]
WARNINGS = ("计量预警", "/warnings/", False)
NOTICES = ("消息", "/notices/", True)

REGULATOR = [
    HOME,
    *REGISTRY,
    *WINDOW,
    *STANDARDS_PEOPLE,
    REGULATION[0],
    *SUPERVISION,
    REGULATION[1],
    WARNINGS,
    NOTICES,
]
OWNER = [HOME, *REGISTRY, *WINDOW, *OWNER_SUPERVISION, NOTICES]
# An owner with a laboratory (Organization.has_lab; owner B here, see _user) also declares its capabilities.
OWNER_WITH_LAB = [
    HOME,
    *REGISTRY,
    *WINDOW,
    ("能力声明", "/coverage/declarations/", False),
    *OWNER_SUPERVISION,
    NOTICES,
]
EXPECTED = {
    "city_regulator": REGULATOR,
    "county_regulator_a": REGULATOR,
    "county_regulator_b": REGULATOR,
    "institute": [HOME, *WINDOW, *STANDARDS_PEOPLE, WARNINGS, NOTICES],
    "owner_a": OWNER,
    "owner_b": OWNER_WITH_LAB,
    "admin": [*REGULATOR, ("系统管理", "/admin/", False)],
}


def _entries(response) -> list[tuple[str, str, bool]]:
    return [(str(item["label"]), item["url"], "badge" in item) for item in response.context["nav_items"]]


def _user(city, persona):
    if persona == "owner_b":
        city.owner_b.has_lab = True
        city.owner_b.save(update_fields=["has_lab"])
    return city.admin if persona == "admin" else city.personas[persona]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_gets_todays_entries_in_order(city, client, persona):
    client.force_login(_user(city, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _entries(response) == EXPECTED[persona]


def test_an_anonymous_visitor_gets_no_entries(city, client):
    response = client.get(reverse("login"))  # a page for anyone: the home page would send here
    assert response.status_code == 200
    assert response.context["nav_items"] == []


ENGLISH = {
    "首页": "Home",
    "计量器具": "Instruments",
    "批量导入": "Import",
    "检定申请": "Verification requests",
    "证书": "Certificates",
    "能力声明": "Capability declarations",
    "计量标准": "Measurement standards",
    "人员资质": "Staff",
    "建标覆盖率": "Standards coverage",
    "规划指标": "Plan indicators",
    "计量预警": "Early warnings",
    "消息": "Messages",
    "系统管理": "Administration",
    "抽查计划与任务": "Spot-check plans and tasks",
    "专项检查": "Special campaign",
    "现场检查": "On-site inspection",
    "责令改正": "Rectification order",
    "行政处罚案件": "Administrative penalty case",
    "抽查事项清单": "List of spot-check items",
    "执法检查人员": "Inspector",
    "监督检查与整改": "Inspections and rectification",
}


@pytest.mark.parametrize("persona", ["admin", "owner_b"])  # between them, every entry
def test_the_entries_in_english(city, client, persona):
    client.force_login(_user(city, persona))
    # The UI is Chinese unless the user picks another language (the browser's Accept-Language is not enough).
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    response = client.get(reverse("home"))
    assert _entries(response) == [(ENGLISH[label], url, badge) for label, url, badge in EXPECTED[persona]]


def test_the_messages_badge_counts_the_unread_notifications(city, client):
    Notification.objects.create(organization=city.owner_a, kind=Kind.DUE_REMINDER, title="到期提醒")
    client.force_login(city.owner_a_user)
    badges = {
        item["url"]: item["badge"] for item in client.get(reverse("home")).context["nav_items"] if "badge" in item
    }
    assert badges == {"/notices/": 1}
    client.force_login(city.owner_b_user)  # another organization's inbox is not counted
    badges = {
        item["url"]: item["badge"] for item in client.get(reverse("home")).context["nav_items"] if "badge" in item
    }
    assert badges == {"/notices/": 0}
