"""The people API: 401 without a token; owners get nothing (empty lists, 404 for an id); a county regulator never
sees another county's staff; personal data only to callers who may see it."""

from __future__ import annotations

import json

import pytest

from .conftest import make_qualification

pytestmark = pytest.mark.django_db


@pytest.fixture
def quals(staff):
    return {
        "a": make_qualification(staff.person_a, "JD-A", valid_days=30),
        "b": make_qualification(staff.person_b, "JD-B", valid_days=30),
        "city": make_qualification(staff.person_city, "JD-C", valid_days=200),
    }


def no_personal_data(response, staff) -> bool:
    body = response.content.decode()
    return not any(
        secret in body
        for person in (staff.person_city, staff.person_a, staff.person_b)
        for secret in (person.id_number_masked, person.phone)
    ) and all(full not in body for full in staff.full_ids.values())


@pytest.mark.parametrize(
    "path",
    ["/api/v1/people", "/api/v1/people/1", "/api/v1/qualifications", "/api/v1/qualifications?expiring_within=90"],
)
def test_without_a_token_every_endpoint_answers_401_in_the_error_shape(api, staff, path):
    response = api(None).get(path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize("persona", ["owner_a", "owner_b"])
def test_owner_gets_no_staff_at_all(api, city, staff, quals, persona):
    user = city.personas[persona]
    listing = api(user).get("/api/v1/people")
    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert no_personal_data(listing, staff) and "李甲" not in listing.content.decode()
    for person in (staff.person_city, staff.person_a, staff.person_b):
        detail = api(user).get(f"/api/v1/people/{person.pk}")
        assert detail.status_code == 404
        assert no_personal_data(detail, staff)
    expiring = api(user).get("/api/v1/qualifications", expiring_within=3650)
    assert expiring.json()["count"] == 0


def test_county_regulator_b_never_sees_county_a_staff(api, city, staff, quals):
    user = city.county_regulator_b
    listing = api(user).get("/api/v1/people").json()
    assert [p["name"] for p in listing["items"]] == ["王乙"]
    assert api(user).get(f"/api/v1/people/{staff.person_a.pk}").status_code == 404
    filtered = api(user).get("/api/v1/people", organization=staff.institute_a.pk)
    assert filtered.json()["count"] == 0 and no_personal_data(filtered, staff)
    expiring = api(user).get("/api/v1/qualifications").json()
    assert [q["number"] for q in expiring["items"]] == ["JD-B"]


def test_out_of_scope_and_missing_ids_answer_alike(api, city, staff):
    user = city.county_regulator_b
    out_of_scope = api(user).get(f"/api/v1/people/{staff.person_a.pk}")
    missing = api(user).get("/api/v1/people/999999")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


def test_own_institute_and_regulators_in_scope_get_personal_data_masked(api, city, staff, quals):
    for user in (staff.institute_a_user, city.county_regulator_a, city.city_regulator, city.admin):
        body = api(user).get(f"/api/v1/people/{staff.person_a.pk}").json()
        assert body["personal"] == {
            "id_number_masked": staff.person_a.id_number_masked,
            "phone": "13900000002",
            "hired_on": staff.person_a.hired_on.isoformat(),
        }
        assert "*" in body["personal"]["id_number_masked"]
        assert [q["number"] for q in body["qualifications"]] == ["JD-A"]
        assert body["qualifications"][0]["catalog_items"][0]["code"] == "02"
    raw = json.dumps(api(city.city_regulator).get("/api/v1/people").json(), ensure_ascii=False)
    assert all(full not in raw for full in staff.full_ids.values())


def test_list_filters_and_pagination(api, city, staff, quals):
    user = city.city_regulator
    everyone = api(user).get("/api/v1/people", page_size=2).json()
    assert everyone["count"] == 3 and len(everyone["items"]) == 2
    assert len(api(user).get("/api/v1/people", page_size=2, page=2).json()["items"]) == 1
    expiring = api(user).get("/api/v1/people", expiring_within=30).json()
    assert {p["name"] for p in expiring["items"]} == {"李甲", "王乙"}
    assert api(user).get("/api/v1/people", expiring_within=200).json()["count"] == 3
    assert api(user).get("/api/v1/people", title="senior").json()["count"] == 0
    assert api(user).get("/api/v1/people", kind="verifier", q="张").json()["count"] == 1


def test_qualifications_endpoint_defaults_to_90_days_and_validates_the_window(api, city, staff, quals):
    user = city.city_regulator
    default = api(user).get("/api/v1/qualifications").json()
    assert [q["number"] for q in default["items"]] == ["JD-A", "JD-B"]
    assert {q["days_left"] for q in default["items"]} == {30}
    assert default["items"][0]["organization"]["name"] == "甲县计量所"
    assert api(user).get("/api/v1/qualifications", expiring_within=200).json()["count"] == 3
    bad = api(user).get("/api/v1/qualifications", expiring_within=-1)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "expiring_within"
    assert api(user).get("/api/v1/people", kind="boss").status_code == 422
