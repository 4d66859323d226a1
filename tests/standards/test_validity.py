"""The one validity function (jiliang.standards.selectors.standards) at its edges, on database rows."""

from __future__ import annotations

from datetime import timedelta

from jiliang.standards.models import EquipmentCertificate, Standard, StandardEquipment
from jiliang.standards.selectors.standards import (
    explain,
    is_valid_on,
    standard_validity,
    valid_standards,
    with_validity_data,
)


def fresh(standard: Standard) -> Standard:
    return with_validity_data(Standard.objects.filter(pk=standard.pk)).get()


def test_the_fixture_city_standard_is_valid_today(lab):
    assert is_valid_on(fresh(lab.city_standard), lab.today)
    assert is_valid_on(fresh(lab.county_standard), lab.today)


def test_an_assessment_certificate_ending_today_is_valid_today_and_invalid_tomorrow(lab):
    Standard.objects.filter(pk=lab.city_standard.pk).update(certificate_valid_until=lab.today)
    standard = fresh(lab.city_standard)
    assert is_valid_on(standard, lab.today)
    tomorrow = standard_validity(standard, lab.today + timedelta(days=1))
    assert not tomorrow.valid
    assert [r.code for r in tomorrow.reasons] == ["certificate_expired"]


def test_equipment_whose_only_certificate_expired_yesterday_makes_the_standard_invalid_today(lab):
    yesterday = lab.today - timedelta(days=1)
    EquipmentCertificate.objects.filter(pk=lab.certificate_2.pk).update(valid_until=yesterday)
    standard = fresh(lab.city_standard)
    assert is_valid_on(standard, yesterday)
    verdict = standard_validity(standard, lab.today)
    assert not verdict.valid
    assert [(r.code, r.subject) for r in verdict.reasons] == [("equipment_not_covered", "E2等级砝码组 W-002")]
    assert explain(verdict) == ["标准设备“E2等级砝码组 W-002”没有有效的溯源证书"]


def test_a_renewed_certificate_covers_equipment_whose_previous_one_expired(lab):
    EquipmentCertificate.objects.filter(pk=lab.certificate_2.pk).update(valid_until=lab.today - timedelta(days=1))
    EquipmentCertificate.objects.create(
        equipment=lab.equipment_2,
        issuer_authority=lab.province,
        number="ZL-RENEW",
        issued_on=lab.today,
        valid_until=lab.today + timedelta(days=365),
    )
    assert is_valid_on(fresh(lab.city_standard), lab.today)


def test_a_suspended_standard_is_not_valid_even_with_every_certificate_in_force(lab):
    Standard.objects.filter(pk=lab.city_standard.pk).update(status=Standard.Status.SUSPENDED)
    verdict = standard_validity(fresh(lab.city_standard), lab.today)
    assert not verdict.valid
    assert explain(verdict) == ["计量标准已暂停使用"]


def test_a_standard_with_no_equipment_is_not_valid(lab):
    EquipmentCertificate.objects.filter(equipment__standard=lab.city_standard).delete()
    StandardEquipment.objects.filter(standard=lab.city_standard).delete()
    verdict = standard_validity(fresh(lab.city_standard), lab.today)
    assert [r.code for r in verdict.reasons] == ["no_equipment"]


def test_an_equipment_certificate_not_yet_in_force_does_not_cover_today(lab):
    EquipmentCertificate.objects.filter(pk=lab.certificate_1.pk).update(
        issued_on=lab.today + timedelta(days=1), valid_until=lab.today + timedelta(days=366)
    )
    standard = fresh(lab.city_standard)
    assert not is_valid_on(standard, lab.today)
    assert is_valid_on(standard, lab.today + timedelta(days=1))


def test_an_assessment_certificate_not_yet_in_force_is_reported_as_such(lab):
    Standard.objects.filter(pk=lab.city_standard.pk).update(certificate_issued_on=lab.today + timedelta(days=1))
    verdict = standard_validity(fresh(lab.city_standard), lab.today)
    assert [r.code for r in verdict.reasons] == ["certificate_not_yet_valid"]
    assert explain(verdict) == ["考核证书尚未生效"]


def test_valid_standards_keeps_only_those_valid_that_day(lab):
    Standard.objects.filter(pk=lab.county_standard.pk).update(status=Standard.Status.RETIRED)
    standards = with_validity_data(Standard.objects.all())
    assert valid_standards(standards, lab.today) == [lab.city_standard]
