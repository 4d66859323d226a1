"""An instrument's public page (扫码查器具, /check/i/<key>/), its key, the log of every look, and what the public
check now shows of the instrument (model, factory number) and finds when a number is typed loosely."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.instruments.models import PUBLIC_KEY_BYTES, Instrument, new_public_key
from jiliang.instruments.services import instrument_set_status
from jiliang.portal import instruments as public
from jiliang.portal.models import InstrumentScan
from jiliang.portal.selectors import normalize_number
from jiliang.verification.services.records import KIND_CODES, certificate_number
from tests.builders.verification import issue_certificate
from tests.factories import InstrumentFactory


def page_url(instrument: Instrument) -> str:
    return reverse("portal:instrument", args=[instrument.public_key])


# ---- the key -------------------------------------------------------------------------------------------------------


def test_a_public_key_is_random_url_safe_and_long_enough_not_to_be_guessed():
    keys = {new_public_key() for _ in range(2000)}
    assert len(keys) == 2000
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", key), key
    assert PUBLIC_KEY_BYTES * 8 >= 128


@pytest.mark.django_db
def test_every_instrument_gets_its_own_key_and_a_key_is_unique(city):
    a = InstrumentFactory(owner=city.owner_a, serial_number="K-1")
    b = InstrumentFactory(owner=city.owner_a, serial_number="K-2")
    assert a.public_key and b.public_key and a.public_key != b.public_key
    # Not derived from the row: the same serial number in another owner's registry gets another key.
    c = InstrumentFactory(owner=city.owner_b, serial_number="K-1")
    assert c.public_key not in (a.public_key, b.public_key)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=b.pk).update(public_key=a.public_key)


@pytest.mark.django_db
def test_the_import_writer_gives_every_row_a_fresh_key(city):
    from jiliang.instruments.importing.writer import _ROW_FIELDS, RowWriter

    writer = RowWriter({"owner_id": city.owner_a.pk, "region_id": city.owner_a.region_id})
    values = dict.fromkeys(_ROW_FIELDS)
    rows = [writer.params(values) for _ in range(3)]
    ((column, _fresh),) = writer._fresh
    keys = {row[column] for row in rows}
    assert len(keys) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]{24}", k) for k in keys)


# ---- the page ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_kind_model_factory_number_masked_owner_and_validity(city, client):
    instrument = InstrumentFactory(owner=city.owner_a, serial_number="SC-2026-0042", model="ACS-15")
    response = client.get(page_url(instrument))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    for shown in (
        "检定有效",
        instrument.catalog_item.kind,
        "ACS-15",
        "SC-2026-0042",
        "甲县**市场",
        instrument.due_on.isoformat(),
    ):
        assert shown in page, shown
    for hidden in (city.owner_a.name, city.owner_a.credit_code, instrument.location or "never-shown"):
        assert hidden not in page, hidden
    # The page is titled for what it is, not as the certificate check.
    assert '<div class="title"><a href="">扫码查器具</a>' in page


@pytest.mark.django_db
def test_the_page_links_the_latest_certificate_check(bench, client):
    certificate = issue_certificate(bench)
    page = client.get(page_url(certificate.instrument)).content.decode()
    assert reverse("portal:token", args=[certificate.token]) in page
    assert certificate.number in page


@pytest.mark.django_db
def test_a_failed_instrument_says_plainly_it_must_not_be_used(bench, client):
    notice = issue_certificate(bench, passed=False)
    instrument = Instrument.objects.get(pk=notice.instrument_id)
    assert instrument.stopped_as_failed
    answer = public.public_answer(instrument, bench.today)
    assert (answer["status"], answer["usable"], answer["valid_until"]) == ("failed", False, None)
    page = client.get(page_url(instrument)).content.decode()
    assert "检定不合格，已停用" in page
    assert "不得使用" in page
    assert notice.number in page  # the notice is the latest certificate: its check link


@pytest.mark.django_db
def test_a_stopped_or_scrapped_instrument_says_it_must_not_be_used(city, client):
    instrument = InstrumentFactory(owner=city.owner_a, serial_number="ST-1")
    instrument_set_status(instrument_id=instrument.pk, status="stopped", reason="维修", actor=city.owner_a_user)
    instrument.refresh_from_db()
    page = client.get(page_url(instrument)).content.decode()
    assert "已停用" in page and "该器具已停用，不得使用" in page
    assert instrument.due_on is None or instrument.due_on.isoformat() not in page
    instrument_set_status(instrument_id=instrument.pk, status="scrapped", reason="报废", actor=city.owner_a_user)
    page = client.get(page_url(instrument)).content.decode()
    assert "该器具已报废，不得使用" in page


@pytest.mark.django_db
def test_an_overdue_mandatory_instrument_must_not_be_used(city, client):
    from django.utils import timezone

    instrument = InstrumentFactory(
        owner=city.owner_a, serial_number="OD-1", last_verified_on=timezone.localdate() - timedelta(days=500)
    )
    page = client.get(page_url(instrument)).content.decode()
    assert "已超过检定有效期" in page and "不得使用" in page


@pytest.mark.django_db
def test_an_unknown_key_answers_not_found_and_shows_nothing(client):
    response = client.get(reverse("portal:instrument", args=["x" * 24]))
    assert response.status_code == 404
    assert "未找到该器具" in response.content.decode()


@pytest.mark.django_db
def test_the_page_needs_no_login_and_looks_the_same_to_anyone(city, client):
    instrument = InstrumentFactory(owner=city.owner_a, serial_number="PUB-1")
    anonymous = client.get(page_url(instrument)).content.decode()
    client.force_login(city.owner_b_user)  # another owner: the public page, never the registry's
    other = client.get(page_url(instrument))
    assert other.status_code == 200
    assert city.owner_a.name not in other.content.decode()
    assert "PUB-1" in anonymous


@pytest.mark.django_db
def test_every_look_is_logged_like_a_certificate_check(city, client):
    instrument = InstrumentFactory(owner=city.owner_a, serial_number="LOG-1")
    client.get(page_url(instrument))
    client.get(page_url(instrument), REMOTE_ADDR="10.9.8.7")
    client.get(reverse("portal:instrument", args=["nope"]))
    rows = list(InstrumentScan.objects.order_by("pk").values_list("instrument_id", "result", "client"))
    assert [(i, r) for i, r, _c in rows] == [(instrument.pk, "valid"), (instrument.pk, "valid"), (None, "not_found")]
    # A keyed hash of the address, as for certificate checks: two addresses, two values; never the address.
    assert rows[0][2] != rows[1][2] and len(rows[0][2]) == 16 and "10.9.8.7" not in rows[1][2]


@pytest.mark.django_db
def test_the_page_refuses_posts(city, client):
    instrument = InstrumentFactory(owner=city.owner_a, serial_number="P-1")
    assert client.post(page_url(instrument)).status_code == 405


# ---- the certificate check: model, factory number, loosely typed numbers ---------------------------------------------


def test_a_number_is_normalised_back_to_the_issued_form_for_every_kind():
    from types import SimpleNamespace

    institute = SimpleNamespace(short_code="ycjl", pk=7)
    for kind in KIND_CODES:
        issued = certificate_number(institute, 2026, kind, 142)
        for typed in (issued.lower().replace("-", ""), issued.replace("-", " "), f" {issued.lower()} "):
            assert normalize_number(typed) == issued, typed
    # An institute without a short code: I<id>, whose digits do not confuse the year.
    issued = certificate_number(SimpleNamespace(short_code="", pk=12), 2026, "verification", 3)
    assert normalize_number(issued.lower().replace("-", "")) == issued == "I12-2026-JD-000003"


@pytest.mark.django_db
def test_a_number_typed_in_lower_case_without_dashes_is_genuine(bench, client):
    certificate = issue_certificate(bench)
    typed = certificate.number.lower().replace("-", "")
    page = client.get(reverse("portal:index"), {"number": typed}).content.decode()
    assert "该证书真实有效" in page
    assert "伪造" not in page
    assert certificate.instrument.serial_number in page


@pytest.mark.django_db
def test_every_public_page_has_a_home_link_and_a_language_switch(bench, client):
    certificate = issue_certificate(bench)
    pages = [
        reverse("portal:index"),
        reverse("portal:token", args=[certificate.token]),
        page_url(certificate.instrument),
        reverse("disclosure:index"),
    ]
    for url in pages:
        response = client.get(url)
        page = response.content.decode()
        assert f'href="{reverse("portal:index")}">首页</a>' in page, url
        assert f'action="{reverse("set_language")}"' in page, url
        assert 'value="en"' in page, url
        # The slots are filled for this request: a real token and the way back.
        assert "Slot7q2" not in page, url
        assert f'name="next" value="{url}"' in page, url


@pytest.mark.django_db
def test_the_language_switch_turns_the_public_page_into_english(bench):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    certificate = issue_certificate(bench)
    url = page_url(certificate.instrument)
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == url
    english = client.get(url).content.decode()
    assert 'lang="en"' in english
    assert "Serial number" in english


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_every_existing_instrument_a_key_of_its_own(city):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    for n in range(3):
        InstrumentFactory(owner=city.owner_a, serial_number=f"MIG-{n}")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        MigrationExecutor(connection).migrate([("instruments", "0006_stop_reason")])
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    keys = list(Instrument.objects.filter(serial_number__startswith="MIG-").values_list("public_key", flat=True))
    assert len(keys) == 3 == len(set(keys))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", k) for k in keys)


# ---- the API -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_answers_what_the_page_shows_without_a_token_and_logs_it(city, client):
    instrument = InstrumentFactory(owner=city.owner_a, serial_number="API-1", model="ACS-30")
    response = client.get(f"/api/v1/public/instruments/{instrument.public_key}")
    assert response.status_code == 200
    body = response.json()
    assert tuple(body) == public.ANSWER_KEYS
    assert (body["status"], body["usable"], body["serial_number"], body["model"]) == ("valid", True, "API-1", "ACS-30")
    assert body["owner"] == "甲县**市场" and body["valid_until"] == instrument.due_on.isoformat()
    assert InstrumentScan.objects.filter(instrument=instrument).count() == 1


@pytest.mark.django_db
def test_the_api_answers_404_for_an_unknown_key_and_422_for_what_cannot_be_one(client):
    response = client.get("/api/v1/public/instruments/" + "y" * 24)
    assert response.status_code == 404 and "detail" in response.json()
    assert client.get("/api/v1/public/instruments/" + "y" * 60).status_code == 422
    assert InstrumentScan.objects.filter(instrument=None, result="not_found").count() == 1
