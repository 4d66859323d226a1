"""/api/v1/certificates: scoped list with filters, one certificate, the signed JSON, correction and revocation."""

from __future__ import annotations

import pytest

from jiliang.metrology import signing
from jiliang.verification import keys
from jiliang.verification.models import Certificate, CertificateRevocation, RecordDraft
from tests.builders.verification import issue_certificate, sign_through

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def issued(bench):
    return issue_certificate(bench)


def _urls(certificate):
    return [
        f"{BASE}/certificates",
        f"{BASE}/certificates/{certificate.pk}",
        f"{BASE}/certificates/{certificate.pk}/signed",
    ]


def test_anonymous_callers_get_401(api, issued):
    for url in _urls(issued):
        assert api(None).get(url).status_code == 401
    for action in ("correct", "revoke"):
        response = api(None).post(f"{BASE}/certificates/{issued.pk}/{action}", {"reason": "x"})
        assert response.status_code == 401 and response.json()["detail"]


def test_the_list_is_scoped(api, city, bench, issued):
    seen = {}
    for name, user in city.personas.items():
        if user is None:
            continue
        response = api(user).get(f"{BASE}/certificates")
        assert response.status_code == 200
        seen[name] = [c["number"] for c in response.json()["items"]]
    assert seen == {
        "city_regulator": [issued.number],
        "county_regulator_a": [issued.number],
        "county_regulator_b": [],
        "institute": [issued.number],
        "owner_a": [issued.number],
        "owner_b": [],
    }
    assert api(bench.lab.county_institute_user).get(f"{BASE}/certificates").json()["count"] == 0


def test_outsiders_get_404_on_every_endpoint(api, city, bench, issued):
    for user in (city.owner_b_user, city.county_regulator_b, bench.lab.county_institute_user):
        for url in _urls(issued)[1:]:
            response = api(user).get(url)
            assert response.status_code == 404, (user.username, url)
            assert response.json()["detail"]
        for action in ("correct", "revoke"):
            assert api(user).post(f"{BASE}/certificates/{issued.pk}/{action}", {"reason": "x"}).status_code == 404
    assert api(bench.institute_user).get(f"{BASE}/certificates/999999").status_code == 404


def test_the_list_filters(api, bench, issued):
    failed = issue_certificate(bench, item=1, passed=False)
    user = bench.institute_user

    def numbers(**params):
        response = api(user).get(f"{BASE}/certificates", **params)
        assert response.status_code == 200, response.json()
        return {c["number"] for c in response.json()["items"]}

    assert numbers() == {issued.number, failed.number}
    assert numbers(kind="failure_notice") == {failed.number}
    assert numbers(status="valid") == {issued.number}
    assert numbers(status="failed") == {failed.number}
    assert numbers(q=issued.number) == {issued.number}
    assert numbers(issued_to="2000-01-01") == set()
    assert api(user).get(f"{BASE}/certificates", status="nonsense").status_code == 422
    assert api(user).get(f"{BASE}/certificates", issued_from="yesterday").status_code == 422


def test_one_certificate_carries_its_status_and_signed_document(api, city, issued):
    response = api(city.owner_a_user).get(f"{BASE}/certificates/{issued.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == issued.number
    assert body["status"] == "valid" and body["status_label"] == "有效"
    assert body["kind_label"] == "检定证书"
    assert body["document"] == issued.document
    assert body["signature"] == issued.signature


def test_the_signed_json_verifies_against_the_platform_keys(api, city, issued):
    response = api(city.county_regulator_a).get(f"{BASE}/certificates/{issued.pk}/signed")
    assert response.status_code == 200
    signed = response.json()
    assert signing.verify_signed(signed, trusted_keys=keys.trusted_keys()).valid
    signed["certificate"]["owner"]["name"] = "别的单位"
    assert not signing.verify_signed(signed, trusted_keys=keys.trusted_keys()).valid


def test_the_institute_corrects_and_the_old_one_is_superseded(api, bench, issued):
    response = api(bench.verifier.user).post(
        f"{BASE}/certificates/{issued.pk}/correct",
        {"reason": "温度有误", "temperature": "22 ℃"},
    )
    assert response.status_code == 201, response.json()
    started = response.json()
    assert started["corrects"] == issued.number and started["status"] == "draft"
    assert started["verifier"] == bench.verifier.name and started["checker"] == bench.checker.name
    # Nothing is issued until the checker and the approver have signed, each by their own login.
    assert not Certificate.objects.filter(supersedes=issued).exists()
    sign_through(RecordDraft.objects.get(pk=started["id"]), bench.checker, bench.approver)
    new = api(bench.institute_user).get(f"{BASE}/certificates/{Certificate.objects.get(supersedes=issued).pk}").json()
    assert new["supersedes"] == issued.number
    assert new["document"]["conditions"]["temperature"] == "22 ℃"
    # Unchanged fields are kept.
    assert new["document"]["results"]["points"] == issued.document["results"]["points"]
    old = api(bench.institute_user).get(f"{BASE}/certificates/{issued.pk}").json()
    assert old["status"] == "superseded" and old["superseded_by"] == new["number"]
    # A superseded certificate is not corrected twice: 409.
    again = api(bench.verifier.user).post(f"{BASE}/certificates/{issued.pk}/correct", {"reason": "再改"})
    assert again.status_code == 409


def test_a_correction_refused_by_the_rules_is_422_with_the_field(api, bench, issued):
    response = api(bench.verifier.user).post(
        f"{BASE}/certificates/{issued.pk}/correct",
        {"reason": "换人", "checker_id": bench.verifier.pk},
    )
    assert response.status_code == 422
    assert "检定员和核验员不能是同一人" in response.json()["detail"]
    assert not Certificate.objects.filter(supersedes=issued).exists()
    assert not RecordDraft.objects.filter(corrects=issued).exists()
    assert api(bench.verifier.user).post(f"{BASE}/certificates/{issued.pk}/correct", {"reason": ""}).status_code == 422
    # A login that is nobody's person signs nothing, a correction included: 403.
    assert (
        api(bench.institute_user).post(f"{BASE}/certificates/{issued.pk}/correct", {"reason": "x"}).status_code == 403
    )


def test_the_institute_revokes_with_a_reason(api, bench, issued):
    url = f"{BASE}/certificates/{issued.pk}/revoke"
    assert api(bench.institute_user).post(url, {}).status_code == 422
    response = api(bench.institute_user).post(url, {"reason": "器具信息有误"})
    assert response.status_code == 200
    assert response.json()["certificate"]["status"] == "revoked"
    assert response.json()["certificate"]["revocation_reason"] == "器具信息有误"
    assert api(bench.institute_user).post(url, {"reason": "再撤销"}).status_code == 409
    assert CertificateRevocation.objects.filter(certificate=issued).count() == 1


@pytest.mark.parametrize("persona", ["owner_a", "city_regulator", "county_regulator_a"])
def test_readers_in_scope_may_not_correct_or_revoke(api, city, issued, persona):
    user = city.personas[persona]
    assert api(user).post(f"{BASE}/certificates/{issued.pk}/revoke", {"reason": "x"}).status_code == 404
    assert api(user).post(f"{BASE}/certificates/{issued.pk}/correct", {"reason": "x"}).status_code == 404
    assert not CertificateRevocation.objects.filter(certificate=issued).exists()
    assert not Certificate.objects.filter(supersedes=issued).exists()
