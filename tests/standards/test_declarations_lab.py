"""Capability declarations only for an organization with a laboratory (``Organization.has_lab``): the menu entry,
the pages and the services refuse an owner without one (a market, a petrol station), and a lab of its own does not
open another owner's declaration."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiliang.core import nav
from jiliang.core.errors import DomainError
from jiliang.standards.models import CapabilityDeclaration
from jiliang.standards.selectors import declarations as selectors
from jiliang.standards.services import declarations as svc

pytestmark = pytest.mark.django_db

LIST = reverse("coverage:declarations")
NEW = reverse("coverage:declaration_new")


def give_lab(organization, has_lab=True):
    organization.has_lab = has_lab
    organization.save(update_fields=["has_lab"])


def menu_urls(user) -> set[str]:
    return {entry.url_name for entry in nav.visible_entries(user)}


def test_a_new_organization_has_no_lab(city):
    assert city.owner_a.has_lab is False and city.owner_b.has_lab is False


def test_menu_shows_declarations_only_to_an_owner_with_a_lab(client, city):
    assert "coverage:declarations" not in menu_urls(city.owner_a_user)
    client.force_login(city.owner_a_user)
    assert f'href="{LIST}"' not in client.get(reverse("home")).content.decode()
    give_lab(city.owner_a)
    city.owner_a_user.refresh_from_db()
    assert "coverage:declarations" in menu_urls(city.owner_a_user)
    assert f'href="{LIST}"' in client.get(reverse("home")).content.decode()
    # The other owner (a petrol station without a lab) still has no entry.
    assert "coverage:declarations" not in menu_urls(city.owner_b_user)


def test_pages_refuse_an_owner_without_a_lab(client, city):
    client.force_login(city.owner_a_user)
    assert client.get(LIST).status_code == 404
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, {"items": "电子天平校准", "submit": "1"}).status_code == 404
    assert not CapabilityDeclaration.objects.exists()


def test_pages_open_to_an_owner_with_a_lab(client, city):
    give_lab(city.owner_a)
    client.force_login(city.owner_a_user)
    assert client.get(LIST).status_code == 200
    assert client.get(NEW).status_code == 200


def test_service_refuses_to_create_for_an_owner_without_a_lab(city):
    with pytest.raises(DomainError) as exc:
        svc.declaration_save_draft(actor=city.owner_a_user, items="电子天平校准")
    assert exc.value.code == "forbidden"
    assert not CapabilityDeclaration.objects.exists()


def test_an_owner_that_no_longer_has_a_lab_cannot_edit_or_submit_its_draft(client, city):
    give_lab(city.owner_a)
    d = svc.declaration_save_draft(actor=city.owner_a_user, items="电子天平校准")
    give_lab(city.owner_a, False)
    with pytest.raises(DomainError):
        svc.declaration_submit(actor=city.owner_a_user, declaration=d)
    with pytest.raises(DomainError):
        svc.declaration_save_draft(actor=city.owner_a_user, declaration=d, items="改")
    client.force_login(city.owner_a_user)
    assert client.get(reverse("coverage:declaration_edit", args=[d.pk])).status_code == 404
    d.refresh_from_db()
    assert d.status == CapabilityDeclaration.Status.DRAFT and d.items == "电子天平校准"
    assert selectors.may_edit(city.owner_a_user, d) is False


def test_a_lab_does_not_open_another_owners_declaration(client, city):
    give_lab(city.owner_a)
    give_lab(city.owner_b)
    d = svc.declaration_save_draft(actor=city.owner_a_user, items="电子天平校准")
    client.force_login(city.owner_b_user)
    assert client.get(LIST).status_code == 200
    assert "电子天平校准" not in client.get(LIST).content.decode()
    assert client.get(reverse("coverage:declaration_detail", args=[d.pk])).status_code == 404
    assert client.get(reverse("coverage:declaration_edit", args=[d.pk])).status_code == 404
    assert client.post(reverse("coverage:declaration_action", args=[d.pk, "submit"])).status_code == 404


@pytest.mark.parametrize("persona", ["institute", "county_regulator_a", "city_regulator"])
def test_other_roles_get_no_owner_entry_and_no_form_whatever_the_lab(client, city, persona):
    user = city.personas[persona]
    if user.organization_id:
        give_lab(user.organization)
    assert "coverage:declarations" not in menu_urls(user)
    client.force_login(user)
    assert client.get(NEW).status_code == 404


def test_anonymous_is_sent_to_login(client, city):
    for url in (LIST, NEW):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
