"""Certificate pages: list scoped by role and region, detail with status, downloads named by number, QR, and the
issuing institute's correction and revocation forms; outsiders refused everywhere."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jiliang.metrology import signing
from jiliang.verification import keys
from jiliang.verification.formats import dcc
from jiliang.verification.models import Certificate, CertificateRevocation, RecordDraft
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import correct_certificate, issue_certificate, sign_through

pytestmark = pytest.mark.django_db

PAGES = ["detail", "pdf", "json", "xml"]


@pytest.fixture
def issued(bench):
    return issue_certificate(bench)


def _get(client, user, url, **params):
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


# ---- who sees what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["institute", "owner_a", "city_regulator", "county_regulator_a"])
@pytest.mark.parametrize("page", PAGES)
def test_those_in_scope_see_every_page(client, city, issued, persona, page):
    response = _get(client, city.personas[persona], reverse(f"certificates:{page}", args=[issued.pk]))
    assert response.status_code == 200
    if page != "detail":
        extension = page
        assert response["Content-Disposition"] == f'attachment; filename="{issued.number}.{extension}"'


@pytest.mark.parametrize("page", PAGES)
def test_outsiders_get_404_on_every_page(client, city, bench, issued, page):
    url = reverse(f"certificates:{page}", args=[issued.pk])
    for user in (city.owner_b_user, city.county_regulator_b, bench.lab.county_institute_user):
        client.logout()
        assert _get(client, user, url).status_code == 404, user.username


@pytest.mark.parametrize("page", [*PAGES, "list"])
def test_anonymous_visitors_are_sent_to_login(client, issued, page):
    url = reverse("certificates:list") if page == "list" else reverse(f"certificates:{page}", args=[issued.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_is_scoped(client, city, bench, issued):
    listed = {}
    for name, user in city.personas.items():
        if user is None:
            continue
        client.logout()
        response = _get(client, user, reverse("certificates:list"))
        assert response.status_code == 200
        listed[name] = issued.number in response.content.decode()
    assert listed == {
        "city_regulator": True,
        "county_regulator_a": True,
        "county_regulator_b": False,
        "institute": True,
        "owner_a": True,
        "owner_b": False,
    }
    client.logout()
    other_institute = _get(client, bench.lab.county_institute_user, reverse("certificates:list"))
    assert issued.number not in other_institute.content.decode()


def test_the_list_filters_by_kind_status_number_and_date(client, bench, issued):
    failed = issue_certificate(bench, item=1, passed=False)
    client.force_login(bench.institute_user)
    url = reverse("certificates:list")

    def numbers(**params):
        html = client.get(url, params).content.decode()
        return {n for n in (issued.number, failed.number) if n in html}

    assert numbers() == {issued.number, failed.number}
    assert numbers(kind="failure_notice") == {failed.number}
    assert numbers(status="failed") == {failed.number}
    assert numbers(status="valid") == {issued.number}
    assert numbers(status="revoked") == set()
    assert numbers(q=issued.number) == {issued.number}
    assert numbers(q="PS-2") == {failed.number}
    today = bench.today.isoformat()
    assert numbers(issued_from=today, issued_to=today) == {issued.number, failed.number}
    assert numbers(issued_to="2000-01-01") == set()
    response = client.get(url, {"issued_from": "yesterday"})
    assert "无效" in response.content.decode()


# ---- the detail page ---------------------------------------------------------------------------------------------


def test_the_detail_shows_fields_readings_standards_qr_and_a_green_badge(client, bench, issued):
    client.force_login(bench.institute_user)
    html = client.get(reverse("certificates:detail", args=[issued.pk])).content.decode()
    assert issued.number in html
    assert 'data-status="valid"' in html and "due-valid" in html
    for text in ("PS-1", "王检定", "李核验", "张批准", "10.004", bench.standard.certificate_number, "20.5 ℃"):
        assert text in html, text
    assert "<svg" in html and issued.token in html
    for page in ("pdf", "json", "xml"):
        assert reverse(f"certificates:{page}", args=[issued.pk]) in html
    assert reverse("certificates:correct", args=[issued.pk]) in html
    assert reverse("certificates:revoke", args=[issued.pk]) in html


def test_an_owner_sees_the_certificate_but_no_forms(client, city, issued):
    client.force_login(city.owner_a_user)
    html = client.get(reverse("certificates:detail", args=[issued.pk])).content.decode()
    assert issued.number in html
    assert reverse("certificates:correct", args=[issued.pk]) not in html
    assert reverse("certificates:revoke", args=[issued.pk]) not in html


def test_a_failure_notice_shows_a_red_badge(client, bench):
    failed = issue_certificate(bench, item=1, passed=False)
    client.force_login(bench.institute_user)
    html = client.get(reverse("certificates:detail", args=[failed.pk])).content.decode()
    assert 'data-status="failed"' in html and "due-overdue" in html and "检定不合格" in html


def test_superseded_and_superseding_link_to_each_other(client, bench, issued):
    new = correct_certificate(bench, issued, reason="温度有误", temperature="21 ℃")
    client.force_login(bench.institute_user)
    old_html = client.get(reverse("certificates:detail", args=[issued.pk])).content.decode()
    assert 'data-status="superseded"' in old_html and "due-due_soon" in old_html
    assert reverse("certificates:detail", args=[new.pk]) in old_html and new.number in old_html
    # No more forms on a superseded certificate.
    assert reverse("certificates:correct", args=[issued.pk]) not in old_html
    new_html = client.get(reverse("certificates:detail", args=[new.pk])).content.decode()
    assert "本证书替代" in new_html and reverse("certificates:detail", args=[issued.pk]) in new_html


def test_a_revoked_certificate_shows_red_with_its_reason(client, bench, issued):
    certificate_revoke(actor=bench.institute_user, certificate_id=issued.pk, reason="器具信息登记错误")
    client.force_login(bench.institute_user)
    html = client.get(reverse("certificates:detail", args=[issued.pk])).content.decode()
    assert 'data-status="revoked"' in html and "due-overdue" in html and "器具信息登记错误" in html


# ---- downloads ---------------------------------------------------------------------------------------------------


def test_downloads_are_the_signed_data(client, city, issued):
    client.force_login(city.owner_a_user)
    pdf = client.get(reverse("certificates:pdf", args=[issued.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    assert issued.number in text and "检定证书" in text
    signed = signing.loads(client.get(reverse("certificates:json", args=[issued.pk])).content)
    assert signing.verify_signed(signed, trusted_keys=keys.trusted_keys()).valid
    assert signed["certificate"]["number"] == issued.number
    root = ET.fromstring(client.get(reverse("certificates:xml", args=[issued.pk])).content)  # noqa: S314
    assert root.find(f"{{{dcc.NAMESPACE}}}administrativeData") is not None


# ---- correction and revocation -----------------------------------------------------------------------------------


def _correct_data(bench, issued, **overrides):
    data = {
        "correct-reason": "环境温度记录有误",
        "correct-performed_on": bench.today.isoformat(),
        "correct-place": "本所质量室",
        "correct-temperature": "21.0 ℃",
        "correct-humidity": "45 %RH",
        "correct-conditions": "",
        "correct-checker": bench.checker.pk,
        "correct-approver": bench.approver.pk,
        "correct-unit": "kg",
        "correct-resolution": "0.001",
        "correct-points": "1 kg | 1.000 | 1.001 | 0.005\n10 kg | 10.000 | 10.004 | 0.010",
    }
    data.update(overrides)
    return data


def test_the_institute_corrects_through_the_form(client, bench, issued):
    client.force_login(bench.verifier.user)
    response = client.post(reverse("certificates:correct", args=[issued.pk]), _correct_data(bench, issued))
    draft = RecordDraft.objects.get(corrects=issued)
    assert response.status_code == 302 and response["Location"] == reverse("records:draft", args=[draft.pk])
    # The correction is issued only when the checker and the approver have signed, each by their own login.
    assert not Certificate.objects.filter(supersedes=issued).exists()
    new = sign_through(draft, bench.checker, bench.approver)
    assert new.document["conditions"]["temperature"] == "21.0 ℃"
    assert new.document["supersedes"] == issued.number


def test_the_correction_form_shows_the_services_refusals(client, bench, issued):
    client.force_login(bench.verifier.user)
    # The same person twice among the signatories: the service refuses, the form says why.
    data = _correct_data(bench, issued, **{"correct-checker": bench.verifier.pk})
    response = client.post(reverse("certificates:correct", args=[issued.pk]), data)
    assert response.status_code == 200
    assert not Certificate.objects.filter(supersedes=issued).exists()
    form = response.context["correct_form"]
    assert form.errors
    assert "form-errors" in response.content.decode() or "errorlist" in response.content.decode()
    # A malformed reading line is refused by the form itself.
    response = client.post(
        reverse("certificates:correct", args=[issued.pk]), _correct_data(bench, issued, **{"correct-points": "1 | 2"})
    )
    assert "points" in response.context["correct_form"].errors
    # No reason, no correction.
    response = client.post(
        reverse("certificates:correct", args=[issued.pk]), _correct_data(bench, issued, **{"correct-reason": ""})
    )
    assert "reason" in response.context["correct_form"].errors


def test_the_institute_revokes_with_a_reason(client, bench, issued):
    client.force_login(bench.institute_user)
    url = reverse("certificates:revoke", args=[issued.pk])
    response = client.post(url, {"revoke-reason": ""})
    assert response.status_code == 200 and "reason" in response.context["revoke_form"].errors
    response = client.post(url, {"revoke-reason": "送检单位信息有误"})
    assert response.status_code == 302
    assert CertificateRevocation.objects.get(certificate=issued).reason == "送检单位信息有误"


def test_a_second_revocation_shows_the_refusal(client, bench, issued):
    certificate_revoke(actor=bench.institute_user, certificate_id=issued.pk, reason="第一次")
    client.force_login(bench.institute_user)
    # The form is gone from the page, but a stale page may still post: the service's refusal is shown.
    response = client.post(reverse("certificates:revoke", args=[issued.pk]), {"revoke-reason": "第二次"})
    assert response.status_code == 200
    assert f"证书 {issued.number} 已撤销" in response.content.decode()
    assert CertificateRevocation.objects.filter(certificate=issued).count() == 1


@pytest.mark.parametrize(
    "persona", ["owner_a", "city_regulator", "county_regulator_a", "owner_b", "county_regulator_b"]
)
@pytest.mark.parametrize("action", ["correct", "revoke"])
def test_only_the_issuing_institute_may_correct_or_revoke(client, city, bench, issued, persona, action):
    client.force_login(city.personas[persona])
    data = _correct_data(bench, issued) if action == "correct" else {"revoke-reason": "无权"}
    response = client.post(reverse(f"certificates:{action}", args=[issued.pk]), data)
    assert response.status_code == 404
    assert not Certificate.objects.filter(supersedes=issued).exists()
    assert not CertificateRevocation.objects.filter(certificate=issued).exists()


def test_another_institute_may_not_correct_or_revoke(client, bench, issued):
    client.force_login(bench.lab.county_institute_user)
    assert client.post(reverse("certificates:revoke", args=[issued.pk]), {"revoke-reason": "x"}).status_code == 404
    assert (
        client.post(reverse("certificates:correct", args=[issued.pk]), _correct_data(bench, issued)).status_code == 404
    )
    assert not CertificateRevocation.objects.filter(certificate=issued).exists()
