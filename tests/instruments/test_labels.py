"""The owner's QR label sheet (POST /instruments/labels/) and the public link block on an instrument's page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jiliang.instruments import labels
from tests.factories import InstrumentFactory

URL = "/instruments/labels/"


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def owned(city):
    return [InstrumentFactory(owner=city.owner_a, serial_number=f"LB-{n:03d}") for n in range(26)]


def test_the_url_is_named():
    assert reverse("instruments:labels") == URL


@pytest.mark.django_db
def test_an_owner_prints_labels_of_its_ticked_instruments(city, client, owned):
    client.force_login(city.owner_a_user)
    response = client.post(URL, {"ids": [i.pk for i in owned]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    pages, text = pdf_text(content)
    assert pages == 2  # 24 labels a sheet: 26 need two
    for instrument in (owned[0], owned[23], owned[25]):
        assert instrument.serial_number in text
    assert owned[0].due_on.isoformat() in text
    assert "扫码查器具" in text


@pytest.mark.django_db
def test_an_owner_cannot_print_another_owners_instrument(city, client, owned, instrument_b):
    client.force_login(city.owner_a_user)
    assert client.post(URL, {"ids": [owned[0].pk, instrument_b.pk]}).status_code == 404
    client.force_login(city.owner_b_user)
    assert client.post(URL, {"ids": [owned[0].pk]}).status_code == 404
    assert client.post(URL, {"ids": ["x"]}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["city_regulator", "county_regulator_a", "institute_user", "admin"])
def test_other_roles_are_refused(city, client, owned, who):
    client.force_login(getattr(city, who))
    assert client.post(URL, {"ids": [owned[0].pk]}).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in_and_get_is_refused(city, client, owned):
    response = client.post(URL, {"ids": [owned[0].pk]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(city.owner_a_user)
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_none_ticked_or_too_many_go_back_to_the_list_with_a_reason(city, client, owned, monkeypatch):
    client.force_login(city.owner_a_user)
    response = client.post(URL, {}, follow=True)
    assert "请先勾选要打印标签的器具" in response.content.decode()
    monkeypatch.setattr(labels, "LABELS_MAX", 3)
    response = client.post(URL, {"ids": [i.pk for i in owned[:4]]}, follow=True)
    assert "一次最多打印 3 个标签" in response.content.decode()


@pytest.mark.django_db
def test_the_owners_list_offers_the_label_form_and_a_regulators_does_not(city, client, owned):
    client.force_login(city.owner_a_user)
    page = client.get(reverse("instruments:list")).content.decode()
    assert 'id="label-form"' in page
    assert f'name="ids" value="{owned[0].pk}" form="label-form"' in page
    client.force_login(city.city_regulator)
    assert 'id="label-form"' not in client.get(reverse("instruments:list")).content.decode()


@pytest.mark.django_db
def test_the_instrument_page_shows_its_public_link_and_qr_code(city, client, owned):
    instrument = owned[0]
    client.force_login(city.owner_a_user)
    page = client.get(reverse("instruments:detail", args=[instrument.pk])).content.decode()
    assert "扫码查器具" in page
    assert labels.public_url(instrument) in page
    assert reverse("portal:instrument", args=[instrument.public_key]) in labels.public_url(instrument)
    assert "<svg" in page
