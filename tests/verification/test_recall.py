"""The recall list: instrument certificates issued with a suspect standard (or one calibrated through it) in its
window, with status, owner and path; its page section, its .xlsx, its API, and who may open them.

The chain (``lab``): the city standard S certified the county standard T's equipment on day d = today − 100
(JD-2026-101). The recall asked for S from today − 200: S is suspect from today − 200, T from d.
"""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiliang.verification.models import CertificateRevocation
from jiliang.verification.selectors.recall import recall, recall_for

from .conftest import make_certificate


@pytest.fixture
def chain(bench):
    """S = city standard, T = county standard (certified by S on today − 100), U = unrelated (expired) standard."""
    lab, today = bench.lab, bench.today
    s, t, u = lab.city_standard, lab.county_standard, bench.expired_standard
    made = {
        "S-before": make_certificate(bench, s, today - timedelta(days=250), "R-S-BEFORE"),
        "S-after": make_certificate(bench, s, today - timedelta(days=150), "R-S-AFTER"),
        "T-before": make_certificate(bench, t, today - timedelta(days=130), "R-T-BEFORE"),
        "T-after": make_certificate(bench, t, today - timedelta(days=50), "R-T-AFTER"),
        "U": make_certificate(bench, u, today - timedelta(days=50), "R-U"),
        "S-late": make_certificate(bench, s, today + timedelta(days=5), "R-S-LATE"),
    }
    made["old"] = make_certificate(bench, s, today - timedelta(days=40), "R-OLD", instrument=bench.instruments[1])
    made["new"] = make_certificate(
        bench, s, today - timedelta(days=39), "R-NEW", instrument=bench.instruments[1], supersedes=made["old"]
    )
    made["revoked"] = make_certificate(bench, t, today - timedelta(days=30), "R-REVOKED")
    CertificateRevocation.objects.create(
        certificate=made["revoked"], reason="标准失准", revoked_at=timezone.now(), revoked_by=bench.institute_user
    )
    # Used both S and T: listed once, as direct use of S (the shorter path).
    made["both"] = make_certificate(bench, t, today - timedelta(days=20), "R-BOTH", standards=(s,))
    return made


def period(bench):
    return bench.today - timedelta(days=200), bench.today


def test_the_recall_lists_what_was_issued_with_the_standard_or_through_it_in_its_window(bench, chain):
    date_from, date_to = period(bench)
    found = recall(bench.lab.city_standard, date_from, date_to)
    numbers = [row.certificate.number for row in found.instrument_rows()]
    assert numbers == ["R-S-AFTER", "R-T-AFTER", "R-OLD", "R-NEW", "R-REVOKED", "R-BOTH"]  # issue date order
    assert found.instrument_count == 6
    assert found.windows() == {
        bench.lab.city_standard.pk: date_from,
        bench.lab.county_standard.pk: bench.lab.county_certificate.issued_on,
    }
    assert found.equipment_count == 1
    assert [c.number for c in found.equipment_certificates()] == ["JD-2026-101"]


def test_each_row_says_its_status_owner_standard_and_path(bench, chain):
    found = recall(bench.lab.city_standard, *period(bench))
    rows = {row.certificate.number: row for row in found.instrument_rows()}
    assert rows["R-OLD"].status == "superseded"
    assert rows["R-NEW"].status == "valid"
    assert rows["R-REVOKED"].status == "revoked"
    assert rows["R-REVOKED"].status_label == "已撤销"
    assert rows["R-S-AFTER"].direct and rows["R-S-AFTER"].path_label == "直接使用"
    t_row = rows["R-T-AFTER"]
    assert t_row.standard == bench.lab.county_standard
    assert not t_row.direct
    assert [s.code for s in t_row.path] == ["CS-001", "KS-001"]
    assert "CS-001" in t_row.path_label
    assert rows["R-BOTH"].standard == bench.lab.city_standard
    assert t_row.certificate.owner.name == bench.instruments[0].owner.name


def test_a_recall_from_the_lower_standard_does_not_climb_up(bench, chain):
    found = recall(bench.lab.county_standard, *period(bench))
    assert [r.certificate.number for r in found.instrument_rows()] == [
        "R-T-BEFORE",
        "R-T-AFTER",
        "R-REVOKED",
        "R-BOTH",
    ]
    assert found.equipment_count == 0


def test_an_inverted_range_recalls_nothing(bench, chain):
    found = recall(bench.lab.city_standard, bench.today, bench.today - timedelta(days=1))
    assert found.instrument_count == 0
    assert found.instrument_rows() == []


def page_url(standard):
    return reverse("recall:reverse", args=[standard.pk])


def export_url(standard):
    return reverse("recall:export", args=[standard.pk])


def test_the_page_shows_the_instrument_section_paged_with_counts(client, city, bench, chain, monkeypatch):
    from jiliang.verification.views import recall as views_recall

    monkeypatch.setattr(views_recall, "INSTRUMENT_PAGE_ROWS", 4)
    date_from, date_to = period(bench)
    params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    client.force_login(city.institute_user)
    response = client.get(page_url(bench.lab.city_standard), params)
    assert response.status_code == 200
    assert response.context["instrument_count"] == 6
    assert [r.certificate.number for r in response.context["instrument_rows"]] == [
        "R-S-AFTER",
        "R-T-AFTER",
        "R-OLD",
        "R-NEW",
    ]
    html = response.content.decode()
    assert 'data-testid="recall-export"' in html
    assert "导出召回清单 (.xlsx)" in html
    assert 'data-status="superseded"' in html
    assert response.context["next_url"].endswith("page=2")
    response = client.get(page_url(bench.lab.city_standard), {**params, "page": 2})
    assert [r.certificate.number for r in response.context["instrument_rows"]] == ["R-REVOKED", "R-BOTH"]
    assert 'data-status="revoked"' in response.content.decode()
    assert response.context["count"] == 1  # the equipment section is still there
    assert [c.number for c in response.context["certificates"]] == ["JD-2026-101"]


def test_the_xlsx_holds_both_sheets_with_a_title_and_neutralised_cells(client, city, bench, chain):
    date_from, date_to = period(bench)
    bench.instruments[0].__class__.objects.filter(pk=bench.instruments[0].pk).update(name="=cmd|' /C calc'!A0")
    client.force_login(city.city_regulator)
    response = client.get(
        export_url(bench.lab.city_standard), {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == (
        f"召回清单-CS-001-{date_from.isoformat()}-{date_to.isoformat()}.xlsx"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["器具证书", "标准设备证书"]
    sheet = book["器具证书"]
    title = sheet["A1"].value
    assert "CS-001" in title and date_from.isoformat() in title and "生成时间" in title
    assert [c.value for c in sheet[2]][:3] == ["证书编号", "证书类别", "证书状态"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["R-S-AFTER", "R-T-AFTER", "R-OLD", "R-NEW", "R-REVOKED", "R-BOTH"]
    by_number = {r[0]: r for r in rows}
    assert "R-U" not in by_number and "R-T-BEFORE" not in by_number  # unrelated standard; T before its window
    assert by_number["R-OLD"][2] == "已被替代"
    assert by_number["R-REVOKED"][2] == "已撤销"
    assert by_number["R-S-AFTER"][5] == "'=cmd|' /C calc'!A0"  # formula neutralised
    assert by_number["R-T-AFTER"][7] == bench.instruments[0].owner.name
    assert by_number["R-T-AFTER"][8] == bench.instruments[0].owner.credit_code
    assert by_number["R-T-AFTER"][11] == "KS-001"
    equipment = list(book["标准设备证书"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in equipment] == ["JD-2026-101"]


def test_the_export_of_an_inverted_range_is_a_bad_request(client, city, bench):
    client.force_login(city.institute_user)
    response = client.get(
        export_url(bench.lab.city_standard),
        {"date_from": bench.today.isoformat(), "date_to": (bench.today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400


def test_anonymous_is_sent_to_login(client, bench):
    response = client.get(export_url(bench.lab.county_standard))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["owner_a", "county_regulator_b"])
def test_outsiders_get_404(client, city, bench, chain, persona):
    client.force_login(city.personas[persona])
    date_from, date_to = period(bench)
    params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    assert client.get(export_url(bench.lab.county_standard), params).status_code == 404
    assert client.get(page_url(bench.lab.county_standard), params).status_code == 404


def test_the_county_a_regulator_may_recall_its_standard_whoever_holds_the_certificates(city, bench, chain):
    found = recall_for(city.county_regulator_a, bench.lab.county_standard.pk, *period(bench))
    assert found.instrument_count == 4


# ---- API (jiliang/verification/api/recall.py) ---------------------------------------------------------------------


def api_url(standard) -> str:
    return f"/api/v1/standards/{standard.pk}/recall"


def test_the_api_pages_the_recall_list(api, city, bench, chain):
    date_from, date_to = period(bench)
    response = api(city.city_regulator).get(
        api_url(bench.lab.city_standard),
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        offset=4,
        limit=10,
    )
    assert response.status_code == 200
    data = response.json()
    assert data["instrument_count"] == 6 and data["equipment_count"] == 1
    assert [i["number"] for i in data["items"]] == ["R-REVOKED", "R-BOTH"]
    assert data["items"][0]["status"] == "revoked"
    assert data["items"][0]["path"] == ["CS-001", "KS-001"]
    assert {s["id"] for s in data["suspect_standards"]} == {bench.lab.city_standard.pk, bench.lab.county_standard.pk}


@pytest.mark.parametrize("persona", ["owner_a", "county_regulator_b"])
def test_the_api_answers_404_to_outsiders_and_401_without_a_token(api, city, bench, persona):
    params = {"date_from": bench.today.isoformat(), "date_to": bench.today.isoformat()}
    assert api(city.personas[persona]).get(api_url(bench.lab.county_standard), **params).status_code == 404
    assert api(None).get(api_url(bench.lab.county_standard), **params).status_code == 401


def test_the_api_refuses_an_inverted_range_with_422(api, city, bench):
    params = {"date_from": bench.today.isoformat(), "date_to": (bench.today - timedelta(days=1)).isoformat()}
    response = api(city.city_regulator).get(api_url(bench.lab.city_standard), **params)
    assert response.status_code == 422
    assert response.json()["detail"]
