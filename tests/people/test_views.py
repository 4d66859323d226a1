"""The people pages: anonymous goes to login, owners get 404 everywhere, regulators see only their region's staff
and read only, an institute manages its own staff; personal data only where it may be seen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.core.models import AuditEvent
from jiliang.people.models import Expert, Person, Qualification
from tests.factories import catalog_item

from .conftest import TODAY, make_qualification, valid_id

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def pages(staff, qualification):
    pk = staff.person_city.pk
    return [
        reverse("people:list"),
        reverse("people:qualifications"),
        reverse("people:experts"),
        reverse("people:detail", args=[pk]),
        reverse("people:create"),
        reverse("people:edit", args=[pk]),
        reverse("people:qualification_add", args=[pk]),
        reverse("people:qualification_renew", args=[qualification.pk]),
        reverse("people:expert_create"),
    ]


@pytest.fixture
def qualification(staff):
    return make_qualification(staff.person_city, "JD-CITY", valid_days=30)


def test_anonymous_visitor_is_sent_to_the_login_page_from_every_page(client, staff, qualification):
    for url in pages(staff, qualification):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url


@pytest.mark.parametrize("persona", ["owner_a", "owner_b"])
def test_owner_gets_404_on_every_page(client, city, staff, qualification, persona):
    client.force_login(city.personas[persona])
    for url in pages(staff, qualification):
        assert client.get(url).status_code == 404, url
        # Read-only pages refuse a POST by method (405); the forms answer 404 as for a GET.
        assert client.post(url, {"name": "x"}).status_code in (404, 405), url
    assert not AuditEvent.objects.filter(action__startswith="person").exists()


def test_county_regulator_b_never_sees_county_a_staff(client, city, staff):
    make_qualification(staff.person_a, "JD-A", valid_days=10)
    client.force_login(city.county_regulator_b)
    listing = html(client.get(reverse("people:list")))
    assert "王乙" in listing and "李甲" not in listing and "张市" not in listing
    assert client.get(reverse("people:detail", args=[staff.person_a.pk])).status_code == 404
    expiring = html(client.get(reverse("people:qualifications")))
    assert "JD-A" not in expiring
    assert (
        client.get(reverse("people:list"), {"organization": staff.institute_a.pk}).context["page"].paginator.count == 0
    )


def test_city_regulator_lists_every_institute_with_titles_and_qualification_badges(client, city, staff):
    make_qualification(staff.person_a, "JD-A", valid_days=10)
    client.force_login(city.city_regulator)
    response = client.get(reverse("people:list"))
    text = html(response)
    for word in ("张市", "李甲", "王乙", "甲县计量所", "乙县计量所", "工程师"):
        assert word in text, word
    assert 'class="badge due-due_soon"' in text  # the expiring verifier's badge
    assert "检定员" in text


def test_list_filter_expiring_soon_keeps_only_staff_with_an_expiring_qualification(client, city, staff):
    make_qualification(staff.person_a, "JD-A", valid_days=90)
    make_qualification(staff.person_b, "JD-B", valid_days=91)
    client.force_login(city.city_regulator)
    response = client.get(reverse("people:list"), {"expiring_within": "90"})
    assert [p.name for p, _badges in response.context["rows"]] == ["李甲"]
    bad = client.get(reverse("people:list"), {"expiring_within": "soon", "title": "boss"})
    assert bad.status_code == 200
    assert len(bad.context["filters"].errors) == 2


def test_list_filters_by_title_and_kind(client, city, staff):
    make_qualification(staff.person_b, "RM-B", valid_days=400, kind=Qualification.Kind.REGISTERED_METROLOGIST)
    Person.objects.filter(pk=staff.person_a.pk).update(title=Person.Title.SENIOR)
    client.force_login(city.city_regulator)
    by_title = client.get(reverse("people:list"), {"title": "senior"})
    assert [p.name for p, _ in by_title.context["rows"]] == ["李甲"]
    by_kind = client.get(reverse("people:list"), {"kind": "registered_metrologist"})
    assert [p.name for p, _ in by_kind.context["rows"]] == ["王乙"]


def test_detail_shows_personal_data_to_own_institute_and_regulator_in_scope(client, city, staff):
    masked = staff.person_a.id_number_masked
    for user in (staff.institute_a_user, city.county_regulator_a, city.city_regulator, city.admin):
        client.force_login(user)
        text = html(client.get(reverse("people:detail", args=[staff.person_a.pk])))
        assert masked in text and "13900000002" in text, user
        assert staff.full_ids["a"] not in text


def test_regulator_reads_but_has_no_edit_links_and_cannot_post(client, city, staff):
    client.force_login(city.city_regulator)
    text = html(client.get(reverse("people:detail", args=[staff.person_city.pk])))
    assert reverse("people:edit", args=[staff.person_city.pk]) not in text
    assert client.get(reverse("people:create")).status_code == 404
    response = client.post(reverse("people:edit", args=[staff.person_city.pk]), {"name": "改", "title": "none"})
    assert response.status_code == 404
    staff.person_city.refresh_from_db()
    assert staff.person_city.name == "张市"


def test_institute_cannot_open_another_institutes_staff(client, city, staff):
    client.force_login(city.institute_user)
    assert client.get(reverse("people:detail", args=[staff.person_a.pk])).status_code == 404
    assert client.get(reverse("people:edit", args=[staff.person_a.pk])).status_code == 404
    assert "李甲" not in html(client.get(reverse("people:list")))


def test_institute_adds_a_member_of_staff_through_the_form_and_only_the_masked_number_is_kept(client, city):
    full = valid_id("21090219870707001")
    client.force_login(city.institute_user)
    response = client.post(
        reverse("people:create"),
        {"name": "孙工", "id_number": full, "title": "senior", "hired_on": "2020-01-02", "phone": "139"},
    )
    person = Person.objects.get(name="孙工")
    assert response.status_code == 302 and response.url == reverse("people:detail", args=[person.pk])
    assert person.id_number_masked == full[:6] + "********" + full[-4:]
    assert person.organization == city.institute
    detail = html(client.get(response.url))
    assert person.id_number_masked in detail and full not in detail
    edit = html(client.get(reverse("people:edit", args=[person.pk])))
    assert full not in edit and 'name="id_number"' in edit


def test_an_invalid_id_number_is_shown_as_a_form_error(client, city):
    client.force_login(city.institute_user)
    response = client.post(
        reverse("people:create"), {"name": "孙工", "id_number": "110105194912310021", "title": "none"}
    )
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert not Person.objects.filter(name="孙工").exists()


def test_institute_adds_and_renews_a_qualification(client, city, staff):
    client.force_login(city.institute_user)
    pk = staff.person_city.pk
    response = client.post(
        reverse("people:qualification_add", args=[pk]),
        {
            "kind": "verifier",
            "number": "JD-NEW",
            "issued_on": (TODAY - timedelta(days=1)).isoformat(),
            "valid_until": (TODAY + timedelta(days=20)).isoformat(),
            "catalog_items": [catalog_item("02").pk],
        },
    )
    assert response.status_code == 302
    q = Qualification.objects.get(number="JD-NEW")
    new_end = TODAY + timedelta(days=1500)
    response = client.post(reverse("people:qualification_renew", args=[q.pk]), {"valid_until": new_end.isoformat()})
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.valid_until == new_end
    assert AuditEvent.objects.filter(action="qualification.renew", object_id=str(q.pk)).exists()


def test_qualifications_page_lists_those_expiring_within_the_window(client, city, staff):
    for days in (-1, 0, 90, 91):
        make_qualification(staff.person_city, f"E{days}", valid_days=days, kind=Qualification.Kind.STANDARD_ASSESSOR)
    client.force_login(city.institute_user)
    response = client.get(reverse("people:qualifications"))
    assert [q.number for q, _left in response.context["rows"]] == ["E0", "E90"]
    wider = client.get(reverse("people:qualifications"), {"expiring_within": "180"})
    assert [q.number for q, _left in wider.context["rows"]] == ["E0", "E90", "E91"]
    assert client.get(reverse("people:qualifications"), {"expiring_within": "-3"}).context["errors"]


def test_expert_pool_is_scoped_and_regulators_add_to_it(client, city, staff):
    Expert.objects.create(name="外县专家", organization=staff.institute_b, specialties="压力", joined_on=TODAY)
    client.force_login(city.county_regulator_a)
    response = client.post(
        reverse("people:expert_create"),
        {
            "organization": staff.institute_a.pk,
            "name": "甲县专家",
            "specialties": "衡器",
            "joined_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    text = html(client.get(reverse("people:experts")))
    assert "甲县专家" in text and "外县专家" not in text
    # An organization outside the regulator's county is not even an option.
    response = client.post(
        reverse("people:expert_create"),
        {"organization": staff.institute_b.pk, "name": "越权", "specialties": "x", "joined_on": TODAY.isoformat()},
    )
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    client.force_login(city.institute_user)
    assert client.get(reverse("people:expert_create")).status_code == 404
