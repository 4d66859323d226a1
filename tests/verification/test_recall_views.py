"""Reverse traceability: the page listing the certificates issued with a standard down the chain, its Excel export,
and who may open them (the recall list's own section: test_recall.py)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.standards.models import EquipmentCertificate


def reverse_url(standard):
    return reverse("recall:reverse", args=[standard.pk])


def export_url(standard):
    return reverse("recall:reverse_export", args=[standard.pk])


def test_reverse_traceability_lists_the_certificates_down_the_chain_with_a_count(client, city, lab):
    client.force_login(city.institute_user)
    start = (lab.today - timedelta(days=365)).isoformat()
    response = client.get(reverse_url(lab.city_standard), {"date_from": start, "date_to": lab.today.isoformat()})
    assert response.status_code == 200
    assert [c.number for c in response.context["certificates"]] == ["JD-2026-101"]
    assert response.context["count"] == 1
    assert "JD-2026-101" in response.content.decode()


def test_the_export_of_an_inverted_range_is_a_bad_request(client, city, lab):
    client.force_login(city.institute_user)
    response = client.get(
        export_url(lab.city_standard),
        {"date_from": lab.today.isoformat(), "date_to": (lab.today - timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 400


def test_an_inverted_range_lists_nothing_and_says_why(client, city, lab):
    client.force_login(city.institute_user)
    response = client.get(
        reverse_url(lab.city_standard),
        {"date_from": lab.today.isoformat(), "date_to": (lab.today - timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 200
    assert response.context["certificates"] == []
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_the_export_holds_the_same_certificates_with_neutralised_cells(client, city, lab):
    EquipmentCertificate.objects.filter(pk=lab.county_certificate.pk).update(number="=HYPERLINK(1)")
    client.force_login(city.institute_user)
    start = (lab.today - timedelta(days=365)).isoformat()
    response = client.get(export_url(lab.city_standard), {"date_from": start, "date_to": lab.today.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1
    assert rows[0][0] == "'=HYPERLINK(1)"
    assert rows[0][8] == "甲县计量检定所"


@pytest.mark.parametrize("name", ["reverse", "reverse_export"])
def test_anonymous_is_sent_to_login(client, lab, name):
    response = client.get(reverse(f"recall:{name}", args=[lab.county_standard.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["reverse", "reverse_export"])
@pytest.mark.parametrize("persona", ["owner_a", "county_regulator_b"])
def test_outsiders_get_404_on_a_county_a_standard(client, city, lab, name, persona):
    client.force_login(city.personas[persona])
    response = client.get(reverse(f"recall:{name}", args=[lab.county_standard.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["reverse", "reverse_export"])
def test_another_institute_gets_404_on_a_standard_it_does_not_hold(client, city, lab, name):
    client.force_login(lab.county_institute_user)
    assert client.get(reverse(f"recall:{name}", args=[lab.city_standard.pk])).status_code == 404
    assert client.get(reverse(f"recall:{name}", args=[lab.county_standard.pk])).status_code == 200


@pytest.mark.parametrize("name", ["reverse"])
def test_a_missing_standard_answers_404_like_an_out_of_scope_one(client, city, lab, name):
    client.force_login(city.city_regulator)
    assert client.get(reverse(f"recall:{name}", args=[999_999])).status_code == 404


def test_the_page_counts_every_certificate_and_lists_the_first_ones(client, city, lab, monkeypatch):
    from jiliang.verification.views import recall as views_recall

    EquipmentCertificate.objects.create(
        equipment=lab.county_equipment,
        issuer_standard=lab.city_standard,
        number="JD-2025-007",
        issued_on=lab.today - timedelta(days=200),
        valid_until=lab.today - timedelta(days=101),
    )
    monkeypatch.setattr(views_recall, "PAGE_ROWS", 1)
    client.force_login(city.institute_user)
    start = (lab.today - timedelta(days=365)).isoformat()
    response = client.get(reverse_url(lab.city_standard), {"date_from": start, "date_to": lab.today.isoformat()})
    assert response.context["count"] == 2
    assert [c.number for c in response.context["certificates"]] == ["JD-2025-007"]  # the earliest first
    assert "全部证书请导出 Excel" in response.content.decode()
