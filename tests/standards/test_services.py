"""Services of standards, equipment, certificates and authorizations: scoped, validated, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.standards.models import Standard
from jiliang.standards.selectors import standards as selectors
from jiliang.standards.services import standards as services
from tests.factories import catalog_item


def standard_data(today, **overrides):
    data = dict(
        name="压力表检定装置",
        code="PS-001",
        measurand="压力",
        level=Standard.Level.CITY,
        certificate_number="[2026]P-1",
        certificate_issued_on=today - timedelta(days=10),
        certificate_valid_until=today + timedelta(days=1450),
    )
    data.update(overrides)
    return data


def test_an_institute_registers_a_standard_for_itself_and_the_change_is_audited(city, lab):
    standard = services.standard_create(
        actor=city.institute_user, catalog_items=[catalog_item("02")], **standard_data(lab.today)
    )
    assert standard.holder == city.institute
    assert list(standard.catalog_items.values_list("code", flat=True)) == ["02"]
    event = AuditEvent.objects.filter(action="standard.create").get()
    assert event.object_id == str(standard.pk)
    assert event.changes["catalog_items"] == [catalog_item("02").pk]


def test_an_institute_cannot_register_a_standard_for_another_institute(city, lab):
    with pytest.raises(NotFoundOrForbidden):
        services.standard_create(actor=city.institute_user, holder=lab.county_institute, **standard_data(lab.today))


@pytest.mark.parametrize("persona", ["city_regulator", "owner_a"])
def test_regulators_and_owners_do_not_register_standards(city, lab, persona):
    with pytest.raises(DomainError):
        services.standard_create(actor=city.personas[persona], **standard_data(lab.today))
    assert not Standard.objects.filter(code="PS-001").exists()


def test_the_same_code_twice_at_one_holder_is_a_conflict(city, lab):
    with pytest.raises(DomainError) as caught:
        services.standard_create(actor=city.institute_user, **standard_data(lab.today, code="CS-001"))
    assert caught.value.code == "conflict"


def test_an_assessment_certificate_ending_before_it_is_issued_is_refused(city, lab):
    with pytest.raises(DomainError) as caught:
        services.standard_create(
            actor=city.institute_user,
            **standard_data(lab.today, certificate_valid_until=lab.today - timedelta(days=11)),
        )
    assert caught.value.errors[0][0] == "certificate_valid_until"


def test_another_institute_cannot_edit_or_suspend_a_standard(city, lab):
    with pytest.raises(NotFoundOrForbidden):
        services.standard_update(actor=lab.county_institute_user, standard_id=lab.city_standard.pk, name="改名")
    with pytest.raises(NotFoundOrForbidden):
        services.standard_set_status(
            actor=lab.county_institute_user, standard_id=lab.city_standard.pk, status=Standard.Status.SUSPENDED
        )
    lab.city_standard.refresh_from_db()
    assert (lab.city_standard.name, lab.city_standard.status) == ("电子天平检定装置", Standard.Status.ACTIVE)


def test_an_update_records_only_what_changed(city, lab):
    services.standard_update(actor=city.institute_user, standard_id=lab.city_standard.pk, measuring_range="(0~60) kg")
    event = AuditEvent.objects.filter(action="standard.update").get()
    assert event.changes == {"measuring_range": ["(0~30) kg", "(0~60) kg"]}


def test_a_retired_standard_stays_on_record_and_cannot_come_back(city, lab):
    pk = lab.city_standard.pk
    services.standard_set_status(actor=city.institute_user, standard_id=pk, status=Standard.Status.SUSPENDED)
    services.standard_set_status(actor=city.institute_user, standard_id=pk, status=Standard.Status.ACTIVE)
    services.standard_set_status(actor=city.institute_user, standard_id=pk, status=Standard.Status.RETIRED)
    with pytest.raises(DomainError):
        services.standard_set_status(actor=city.institute_user, standard_id=pk, status=Standard.Status.ACTIVE)
    assert Standard.objects.get(pk=pk).status == Standard.Status.RETIRED
    assert AuditEvent.objects.filter(action="standard.set_status").count() == 3


def test_equipment_and_its_certificate_from_an_external_authority_are_recorded(city, lab):
    equipment = services.equipment_add(
        actor=city.institute_user, standard_id=lab.city_standard.pk, name="数字压力计", serial_number="P-9"
    )
    certificate = services.equipment_certificate_add(
        actor=city.institute_user,
        equipment_id=equipment.pk,
        issuer_authority=lab.province,
        number="ZL-9",
        issued_on=lab.today,
        valid_until=lab.today + timedelta(days=365),
    )
    assert certificate.issuer_authority == lab.province and certificate.issuer_standard is None
    assert {e.action for e in AuditEvent.objects.all()} >= {"standard.equipment_add", "standard.certificate_add"}


def test_a_certificate_names_exactly_one_issuer(city, lab):
    common = dict(number="X", issued_on=lab.today, valid_until=lab.today + timedelta(days=10))
    with pytest.raises(DomainError):
        services.equipment_certificate_add(actor=city.institute_user, equipment_id=lab.equipment_1.pk, **common)
    with pytest.raises(DomainError):
        services.equipment_certificate_add(
            actor=city.institute_user,
            equipment_id=lab.equipment_1.pk,
            issuer_authority=lab.province,
            issuer_standard=lab.county_standard,
            **common,
        )


def test_a_standard_cannot_certify_its_own_equipment(city, lab):
    with pytest.raises(DomainError):
        services.equipment_certificate_add(
            actor=city.institute_user,
            equipment_id=lab.equipment_1.pk,
            issuer_standard=lab.city_standard,
            number="SELF",
            issued_on=lab.today,
            valid_until=lab.today + timedelta(days=10),
        )


def test_an_institute_certifies_its_equipment_with_another_institutes_standard(city, lab):
    certificate = services.equipment_certificate_add(
        actor=lab.county_institute_user,
        equipment_id=lab.county_equipment.pk,
        issuer_standard=lab.city_standard,
        number="JD-2",
        issued_on=lab.today,
        valid_until=lab.today + timedelta(days=365),
    )
    assert certificate.issuer_standard == lab.city_standard


def test_another_institute_cannot_add_equipment_or_certificates(city, lab):
    with pytest.raises(NotFoundOrForbidden):
        services.equipment_add(
            actor=lab.county_institute_user, standard_id=lab.city_standard.pk, name="x", serial_number="y"
        )
    with pytest.raises(NotFoundOrForbidden):
        services.equipment_certificate_add(
            actor=lab.county_institute_user,
            equipment_id=lab.equipment_1.pk,
            issuer_authority=lab.province,
            number="Z",
            issued_on=lab.today,
            valid_until=lab.today,
        )


def grant(actor, institute, today, **overrides):
    values = dict(
        institute=institute,
        number="SQ-1",
        catalog_items=[catalog_item("02")],
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=365),
    )
    values.update(overrides)
    return services.authorization_grant(actor=actor, **values)


def test_a_county_regulator_authorizes_an_institute_of_its_county_only(city, lab):
    authorization = grant(city.county_regulator_a, lab.county_institute, lab.today)
    assert authorization.issued_by == city.bureau_a
    assert AuditEvent.objects.filter(action="authorization.grant").count() == 1
    with pytest.raises(NotFoundOrForbidden):
        grant(city.county_regulator_b, lab.county_institute, lab.today)
    with pytest.raises(NotFoundOrForbidden):
        grant(city.county_regulator_a, city.institute, lab.today)


@pytest.mark.parametrize("persona", ["institute", "owner_a"])
def test_institutes_and_owners_cannot_grant_authorizations(city, lab, persona):
    with pytest.raises(DomainError):
        grant(city.personas[persona], city.institute, lab.today)


def test_a_revoked_authorization_stays_on_record_and_stops_counting_from_its_date(city, lab):
    authorization = grant(city.city_regulator, city.institute, lab.today)
    assert selectors.authorized_institutes(catalog_item("02"), city.city, lab.today) == [city.institute]
    with pytest.raises(NotFoundOrForbidden):
        services.authorization_revoke(actor=city.county_regulator_a, authorization_id=authorization.pk)
    services.authorization_revoke(actor=city.city_regulator, authorization_id=authorization.pk)
    assert selectors.authorized_institutes(catalog_item("02"), city.city, lab.today) == []
    assert selectors.authorized_institutes(catalog_item("02"), city.city, lab.today - timedelta(days=1)) == [
        city.institute
    ]
    with pytest.raises(DomainError):
        services.authorization_revoke(actor=city.city_regulator, authorization_id=authorization.pk)


def test_authorized_institutes_prefer_the_county_and_fall_back_to_the_city(city, lab):
    grant(city.city_regulator, city.institute, lab.today, number="SQ-CITY")
    grant(city.county_regulator_a, lab.county_institute, lab.today, number="SQ-A")
    item = catalog_item("02")
    assert selectors.authorized_institutes(item, city.county_a, lab.today) == [lab.county_institute]
    assert selectors.authorized_institutes(item, city.county_b, lab.today) == [city.institute]
    assert selectors.authorized_institutes(catalog_item("08"), city.county_a, lab.today) == []
    # Outside the period the authorization does not count.
    assert selectors.authorized_institutes(item, city.county_b, lab.today + timedelta(days=366)) == []


def test_reassessment_is_due_six_months_before_the_certificate_expires(city, lab):
    Standard.objects.filter(pk=lab.city_standard.pk).update(certificate_valid_until=lab.today + timedelta(days=183))
    Standard.objects.filter(pk=lab.county_standard.pk).update(certificate_valid_until=lab.today + timedelta(days=184))
    assert list(selectors.reassessment_due(city.city_regulator)) == [lab.city_standard]
    assert list(selectors.reassessment_due(city.city_regulator, within_days=184)) == [
        lab.city_standard,
        lab.county_standard,
    ]
    assert list(selectors.reassessment_due(lab.county_institute_user, within_days=184)) == [lab.county_standard]
    Standard.objects.filter(pk=lab.city_standard.pk).update(status=Standard.Status.RETIRED)
    assert list(selectors.reassessment_due(city.city_regulator)) == []


def test_the_visible_standards_follow_the_actors_scope(city, lab):
    def codes(user):
        return sorted(selectors.standards_visible_to(user).values_list("code", flat=True))

    assert codes(city.admin) == ["CS-001", "KS-001"]
    assert codes(city.city_regulator) == ["CS-001", "KS-001"]
    assert codes(city.county_regulator_a) == ["KS-001"]
    assert codes(city.county_regulator_b) == []
    assert codes(city.institute_user) == ["CS-001"]
    assert codes(lab.county_institute_user) == ["KS-001"]
    assert codes(city.owner_a_user) == []
    assert codes(None) == []


def test_the_validity_filter_uses_the_one_validity_function(city, lab):
    from jiliang.standards.models import EquipmentCertificate

    EquipmentCertificate.objects.filter(pk=lab.certificate_1.pk).update(valid_until=lab.today - timedelta(days=1))
    valid = selectors.standard_list(city.admin, selectors.StandardFilters(valid=True))
    invalid = selectors.standard_list(city.admin, selectors.StandardFilters(valid=False))
    assert list(valid) == [lab.county_standard]
    assert list(invalid) == [lab.city_standard]
    yesterday = selectors.StandardFilters(valid=True, valid_on=lab.today - timedelta(days=1))
    assert set(selectors.standard_list(city.admin, yesterday)) == {lab.city_standard, lab.county_standard}


def test_only_a_public_standard_certifies_another_organizations_equipment(city, lab):
    Standard.objects.filter(pk=lab.city_standard.pk).update(is_public=False)
    with pytest.raises(DomainError) as caught:
        services.equipment_certificate_add(
            actor=lab.county_institute_user,
            equipment_id=lab.county_equipment.pk,
            issuer_standard=lab.city_standard,
            number="JD-3",
            issued_on=lab.today,
            valid_until=lab.today + timedelta(days=365),
        )
    assert caught.value.errors[0][0] == "issuer_standard"
