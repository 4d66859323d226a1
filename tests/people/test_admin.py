"""The admin site stores the ID number masked too, and never shows the stored value in an input."""

import pytest
from django.urls import reverse

from jiliang.people.models import Person

from .conftest import valid_id

pytestmark = pytest.mark.django_db


def test_admin_adds_a_person_with_a_full_id_number_and_only_the_masked_form_is_stored(client, city):
    full = valid_id("21090219750303111")
    client.force_login(city.admin)
    response = client.post(
        reverse("admin:people_person_add"),
        {
            "organization": city.institute.pk,
            "name": "周工",
            "title": "junior",
            "id_number": full,
            "phone": "",
            "qualifications-TOTAL_FORMS": "0",
            "qualifications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(name="周工")
    assert person.id_number_masked == full[:6] + "********" + full[-4:]
    change = client.get(reverse("admin:people_person_change", args=[person.pk])).content.decode()
    assert full not in change


def test_admin_refuses_an_id_number_with_a_wrong_check_character(client, city):
    client.force_login(city.admin)
    response = client.post(
        reverse("admin:people_person_add"),
        {
            "organization": city.institute.pk,
            "name": "吴工",
            "title": "none",
            "id_number": "110105194912310021",
            "qualifications-TOTAL_FORMS": "0",
            "qualifications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name="吴工").exists()


def test_admin_lists_open_for_people_qualifications_and_experts(client, city, staff):
    client.force_login(city.admin)
    for name in ("people_person", "people_qualification", "people_expert"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name


def _person_form(city, **overrides):
    data = {
        "organization": city.institute.pk,
        "name": "郑检定",
        "title": "intermediate",
        "id_number": "",
        "phone": "",
        "qualifications-TOTAL_FORMS": "0",
        "qualifications-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_gives_a_person_their_own_login_of_their_institute_and_it_is_audited(client, city):
    from jiliang.core.audit import AuditEvent

    client.force_login(city.admin)
    # Another organization's login, or an owner's, is refused: a person signs only for their own institute.
    for user in (city.owner_a_user, city.county_regulator_a):
        response = client.post(reverse("admin:people_person_add"), _person_form(city, user=user.pk))
        assert response.status_code == 200 and "登录账号须为本单位的检定机构账号" in response.content.decode()
    assert not Person.objects.filter(name="郑检定").exists()
    response = client.post(reverse("admin:people_person_add"), _person_form(city, user=city.institute_user.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(name="郑检定")
    assert person.user == city.institute_user and city.institute_user.person == person
    assert AuditEvent.objects.filter(actor=city.admin, action__contains="person").exists()
