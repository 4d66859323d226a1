"""Changes to staff, qualifications and experts: who may make them, what is stored (never the full ID number),
and that each is audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.people import services
from jiliang.people.idnumber import id_number_error, mask_id_number
from jiliang.people.models import Expert, Person, Qualification
from tests.factories import catalog_item

from .conftest import TODAY, valid_id

pytestmark = pytest.mark.django_db

FULL_ID = valid_id("21090219800101123")


def _all_text_in_database() -> str:
    """Every person row and every audit event as text, to look for a leaked full ID number."""
    rows = list(Person.objects.values()) + list(AuditEvent.objects.values("changes", "object_repr"))
    return json.dumps(rows, ensure_ascii=False, default=str)


def test_masking_keeps_the_first_six_and_the_last_four_characters():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number(" 11010519491231002x ") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"


def test_id_number_with_a_wrong_check_character_is_refused():
    assert id_number_error("110105194912310021") is not None
    assert id_number_error("11010519491231002X") is None
    assert id_number_error("12345") is not None


def test_institute_adds_its_own_staff_and_only_the_masked_id_number_is_stored(city):
    person = services.person_create(
        actor=city.institute_user, name="赵工", id_number=FULL_ID, title=Person.Title.SENIOR, phone="13800000000"
    )
    person.refresh_from_db()
    assert person.organization == city.institute
    assert person.id_number_masked == FULL_ID[:6] + "********" + FULL_ID[-4:]
    assert FULL_ID not in _all_text_in_database()
    event = AuditEvent.objects.get(action="person.create", object_id=str(person.pk))
    assert event.changes["id_number_masked"] == person.id_number_masked
    assert event.actor == city.institute_user


def test_an_invalid_id_number_is_refused_and_nothing_is_saved(city):
    with pytest.raises(DomainError) as info:
        services.person_create(actor=city.institute_user, name="赵工", id_number="110105194912310021")
    assert info.value.errors[0][0] == "id_number"
    assert not Person.objects.filter(name="赵工").exists()


def test_institute_cannot_add_staff_to_another_organization(city, staff):
    with pytest.raises(NotFoundOrForbidden):
        services.person_create(actor=city.institute_user, organization=staff.institute_a, name="赵工")


@pytest.mark.parametrize("persona", ["city_regulator", "county_regulator_a", "owner_a"])
def test_regulators_and_owners_cannot_add_staff(city, persona):
    with pytest.raises(DomainError):
        services.person_create(actor=city.personas[persona], name="赵工")
    assert not Person.objects.filter(name="赵工").exists()


def test_admin_adds_staff_to_a_named_organization(city, staff):
    person = services.person_create(actor=city.admin, organization=staff.institute_b, name="钱工")
    assert person.organization == staff.institute_b


def test_update_keeps_the_masked_number_when_none_is_entered_and_audits_the_change(city, staff):
    person = staff.person_city
    before = person.id_number_masked
    services.person_update(
        actor=city.institute_user, person=person, title=Person.Title.SENIOR, hired_on=person.hired_on, phone="1"
    )
    person.refresh_from_db()
    assert person.id_number_masked == before
    assert person.title == Person.Title.SENIOR
    event = AuditEvent.objects.filter(action="person.update").latest("id")
    assert event.changes["title"] == [Person.Title.INTERMEDIATE, Person.Title.SENIOR]
    assert "id_number_masked" not in event.changes


def test_update_with_a_new_id_number_stores_it_masked(city, staff):
    new_id = valid_id("21090219990101555")
    services.person_update(actor=city.institute_user, person=staff.person_city, id_number=new_id)
    staff.person_city.refresh_from_db()
    assert staff.person_city.id_number_masked == mask_id_number(new_id)
    assert new_id not in _all_text_in_database()


def test_regulator_cannot_edit_staff_and_another_institute_does_not_even_see_them(city, staff):
    with pytest.raises(DomainError) as info:
        services.person_update(actor=city.city_regulator, person=staff.person_a, name="改名")
    assert not isinstance(info.value, NotFoundOrForbidden)
    with pytest.raises(NotFoundOrForbidden):
        services.person_update(actor=staff.institute_b_user, person=staff.person_a, name="改名")
    staff.person_a.refresh_from_db()
    assert staff.person_a.name == "李甲"


def test_leaving_before_being_hired_is_refused(city, staff):
    with pytest.raises(DomainError) as info:
        services.person_update(
            actor=city.institute_user,
            person=staff.person_city,
            hired_on=TODAY,
            left_on=TODAY - timedelta(days=1),
        )
    assert info.value.errors[0][0] == "left_on"


def test_qualification_add_records_the_scope_and_is_audited(city, staff):
    q = services.qualification_add(
        actor=city.institute_user,
        person=staff.person_city,
        kind=Qualification.Kind.VERIFIER,
        number="JD-001",
        issued_on=TODAY - timedelta(days=10),
        valid_until=TODAY + timedelta(days=1000),
        catalog_items=[catalog_item("02")],
    )
    assert list(q.catalog_items.values_list("code", flat=True)) == ["02"]
    event = AuditEvent.objects.get(action="qualification.add", object_id=str(q.pk))
    assert event.changes["catalog_items"] == ["02"]
    assert event.changes["person"] == staff.person_city.pk


def test_a_verifier_qualification_needs_an_item_or_a_procedure(city, staff):
    with pytest.raises(DomainError) as info:
        services.qualification_add(
            actor=city.institute_user,
            person=staff.person_city,
            kind=Qualification.Kind.VERIFIER,
            number="JD-002",
            issued_on=TODAY,
            valid_until=TODAY,
        )
    assert info.value.errors[0][0] == "catalog_items"


def test_a_registered_metrologist_needs_a_grade_and_others_have_none(city, staff):
    common = {"actor": city.institute_user, "person": staff.person_city, "issued_on": TODAY, "valid_until": TODAY}
    with pytest.raises(DomainError):
        services.qualification_add(kind=Qualification.Kind.REGISTERED_METROLOGIST, number="RM-1", **common)
    with pytest.raises(DomainError):
        services.qualification_add(kind=Qualification.Kind.STANDARD_ASSESSOR, number="SA-1", grade="1", **common)
    q = services.qualification_add(kind=Qualification.Kind.REGISTERED_METROLOGIST, number="RM-1", grade="2", **common)
    assert q.get_grade_display() == "二级"


def test_the_same_certificate_number_twice_is_a_conflict(city, staff):
    common = {
        "actor": city.institute_user,
        "person": staff.person_city,
        "kind": Qualification.Kind.INSTITUTE_ASSESSOR,
        "number": "IA-1",
        "issued_on": TODAY,
        "valid_until": TODAY,
    }
    services.qualification_add(**common)
    with pytest.raises(DomainError) as info:
        services.qualification_add(**common)
    assert info.value.code == "conflict"
    assert Qualification.objects.filter(number="IA-1").count() == 1


def test_renewal_moves_the_end_date_later_and_keeps_the_old_one_in_the_audit_log(city, staff):
    from .conftest import make_qualification

    q = make_qualification(staff.person_city, "JD-9", valid_days=10)
    old_end = q.valid_until
    new_end = old_end + timedelta(days=5 * 365)
    services.qualification_renew(actor=city.institute_user, qualification=q, valid_until=new_end, number="JD-9B")
    q.refresh_from_db()
    assert (q.valid_until, q.number) == (new_end, "JD-9B")
    event = AuditEvent.objects.get(action="qualification.renew")
    assert event.changes["valid_until"] == [old_end.isoformat(), new_end.isoformat()]
    with pytest.raises(DomainError):
        services.qualification_renew(actor=city.institute_user, qualification=q, valid_until=new_end)


def test_another_institute_cannot_renew_a_qualification(city, staff):
    from .conftest import make_qualification

    q = make_qualification(staff.person_city, "JD-10", valid_days=10)
    with pytest.raises(NotFoundOrForbidden):
        services.qualification_renew(
            actor=staff.institute_a_user, qualification=q, valid_until=q.valid_until + timedelta(days=1)
        )


def test_regulator_adds_an_expert_in_its_region_but_not_outside_it(city, staff):
    expert = services.expert_add(
        actor=city.county_regulator_a,
        organization=staff.institute_a,
        name="",
        person=staff.person_a,
        specialties="衡器",
        joined_on=TODAY,
    )
    assert expert.name == "李甲"
    assert AuditEvent.objects.filter(action="expert.add", object_id=str(expert.pk)).exists()
    with pytest.raises(NotFoundOrForbidden):
        services.expert_add(
            actor=city.county_regulator_a, organization=staff.institute_b, name="外县", specialties="x", joined_on=TODAY
        )
    with pytest.raises(DomainError):
        services.expert_add(
            actor=city.institute_user, organization=city.institute, name="自荐", specialties="x", joined_on=TODAY
        )
    assert list(Expert.objects.values_list("name", flat=True)) == ["李甲"]
