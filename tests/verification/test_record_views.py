"""The institute's record form: access, a pass issues a certificate, a refusal shows its reason, the preview."""

import pytest

from jiliang.verification.models import Certificate
from tests.builders.verification import PASSING_POINTS

pytestmark = pytest.mark.django_db


def _post_data(bench, points=PASSING_POINTS, **overrides):
    data = {
        "item": bench.items[0].pk,
        "kind": "verification",
        "performed_on": bench.today.isoformat(),
        "standards": [bench.standard.pk],
        "verifier": bench.verifier.pk,
        "checker": bench.checker.pk,
        "approver": bench.approver.pk,
        "unit": "kg",
        "resolution": "0.001",
    }
    for i, p in enumerate(points):
        for key, value in p.items():
            data[f"p-{i}-{key}"] = value
    data.update(overrides)
    return data


def test_the_form_opens_for_the_institute_of_the_request(client, bench):
    client.force_login(bench.institute_user)
    response = client.get(f"/records/new/?item={bench.items[0].pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "录入检定记录" in html and "PS-1" in html and "王检定" in html


@pytest.mark.parametrize("persona", ["owner_a_user", "owner_b_user", "city_regulator", "county_regulator_b"])
def test_outsiders_get_404(client, bench, city, persona):
    client.force_login(getattr(city, persona))
    assert client.get(f"/records/new/?item={bench.items[0].pk}").status_code == 404
    assert client.post("/records/new/", _post_data(bench)).status_code == 404
    assert not Certificate.objects.exists()


def test_another_institute_gets_404(client, bench):
    client.force_login(bench.lab.county_institute_user)
    assert client.get(f"/records/new/?item={bench.items[0].pk}").status_code == 404


def test_anonymous_is_sent_to_login(client, bench):
    response = client.get(f"/records/new/?item={bench.items[0].pk}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_posting_a_pass_issues_a_certificate_and_redirects_to_it(client, bench):
    client.force_login(bench.institute_user)
    response = client.post("/records/new/", _post_data(bench))
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/{certificate.pk}/"
    assert certificate.kind == "verification"


def test_a_refusal_shows_the_reason_on_the_form_and_saves_nothing(client, bench):
    client.force_login(bench.institute_user)
    response = client.post("/records/new/", _post_data(bench, checker=bench.verifier.pk))
    assert response.status_code == 200
    assert "检定员和核验员不能是同一人" in response.content.decode()
    response = client.post("/records/new/", _post_data(bench, standards=[bench.expired_standard.pk]))
    assert "考核证书已过期" in response.content.decode()
    assert not Certificate.objects.exists()


def test_preview_computes_the_verdict_without_saving(client, bench):
    client.force_login(bench.institute_user)
    data = _post_data(bench, points=[{"label": "10 kg", "reference": "10", "indicated": "10.02", "mpe": "0.01"}])
    response = client.post("/records/preview/", data)
    assert response.status_code == 200
    assert "不合格" in response.content.decode()
    assert not Certificate.objects.exists()


def test_an_institute_sees_the_instruments_routed_to_it_and_no_others(client, bench, city):
    from tests.factories import InstrumentFactory

    other = InstrumentFactory(owner=city.owner_b, serial_number="B-9")
    client.force_login(bench.institute_user)
    assert client.get(f"/instruments/{bench.instruments[0].pk}/").status_code == 200
    assert client.get(f"/instruments/{other.pk}/").status_code == 404
    client.force_login(bench.lab.county_institute_user)
    assert client.get(f"/instruments/{bench.instruments[0].pk}/").status_code == 404
