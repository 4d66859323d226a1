"""The pages every user meets: login, logout, password change, the language switch, the header and navigation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', html(response)).group(1)


def nav_labels(response) -> list[str]:
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html(response), re.S)
    return re.findall(r">([^<]+)</a>", nav.group(1)) if nav else []


def test_login_page_is_public_and_in_chinese(client, city):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert html_lang(response) == "zh-hans"
    body = html(response)
    assert "账号登录" in body and 'name="username"' in body and 'name="password"' in body
    assert nav_labels(response) == []


def test_login_with_a_good_password_lands_on_home(client, city):
    response = client.post(reverse("login"), {"username": "owner_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_with_a_bad_password_says_so_and_does_not_log_in(client, city):
    response = client.post(reverse("login"), {"username": "owner_a", "password": "wrong"})
    assert response.status_code == 200
    assert 'class="form-errors"' in html(response)
    assert client.get(reverse("home")).status_code == 302


def test_login_follows_next_to_the_page_asked_for(client, city):
    target = reverse("instruments:list")
    response = client.post(
        reverse("login") + "?next=" + target, {"username": "owner_a", "password": PASSWORD, "next": target}
    )
    assert response.url == target


def test_a_logged_in_user_visiting_login_is_sent_home(client, city):
    client.force_login(city.owner_a_user)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_is_a_post_and_ends_the_session(client, city):
    client.force_login(city.owner_a_user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_header_names_the_user_organization_and_role(client, city):
    city.owner_a_user.first_name = "王"
    city.owner_a_user.last_name = "小明"
    city.owner_a_user.save()
    client.force_login(city.owner_a_user)
    body = html(client.get(reverse("home")))
    assert "甲县农贸市场" in body
    assert '<span class="role-tag">使用单位</span>' in body
    assert f'action="{reverse("logout")}" method="post"' in body
    assert f'href="{reverse("password_change")}"' in body
    assert f'action="{reverse("set_language")}" method="post"' in body


SUPERVISION = ["抽查计划与任务", "专项检查", "现场检查", "责令改正", "行政处罚案件", "抽查事项清单", "执法检查人员"]


@pytest.mark.parametrize(
    "persona,expected",
    [
        # A market has no laboratory, so no capability declarations (Organization.has_lab).
        ("owner_a", ["首页", "计量器具", "批量导入", "检定申请", "证书", "监督检查与整改", "行政处罚案件", "消息"]),
        (
            "county_regulator_a",
            [
                "首页",
                "计量器具",
                "批量导入",
                "检定申请",
                "证书",
                "计量标准",
                "人员资质",
                "建标覆盖率",
                *SUPERVISION,
                "规划指标",
                "计量预警",
                "消息",
            ],
        ),
        ("institute", ["首页", "检定申请", "证书", "计量标准", "人员资质", "计量预警", "消息"]),
    ],
)
def test_navigation_follows_the_role(client, city, persona, expected):
    client.force_login(city.personas[persona])
    assert nav_labels(client.get(reverse("home"))) == expected


def test_admin_navigation_has_the_admin_site(client, city):
    client.force_login(city.admin)
    assert nav_labels(client.get(reverse("home"))) == [
        "首页",
        "计量器具",
        "批量导入",
        "检定申请",
        "证书",
        "计量标准",
        "人员资质",
        "建标覆盖率",
        *SUPERVISION,
        "规划指标",
        "计量预警",
        "消息",
        "系统管理",
    ]


def test_anonymous_password_change_goes_to_login(client, city):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_page_changes_the_password(client, city):
    client.force_login(city.owner_a_user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "修改密码" in html(page) and 'name="old_password"' in html(page)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Jiliang-2026-new", "new_password2": "Jiliang-2026-new"},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert "密码已修改" in html(client.get(response.url))
    city.owner_a_user.refresh_from_db()
    assert city.owner_a_user.check_password("Jiliang-2026-new")


def test_password_change_with_a_wrong_old_password_is_refused(client, city):
    client.force_login(city.owner_a_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Jiliang-2026-new", "new_password2": "Jiliang-2026-new"},
    )
    assert response.status_code == 200
    assert 'class="errorlist' in html(response)
    city.owner_a_user.refresh_from_db()
    assert city.owner_a_user.check_password(PASSWORD)


def test_english_is_selectable_and_sticks(client, city):
    client.force_login(city.city_regulator)
    assert html_lang(client.get(reverse("home"))) == "zh-hans"
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("instruments:list")})
    assert response.status_code == 302 and response.url == reverse("instruments:list")
    assert html_lang(client.get(reverse("instruments:list"))) == "en"
    assert html_lang(client.get(reverse("home"))) == "en"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert html_lang(client.get(reverse("home"))) == "zh-hans"


def test_language_can_be_chosen_before_logging_in(client, city):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert html_lang(client.get(reverse("login"))) == "en"


def test_language_switch_refuses_a_foreign_next_url(client, city):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client, city):
    client.force_login(city.owner_a_user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in page.content.decode()
