"""The institute's record pages: access, the verifier's form saves a draft, the checker and the approver act on the
draft's page by their own logins and only the approval issues, a refusal shows its reason, the preview."""

import pytest

from jiliang.verification.models import Certificate, RecordDraft
from tests.builders.verification import PASSING_POINTS

pytestmark = pytest.mark.django_db


def _post_data(bench, points=PASSING_POINTS, **overrides):
    data = {
        "item": bench.items[0].pk,
        "kind": "verification",
        "performed_on": bench.today.isoformat(),
        "standards": [bench.standard.pk],
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
    client.force_login(bench.verifier.user)
    response = client.get(f"/records/new/?item={bench.items[0].pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "录入检定记录" in html and "PS-1" in html and "王检定" in html


def test_a_login_that_is_nobodys_person_records_nothing(client, bench):
    client.force_login(bench.institute_user)
    response = client.get(f"/records/new/?item={bench.items[0].pk}")
    assert response.status_code == 403 and "本人登录" in response.content.decode()
    assert client.post("/records/new/", _post_data(bench)).status_code == 403
    assert not RecordDraft.objects.exists()


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


def test_three_logins_record_check_and_approve_and_only_the_approval_issues(client, bench):
    client.force_login(bench.verifier.user)
    response = client.post("/records/new/", _post_data(bench, then="submit"))
    draft = RecordDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/records/{draft.pk}/"
    assert draft.status == "submitted" and draft.verifier == bench.verifier
    # The verifier cannot check their own record: no button, and the action is refused.
    page = client.get(f"/records/{draft.pk}/").content.decode()
    assert "核验通过并签字" not in page
    client.post(f"/records/{draft.pk}/check/")
    assert RecordDraft.objects.get().status == "submitted"
    # The checker returns it with a reason; the verifier sees the reason, corrects and resubmits.
    client.force_login(bench.checker.user)
    assert "核验通过并签字" in client.get(f"/records/{draft.pk}/").content.decode()
    client.post(f"/records/{draft.pk}/return/", {"reason": "温度未填单位"})
    client.force_login(bench.verifier.user)
    assert "温度未填单位" in client.get(f"/records/{draft.pk}/").content.decode()
    response = client.post(f"/records/{draft.pk}/edit/", _post_data(bench, temperature="20.5", then="submit"))
    assert response.status_code == 302
    client.force_login(bench.checker.user)
    client.post(f"/records/{draft.pk}/check/")
    assert not Certificate.objects.exists()
    client.force_login(bench.approver.user)
    response = client.post(f"/records/{draft.pk}/approve/")
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/{certificate.pk}/"
    assert certificate.document["signed_at"]["checker"] and certificate.record.checker == bench.checker


def test_a_refusal_shows_the_reason_and_issues_nothing(client, bench):
    client.force_login(bench.verifier.user)
    response = client.post("/records/new/", _post_data(bench, checker=bench.verifier.pk))
    assert response.status_code == 200
    assert "检定员和核验员不能是同一人" in response.content.decode()
    client.post("/records/new/", _post_data(bench, standards=[bench.expired_standard.pk], then="submit"))
    draft = RecordDraft.objects.get()
    assert draft.status == "draft"
    assert "考核证书已过期" in client.get(f"/records/{draft.pk}/").content.decode()
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("persona", ["owner_a_user", "city_regulator", "institute_user"])
def test_outsiders_cannot_see_or_act_on_a_draft(client, bench, city, persona):
    client.force_login(bench.verifier.user)
    client.post("/records/new/", _post_data(bench, then="submit"))
    draft = RecordDraft.objects.get()
    user = bench.lab.county_institute_user if persona == "institute_user" else getattr(city, persona)
    client.force_login(user)
    assert client.get(f"/records/{draft.pk}/").status_code == 404
    for action in ("check", "approve", "return", "withdraw", "submit"):
        assert client.post(f"/records/{draft.pk}/{action}/", {"reason": "x"}).status_code == 404
    assert client.get(f"/records/{draft.pk}/edit/").status_code == 404
    assert RecordDraft.objects.get().status == "submitted"


def test_preview_computes_the_verdict_without_saving(client, bench):
    client.force_login(bench.verifier.user)
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
