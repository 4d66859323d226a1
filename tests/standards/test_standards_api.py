"""/api/v1/standards and /api/v1/authorizations: scoped lists, one standard with its equipment, certificates and
validity verdict, and what outsiders get."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.standards.models import Authorization, EquipmentCertificate, Standard
from tests.factories import catalog_item

BASE = "/api/v1"


@pytest.mark.parametrize("url", ["/standards", "/standards/1", "/authorizations"])
def test_anonymous_callers_get_401(api, lab, url):
    response = api(None).get(BASE + url)
    assert response.status_code == 401
    assert response.json()["detail"]


def codes(response):
    assert response.status_code == 200
    return sorted(item["code"] for item in response.json()["items"])


def test_the_list_is_scoped_like_the_pages(api, city, lab):
    assert codes(api(city.city_regulator).get(f"{BASE}/standards")) == ["CS-001", "KS-001"]
    assert codes(api(city.county_regulator_a).get(f"{BASE}/standards")) == ["KS-001"]
    assert codes(api(city.county_regulator_b).get(f"{BASE}/standards")) == []
    assert codes(api(city.institute_user).get(f"{BASE}/standards")) == ["CS-001"]
    assert codes(api(lab.county_institute_user).get(f"{BASE}/standards")) == ["KS-001"]
    assert codes(api(city.owner_a_user).get(f"{BASE}/standards")) == []


@pytest.mark.parametrize("persona", ["owner_a", "county_regulator_a", "county_regulator_b", "county_institute"])
def test_outsiders_get_404_for_the_city_standard_like_a_missing_one(api, city, lab, persona):
    user = lab.county_institute_user if persona == "county_institute" else city.personas[persona]
    response = api(user).get(f"{BASE}/standards/{lab.city_standard.pk}")
    missing = api(user).get(f"{BASE}/standards/999999")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_one_standard_comes_with_its_equipment_certificates_and_verdict(api, city, lab):
    response = api(city.institute_user).get(f"{BASE}/standards/{lab.city_standard.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "CS-001" and data["holder"]["name"] == "市计量测试所"
    assert data["validity"] == {"on": lab.today.isoformat(), "valid": True, "reasons": [], "messages": []}
    assert [i["code"] for i in data["catalog_items"]] == ["02"]
    serials = sorted(e["serial_number"] for e in data["equipment"])
    assert serials == ["W-001", "W-002"]
    certificate = data["equipment"][0]["certificates"][0]
    assert certificate["issuer_authority"]["name"] == "辽宁省计量科学研究院"
    assert certificate["issuer_standard"] is None and certificate["in_force"] is True


def test_the_verdict_gives_the_reasons_on_the_day_asked(api, city, lab):
    EquipmentCertificate.objects.filter(pk=lab.certificate_2.pk).update(valid_until=lab.today - timedelta(days=1))
    url = f"{BASE}/standards/{lab.city_standard.pk}"
    today = api(city.institute_user).get(url).json()["validity"]
    assert today["valid"] is False
    assert today["reasons"] == ["equipment_not_covered"]
    assert today["messages"] == ["标准设备“E2等级砝码组 W-002”没有有效的溯源证书"]
    yesterday = (lab.today - timedelta(days=1)).isoformat()
    assert api(city.institute_user).get(url, valid_on=yesterday).json()["validity"]["valid"] is True


def test_the_list_filters_by_validity_on_a_day_and_other_fields(api, city, lab):
    Standard.objects.filter(pk=lab.county_standard.pk).update(certificate_valid_until=lab.today + timedelta(days=1))
    tomorrow_plus = (lab.today + timedelta(days=2)).isoformat()
    admin = city.admin
    assert codes(api(admin).get(f"{BASE}/standards", valid="true")) == ["CS-001", "KS-001"]
    assert codes(api(admin).get(f"{BASE}/standards", valid="true", valid_on=tomorrow_plus)) == ["CS-001"]
    assert codes(api(admin).get(f"{BASE}/standards", valid="false", valid_on=tomorrow_plus)) == ["KS-001"]
    assert codes(api(admin).get(f"{BASE}/standards", reassessment_due="true")) == ["KS-001"]
    assert codes(api(admin).get(f"{BASE}/standards", level="city")) == ["CS-001"]
    assert codes(api(admin).get(f"{BASE}/standards", holder=lab.county_institute.pk)) == ["KS-001"]
    assert codes(api(admin).get(f"{BASE}/standards", is_highest="true")) == ["CS-001"]


def test_the_list_pages(api, city, lab):
    first = api(city.admin).get(f"{BASE}/standards", page_size=1).json()
    second = api(city.admin).get(f"{BASE}/standards", page_size=1, page=2).json()
    assert first["count"] == second["count"] == 2
    assert {first["items"][0]["code"], second["items"][0]["code"]} == {"CS-001", "KS-001"}


def test_bad_filters_are_422_in_the_error_shape(api, city, lab):
    response = api(city.admin).get(f"{BASE}/standards", level="galaxy", valid_on="2026-02-30")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"level", "valid_on"}


def test_authorizations_are_scoped_and_say_whether_they_are_in_force(api, city, lab):
    county = Authorization.objects.create(
        institute=lab.county_institute,
        issued_by=city.bureau_a,
        number="SQ-A",
        valid_from=lab.today - timedelta(days=10),
        valid_until=lab.today + timedelta(days=10),
    )
    county.catalog_items.add(catalog_item("02"))
    Authorization.objects.create(
        institute=city.institute,
        issued_by=city.city_bureau,
        number="SQ-C",
        valid_from=lab.today - timedelta(days=10),
        valid_until=lab.today + timedelta(days=10),
        revoked_on=lab.today,
    )

    def numbers(user, **params):
        response = api(user).get(f"{BASE}/authorizations", **params)
        assert response.status_code == 200
        return sorted(a["number"] for a in response.json()["items"])

    assert numbers(city.city_regulator) == ["SQ-A", "SQ-C"]
    assert numbers(city.county_regulator_a) == ["SQ-A"]
    assert numbers(city.county_regulator_b) == []
    assert numbers(city.institute_user) == ["SQ-C"]
    assert numbers(lab.county_institute_user) == ["SQ-A"]
    assert numbers(city.owner_a_user) == []
    assert numbers(city.admin, in_force_on=lab.today.isoformat()) == ["SQ-A"]
    items = api(city.admin).get(f"{BASE}/authorizations").json()["items"]
    by_number = {a["number"]: a for a in items}
    assert by_number["SQ-A"]["in_force_today"] is True and by_number["SQ-C"]["in_force_today"] is False
    assert [i["code"] for i in by_number["SQ-A"]["catalog_items"]] == ["02"]
