"""The public certificate check: /check/ (typed number), /check/c/<token>/ (QR link), GET /api/v1/public/...

What it answers (each status; nothing more than the allowed keys), that it needs no login while the rest of the
site still does, the rate limit on typed numbers, the log of every check, and the signature line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from jiliang.portal import selectors, services
from jiliang.portal.selectors import ANSWER_KEYS, public_answer
from jiliang.verification.models import Certificate, PublicCheck
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import correct_certificate, issue_certificate

REASON = "检定员误用已过期的标准器"


def token_url(certificate: Certificate) -> str:
    return reverse("portal:token", args=[certificate.token])


def api_url(token: str) -> str:
    return f"/api/v1/public/certificates/{token}"


def tampered_copy(certificate: Certificate) -> Certificate:
    """A row with a genuine signature over a document that was changed afterwards (what an edit in the database
    behind the platform's back would leave)."""
    document = dict(certificate.document)
    document["valid_until"] = "2099-12-31"
    return Certificate.objects.create(
        number=f"{certificate.number}-X",
        kind=certificate.kind,
        record=certificate.record,
        institute=certificate.institute,
        owner=certificate.owner,
        region=certificate.region,
        instrument=certificate.instrument,
        year=certificate.year,
        sequence=certificate.sequence + 1000,
        issued_on=certificate.issued_on,
        valid_until=date(2099, 12, 31),
        token=secrets.token_urlsafe(24),
        document=document,
        signature=certificate.signature,
        key_id=certificate.key_id,
        issued_at=certificate.issued_at,
    )


# ---- the answer --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_certificate_answers_only_the_allowed_keys(bench):
    certificate = issue_certificate(bench)
    answer = public_answer(selectors.certificate_by_token(certificate.token), bench.today)
    assert tuple(answer) == ANSWER_KEYS
    assert set(answer) == {
        "status",
        "status_label",
        "number",
        "kind",
        "kind_label",
        "instrument",
        "model",
        "serial_number",
        "owner",
        "issued_on",
        "valid_until",
        "institute",
        "superseded_by",
        "revoked_on",
        "stopped_by",
        "stopped_on",
        "stops_instrument",
        "signature_valid",
    }
    assert answer["status"] == "valid"
    assert answer["status_label"] == "有效"
    assert answer["number"] == certificate.number
    assert answer["kind"] == "verification"
    assert answer["kind_label"] == "检定证书"
    assert answer["instrument"] == certificate.instrument.catalog_item.kind
    # The nameplate's model and factory number, from the signed document, so a shopper can match the paper.
    assert answer["model"] == (certificate.document["instrument"]["model"] or None)
    assert answer["serial_number"] == certificate.instrument.serial_number
    assert answer["owner"] == "甲县**市场"
    assert answer["issued_on"] == certificate.issued_on
    assert certificate.valid_until is not None
    assert answer["valid_until"] == certificate.valid_until
    assert answer["institute"] == bench.institute_user.organization.name
    assert answer["superseded_by"] is None
    assert answer["revoked_on"] is None
    assert answer["signature_valid"] is True


@pytest.mark.django_db
def test_past_its_valid_until_date_a_certificate_is_expired(bench):
    certificate = issue_certificate(bench)
    found = selectors.certificate_by_token(certificate.token)
    assert public_answer(found, certificate.valid_until)["status"] == "valid"
    answer = public_answer(found, certificate.valid_until + timedelta(days=1))
    assert (answer["status"], answer["status_label"]) == ("expired", "已过期")


@pytest.mark.django_db
def test_a_corrected_certificate_is_superseded_and_names_its_successor(bench):
    old = issue_certificate(bench)
    new = correct_certificate(bench, old, reason="温度抄录有误", temperature="21.0 ℃")
    answer = public_answer(selectors.certificate_by_token(old.token), bench.today)
    assert (answer["status"], answer["status_label"]) == ("superseded", "已被替代")
    assert answer["superseded_by"] == new.number
    assert answer["revoked_on"] is None
    assert public_answer(selectors.certificate_by_token(new.token), bench.today)["status"] == "valid"


@pytest.mark.django_db
def test_a_revoked_certificate_answers_the_day_but_not_the_reason(bench, client):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    answer = public_answer(selectors.certificate_by_token(certificate.token), bench.today)
    assert (answer["status"], answer["status_label"]) == ("revoked", "已撤销")
    assert answer["revoked_on"] == timezone.localdate()
    assert REASON not in str(answer.values())
    page = client.get(token_url(certificate)).content.decode()
    assert "已撤销" in page
    assert timezone.localdate().isoformat() in page
    assert REASON not in page


@pytest.mark.django_db
def test_a_notice_of_failed_verification_answers_failed(bench):
    notice = issue_certificate(bench, passed=False)
    answer = public_answer(selectors.certificate_by_token(notice.token), bench.today)
    assert (answer["status"], answer["status_label"]) == ("failed", "检定不合格")
    assert (answer["kind"], answer["kind_label"]) == ("failure_notice", "检定结果通知书")
    assert answer["signature_valid"] is True


@pytest.mark.django_db
def test_not_found_answers_the_same_keys_and_nothing_else():
    answer = public_answer(None, date(2026, 1, 1))
    assert tuple(answer) == ANSWER_KEYS
    assert answer["status"] == "not_found"
    assert answer["status_label"] == "未找到"
    assert [k for k, v in answer.items() if v is not None] == ["status", "status_label"]


# ---- the pages ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_qr_page_shows_the_answer_and_nothing_private(bench, client):
    certificate = issue_certificate(bench)
    instrument = certificate.instrument
    owner = certificate.owner
    response = client.get(token_url(certificate))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    page = response.content.decode()
    for shown in (
        "有效",
        certificate.number,
        "检定证书",
        instrument.catalog_item.kind,
        instrument.serial_number,
        "出厂编号",
        "甲县**市场",
        certificate.issued_on.isoformat(),
        certificate.valid_until.isoformat(),
        bench.institute_user.organization.name,
        "数字签名有效",
    ):
        assert shown in page, shown
    for hidden in (
        owner.name,
        owner.credit_code,
        bench.verifier.name,
        bench.checker.name,
        bench.approver.name,
        "10.004",
        certificate.signature,
    ):
        assert hidden and hidden not in page, hidden


@pytest.mark.django_db
def test_the_qr_page_shows_expired_on_a_later_day(bench, client, monkeypatch):
    certificate = issue_certificate(bench)
    later = certificate.valid_until + timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: later)
    page = client.get(token_url(certificate)).content.decode()
    assert "已过期" in page
    assert "banner s-expired" in page


@pytest.mark.django_db
def test_a_revocation_shows_at_once_on_a_page_checked_before(bench, client):
    certificate = issue_certificate(bench)
    assert "banner s-valid" in client.get(token_url(certificate)).content.decode()
    assert "banner s-valid" in client.get(token_url(certificate)).content.decode()
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    page = client.get(token_url(certificate)).content.decode()
    assert "banner s-revoked" in page
    assert "banner s-valid" not in page
    assert client.get(api_url(certificate.token)).json()["status"] == "revoked"


@pytest.mark.django_db
def test_the_qr_page_of_a_superseded_certificate_names_the_new_number(bench, client):
    old = issue_certificate(bench)
    new = correct_certificate(bench, old, reason="更正", temperature="21 ℃")
    page = client.get(token_url(old)).content.decode()
    assert "已被替代" in page
    assert new.number in page


@pytest.mark.django_db
def test_an_unknown_token_answers_not_found(client, db):
    for token in ("x" * 32, "a" * 100, "not-a-token.", "%00"):
        response = client.get(f"/check/c/{token}/")
        assert response.status_code == 404
        assert "未找到" in response.content.decode()
    assert PublicCheck.objects.filter(result="not_found", via="token").count() == 4


@pytest.mark.django_db
def test_a_typed_number_is_found_trimmed_and_whatever_its_case(bench, client):
    certificate = issue_certificate(bench)
    typed = f"  {certificate.number.lower()}  "
    response = client.get(reverse("portal:index"), {"number": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "有效" in page
    assert "甲县**市场" in page
    response = client.get(reverse("portal:index"), {"number": certificate.number + "9"})
    assert response.status_code == 200
    assert "未找到" in response.content.decode()


@pytest.mark.django_db
def test_the_form_alone_is_no_check(client, db):
    response = client.get(reverse("portal:index"))
    assert response.status_code == 200
    assert 'name="number"' in response.content.decode()
    assert not PublicCheck.objects.exists()


@pytest.mark.django_db
def test_the_public_pages_need_no_login_while_the_rest_of_the_site_does(bench, client):
    certificate = issue_certificate(bench)
    assert client.get(reverse("portal:index")).status_code == 200
    assert client.get(token_url(certificate)).status_code == 200
    assert client.get(api_url(certificate.token)).status_code == 200
    response = client.get("/instruments/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/instruments").status_code == 401


@pytest.mark.django_db
def test_a_logged_in_user_sees_the_public_page_without_the_staff_navigation(bench, client, city):
    certificate = issue_certificate(bench)
    client.force_login(city.institute_user)
    page = client.get(token_url(certificate)).content.decode()
    assert "有效" in page
    assert "退出" not in page
    assert reverse("instruments:list") not in page
    assert city.institute_user.username not in page


@pytest.mark.django_db
def test_the_pages_refuse_posts(client, db):
    assert client.post(reverse("portal:index"), {"number": "X"}).status_code == 405


# ---- rate limit --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_typed_numbers_are_limited_per_client_and_minute_but_qr_links_are_not(bench, client, settings, monkeypatch):
    settings.JILIANG_PUBLIC_CHECK_PER_MINUTE = 3
    clock = SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: clock.now))
    certificate = issue_certificate(bench)
    index = reverse("portal:index")
    for _ in range(3):
        assert client.get(index, {"number": certificate.number}).status_code == 200
    refused = client.get(index, {"number": certificate.number})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "查询过于频繁" in refused.content.decode()
    assert client.get(index, {"number": "ANOTHER-1"}).status_code == 429
    # QR links (unguessable tokens) and other clients are not affected.
    assert client.get(token_url(certificate)).status_code == 200
    assert client.get(index, {"number": certificate.number}, REMOTE_ADDR="10.1.2.3").status_code == 200
    # The first refusal of the minute is logged, later ones are not (a flood cannot fill the table).
    results = list(PublicCheck.objects.filter(via="number").order_by("pk").values_list("result", flat=True))
    assert results == ["valid", "valid", "valid", "rate_limited", "valid"]
    # The next minute counts afresh.
    clock.now += 60
    assert client.get(index, {"number": certificate.number}).status_code == 200


# ---- the log -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_check_is_logged_with_a_keyed_hash_of_the_client(bench, client, settings):
    certificate = issue_certificate(bench)
    client.get(token_url(certificate))
    client.get(reverse("portal:index"), {"number": f" {certificate.number} "})
    client.get(reverse("portal:index"), {"number": "nope-1"})
    client.get(api_url(certificate.token))
    client.get(api_url("unknown-token"))
    rows = list(PublicCheck.objects.order_by("pk").values_list("via", "certificate_id", "query", "result", "client"))
    expected_client = hmac.new(settings.SECRET_KEY.encode(), b"127.0.0.1", hashlib.sha256).hexdigest()[:16]
    assert rows == [
        ("token", certificate.pk, "", "valid", expected_client),
        ("number", certificate.pk, certificate.number, "valid", expected_client),
        ("number", None, "NOPE-1", "not_found", expected_client),
        ("api", certificate.pk, "", "valid", expected_client),
        ("api", None, "", "not_found", expected_client),
    ]
    assert all(row.at is not None for row in PublicCheck.objects.all())
    assert "127.0.0.1" not in str(rows)


@pytest.mark.django_db
def test_a_long_typed_number_is_logged_truncated(client, db):
    client.get(reverse("portal:index"), {"number": "N" * 500})
    row = PublicCheck.objects.get()
    assert row.query == "N" * 64
    assert row.result == "not_found"


@pytest.mark.django_db
def test_a_qr_check_costs_one_select_and_one_insert_once_the_signature_is_known(
    bench, client, django_assert_num_queries
):
    certificate = issue_certificate(bench)
    client.get(token_url(certificate))
    with django_assert_num_queries(2):
        assert client.get(token_url(certificate)).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(api_url(certificate.token)).status_code == 200


# ---- signature ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_changed_after_signing_shows_a_warning(bench, client):
    genuine = issue_certificate(bench)
    forged = tampered_copy(genuine)
    page = client.get(token_url(genuine)).content.decode()
    assert "数字签名有效" in page
    assert "数字签名验证未通过" not in page
    response = client.get(token_url(forged))
    page = response.content.decode()
    assert "数字签名有效" not in page
    assert "数字签名验证未通过" in page
    assert client.get(api_url(forged.token)).json()["signature_valid"] is False


@pytest.mark.django_db
def test_a_signature_by_a_key_the_platform_does_not_trust_fails_until_the_key_is_published(
    bench, client, settings, tmp_path
):
    """Trust comes from the key files, not from the SigningKey table (issue 11; this test used to delete the
    table's rows to make a key unknown). A rotation without keeping the old key in the trusted keys file leaves
    the old certificates unproven; ``export_public_keys --add-public-key`` puts the old key back."""
    from django.core.management import call_command

    from jiliang.verification import keys
    from jiliang.verification.models import SigningKey

    certificate = issue_certificate(bench)
    old_public = keys.trusted_keys()[certificate.key_id]
    settings.JILIANG_SIGNING_KEY_FILE = str(tmp_path / "new-signing.pem")
    settings.JILIANG_TRUSTED_KEYS_FILE = str(tmp_path / "public-keys.json")
    keys.private_key()  # the new key (created on first use in development)
    assert SigningKey.objects.filter(key_id=certificate.key_id).exists()  # recorded, but not trusted
    answer = client.get(api_url(certificate.token)).json()
    assert (answer["status"], answer["signature_valid"]) == ("signature_failed", False)
    call_command("export_public_keys", "--add-public-key", old_public, stdout=StringIO())
    answer = client.get(api_url(certificate.token)).json()
    assert (answer["status"], answer["signature_valid"]) == ("valid", True)


@pytest.mark.django_db
def test_a_repeat_check_verifies_no_signature(bench, client, monkeypatch):
    """Verified documents are kept by the hash of what was read: the first check verifies the certificate and its
    revocation, the next ones (page or API) verify nothing."""
    from jiliang.metrology import signing

    verified = []
    real = signing.signature_matches
    monkeypatch.setattr(signing, "signature_matches", lambda *args: verified.append(args[0]) or real(*args))
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    assert client.get(token_url(certificate)).status_code == 200
    assert [d["format"] for d in verified] == ["jiliang-certificate", "jiliang-revocation"]
    for _ in range(3):
        assert client.get(token_url(certificate)).status_code == 200
        assert client.get(api_url(certificate.token)).json()["status"] == "revoked"
    assert len(verified) == 2


# ---- the API -----------------------------------------------------------------------------------------------------


def _json(answer: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in answer.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["valid", "superseded", "revoked", "failed"])
def test_the_api_answers_the_same_as_the_page(bench, client, case):
    certificate = issue_certificate(bench, passed=case != "failed")
    if case == "superseded":
        correct_certificate(bench, certificate, reason="更正", place="现场")
    if case == "revoked":
        certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason=REASON)
    response = client.get(api_url(certificate.token))
    assert response.status_code == 200
    body = response.json()
    expected = public_answer(selectors.certificate_by_token(certificate.token), timezone.localdate())
    assert body == _json(expected)
    assert body["status"] == case
    # The page shows every value (the codes as their labels, the status as the banner's colour).
    page = client.get(token_url(certificate)).content.decode()
    assert f"banner s-{body['status']}" in page
    for key, value in body.items():
        if isinstance(value, str) and key not in {"status", "kind"}:
            assert value in page, value


@pytest.mark.django_db
def test_the_api_answers_404_in_the_error_shape_for_an_unknown_token(client, db):
    response = client.get(api_url("no-such-token"))
    assert response.status_code == 404
    assert response.json() == {"detail": "证书不存在", "errors": []}
    assert PublicCheck.objects.get().result == "not_found"


@pytest.mark.django_db
def test_the_api_refuses_what_cannot_be_a_token_as_invalid_input(client):
    response = client.get(api_url("a" * 44))
    assert response.status_code == 422
    assert response.json()["detail"] == "输入无效"
    assert client.get(api_url("bad.token")).status_code == 422


@pytest.mark.django_db
def test_openapi_lists_the_endpoint_without_security(client, db):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/public/certificates/{token}"]["get"]
    assert not operation.get("security")
    assert set(operation["responses"]) == {"200", "404", "422"}
    # Every other operation still needs a token.
    secured = [op for path, ops in document["paths"].items() for op in ops.values() if "public" not in path]
    assert secured
    assert all(op.get("security") for op in secured)
