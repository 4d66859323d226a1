"""The inbox page and API: an organization sees only its own notifications; unread first; mark read."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jiliang.notices.models import Kind, Notification
from jiliang.notices.selectors import notifications_visible_to, unread_count
from jiliang.notices.services import reminders_send

from .conftest import DAY, due_in

pytestmark = pytest.mark.django_db


def notice(org, title, *, read=False, user=None):
    return Notification.objects.create(
        organization=org,
        user=user,
        kind=Kind.DUE_REMINDER,
        title=title,
        body="正文",
        link="/instruments/?due_state=due_soon",
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def inbox(city):
    return {
        "a_old": notice(city.owner_a, "甲-旧-未读"),
        "a_read": notice(city.owner_a, "甲-已读", read=True),
        "a_new": notice(city.owner_a, "甲-新-未读"),
        "b": notice(city.owner_b, "乙-未读"),
    }


def test_selectors_scope_to_the_users_organization(city, inbox):
    assert set(notifications_visible_to(city.owner_a_user)) == {inbox["a_old"], inbox["a_read"], inbox["a_new"]}
    assert list(notifications_visible_to(city.owner_b_user)) == [inbox["b"]]
    assert unread_count(city.owner_a_user) == 2
    assert unread_count(city.owner_b_user) == 1
    for outsider in (None, city.admin, city.county_regulator_a, city.institute_user):
        assert unread_count(outsider) == 0
        assert not notifications_visible_to(outsider).exists()


def test_a_notification_for_one_user_is_not_shown_to_colleagues(city):
    from tests.factories import UserFactory

    colleague = UserFactory(organization=city.owner_a)
    notice(city.owner_a, "仅本人", user=city.owner_a_user)
    assert unread_count(city.owner_a_user) == 1
    assert unread_count(colleague) == 0


def test_list_page_shows_unread_first_and_only_own(client, city, inbox):
    client.force_login(city.owner_a_user)
    response = client.get(reverse("notices:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("甲-新-未读") < body.index("甲-旧-未读") < body.index("甲-已读")
    assert "乙-未读" not in body
    assert "2 条未读" in body


def test_mark_read_and_open_its_link(client, city, inbox):
    client.force_login(city.owner_a_user)
    response = client.post(reverse("notices:read", args=[inbox["a_new"].pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == "/instruments/?due_state=due_soon"
    inbox["a_new"].refresh_from_db()
    assert inbox["a_new"].read_at is not None
    response = client.post(reverse("notices:read", args=[inbox["a_old"].pk]))
    assert response.url == reverse("notices:list")
    assert unread_count(city.owner_a_user) == 0


def test_a_link_to_another_site_is_not_followed(client, city):
    evil = notice(city.owner_a, "外链")
    Notification.objects.filter(pk=evil.pk).update(link="https://evil.example/")
    client.force_login(city.owner_a_user)
    response = client.post(reverse("notices:read", args=[evil.pk]), {"open": "1"})
    assert response.url == reverse("notices:list")


def test_mark_all_read_touches_only_own(client, city, inbox):
    client.force_login(city.owner_a_user)
    response = client.post(reverse("notices:read_all"))
    assert response.status_code == 302
    assert unread_count(city.owner_a_user) == 0
    inbox["b"].refresh_from_db()
    assert inbox["b"].read_at is None


def test_owner_b_cannot_read_owner_as_notification(client, city, inbox):
    client.force_login(city.owner_b_user)
    assert client.post(reverse("notices:read", args=[inbox["a_new"].pk])).status_code == 404
    assert client.post(reverse("notices:read", args=[999_999])).status_code == 404
    inbox["a_new"].refresh_from_db()
    assert inbox["a_new"].read_at is None
    assert "甲-新-未读" not in client.get(reverse("notices:list")).content.decode()


def test_get_on_read_is_refused(client, city, inbox):
    client.force_login(city.owner_a_user)
    assert client.get(reverse("notices:read", args=[inbox["a_new"].pk])).status_code == 405
    assert client.get(reverse("notices:read_all")).status_code == 405


@pytest.mark.parametrize("name", ["list", "read", "read_all"])
def test_anonymous_is_sent_to_login(client, city, inbox, name):
    url = reverse(f"notices:{name}", args=[inbox["a_new"].pk] if name == "read" else [])
    response = client.get(url) if name == "list" else client.post(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    inbox["a_new"].refresh_from_db()
    assert inbox["a_new"].read_at is None


def test_api_lists_own_unread_first(api, city, inbox):
    response = api(city.owner_a_user).get("/api/v1/notifications")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and data["unread"] == 2
    assert [i["title"] for i in data["items"]] == ["甲-新-未读", "甲-旧-未读", "甲-已读"]
    assert [i["read"] for i in data["items"]] == [False, False, True]
    unread = api(city.owner_a_user).get("/api/v1/notifications?unread_only=true").json()
    assert unread["count"] == 2


def test_api_mark_read(api, city, inbox):
    response = api(city.owner_a_user).post(f"/api/v1/notifications/{inbox['a_new'].pk}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"]
    assert unread_count(city.owner_a_user) == 1


def test_api_owner_b_gets_404_for_owner_as_notification(api, city, inbox):
    response = api(city.owner_b_user).post(f"/api/v1/notifications/{inbox['a_new'].pk}/read")
    assert response.status_code == 404
    assert response.json()["detail"] == "通知不存在"
    inbox["a_new"].refresh_from_db()
    assert inbox["a_new"].read_at is None
    titles = [i["title"] for i in api(city.owner_b_user).get("/api/v1/notifications").json()["items"]]
    assert titles == ["乙-未读"]


def test_api_anonymous_is_401(api, city, inbox):
    assert api(None).get("/api/v1/notifications").status_code == 401
    assert api(None).post(f"/api/v1/notifications/{inbox['a_new'].pk}/read").status_code == 401


def test_a_reminder_lands_in_the_owners_inbox_only(client, city):
    due_in(city.owner_a, 7, serial_number="A-INBOX")
    reminders_send(day=DAY)
    assert unread_count(city.owner_a_user) == 1
    assert unread_count(city.owner_b_user) == 0
    client.force_login(city.owner_a_user)
    assert "A-INBOX" in client.get(reverse("notices:list")).content.decode()
    client.force_login(city.owner_b_user)
    assert "A-INBOX" not in client.get(reverse("notices:list")).content.decode()
