"""Owner notices where people read them: the inbox page, the API and the admin. The owner sees its own; the
institute that caused them, the other owner and the regulators never do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiliang.notices.models import Kind, Notification, OwnerNotice
from jiliang.notices.selectors import notifications_visible_to
from jiliang.verification.services import requests as svc
from tests.builders.verification import issue_certificate

from .conftest import PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(city, bench, submitted):
    """Owner A's request returned and a certificate issued to owner A (the commit callbacks never run here)."""
    svc.request_return(actor=city.institute_user, request_id=submitted.pk, reason="缺少器具照片")
    certificate = issue_certificate(bench)
    return {
        "returned": Notification.objects.get(kind=Kind.REQUEST_RETURNED),
        "issued": Notification.objects.get(kind=Kind.CERTIFICATE_ISSUED),
        "certificate": certificate,
        "request": submitted,
    }


def test_the_owners_inbox_shows_each_kind_with_its_own_button(client, city, events):
    client.force_login(city.owner_a_user)
    body = client.get(reverse("notices:list")).content.decode()
    assert events["returned"].title in body and events["issued"].title in body
    assert "申请退回补正" in body and "证书已出具" in body  # the kinds' names
    assert "查看申请" in body and "查看证书" in body
    assert "缺少器具照片" in body


def test_opening_a_certificate_notice_goes_to_the_certificate_the_owner_may_see(client, city, events):
    client.force_login(city.owner_a_user)
    response = client.post(reverse("notices:read", args=[events["issued"].pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == f"/certificates/{events['certificate'].pk}/"
    assert client.get(response.url).status_code == 200
    response = client.post(reverse("notices:read", args=[events["returned"].pk]), {"open": "1"})
    assert response.url == f"/requests/{events['request'].pk}/"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    "persona", ["institute", "owner_b", "city_regulator", "county_regulator_a", "county_regulator_b", "anonymous"]
)
def test_nobody_but_the_owner_sees_its_notices(client, api, city, events, persona):
    user = city.personas[persona]
    assert not notifications_visible_to(user).filter(organization=city.owner_a).exists()
    if user is not None:
        client.force_login(user)
        body = client.get(reverse("notices:list")).content.decode()
        assert events["returned"].title not in body and events["issued"].title not in body
    for notification in (events["returned"], events["issued"]):
        if user is None:
            assert client.post(reverse("notices:read", args=[notification.pk])).status_code == 302  # to the login
        else:
            assert client.post(reverse("notices:read", args=[notification.pk])).status_code == 404
        response = api(user).post(f"/api/v1/notifications/{notification.pk}/read")
        assert response.status_code == (401 if user is None else 404)
        notification.refresh_from_db()
        assert notification.read_at is None
    listed = api(user).get("/api/v1/notifications")
    if user is None:
        assert listed.status_code == 401
    else:
        titles = {i["title"] for i in listed.json()["items"]}
        assert events["returned"].title not in titles and events["issued"].title not in titles


def test_the_api_gives_the_kind_and_its_name(api, city, events):
    items = api(city.owner_a_user).get("/api/v1/notifications").json()["items"]
    by_kind = {i["kind"]: i for i in items}
    assert by_kind[Kind.REQUEST_RETURNED]["kind_label"] == "申请退回补正"
    assert by_kind[Kind.CERTIFICATE_ISSUED]["link"] == f"/certificates/{events['certificate'].pk}/"
    assert by_kind[Kind.CERTIFICATE_ISSUED]["kind_label"] == "证书已出具"


def test_the_outbox_is_readable_in_the_admin_with_the_number_masked_and_not_editable(client, city, events):
    client.force_login(city.admin)
    notice = OwnerNotice.objects.get(kind=Kind.REQUEST_RETURNED)
    listing = client.get("/admin/notices/ownernotice/").content.decode()
    page = client.get(f"/admin/notices/ownernotice/{notice.pk}/change/").content.decode()
    for body in (listing, page):
        assert "138****5678" in body and PHONE not in body
    assert notice.title in page
    assert client.post(f"/admin/notices/ownernotice/{notice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OwnerNotice.objects.filter(pk=notice.pk).exists()


@pytest.mark.parametrize("persona", ["institute", "owner_a", "city_regulator"])
def test_the_outbox_admin_is_refused_to_non_staff(client, city, events, persona):
    client.force_login(city.personas[persona])
    response = client.get("/admin/notices/ownernotice/")
    assert response.status_code == 302 and "/login/" in response.url


def test_the_kinds_and_buttons_have_english_names(city, events):
    from django.utils import translation

    with translation.override("en"):
        assert str(Kind.CERTIFICATE_ISSUED.label) == "Certificate issued"
        assert events["issued"].link_label == "View certificate"
        assert str(OwnerNotice.Status.LOGGED.label) == "Logged only, not sent"
