"""Who reads what in a recall (docs/recall.md): the certificates a reader may see anywhere else in the platform are
listed in full; the rest only as counts per issuing institute. Page, .xlsx exports and API alike.

The chain: the city institute's standard S (CS-001) certified the county institute's standard T (KS-001, county A)
on today − 100 (JD-2026-101); T certified the equipment of an enterprise standard E held by owner B (QS-001, county
B) the same day (JD-K-201). Instrument certificates in the window:

- R-S-OWN: the city institute, with S, for owner A (county A);
- K-T-B: the county institute, with T, for owner B (乙县加油站, county B) — another institute's customer to the city
  institute, another county's owner to county A's bureau;
- K-T-A: the county institute, with T, for owner A (county A).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.core.models import Organization, Role
from jiliang.standards.selectors.traceability import certificates_issued_with
from jiliang.verification.selectors.recall import recall_for
from tests.builders.standards import make_equipment, make_standard
from tests.factories import InstrumentFactory, OrganizationFactory, UserFactory, catalog_item, credit_code

from .conftest import make_certificate

COUNTY_INSTITUTE = "甲县计量检定所"
SERIAL_B = "B-SCALE-77"


@pytest.fixture
def downstream(city, bench):
    lab, today = bench.lab, bench.today
    scale_b = InstrumentFactory(owner=city.owner_b, serial_number=SERIAL_B, catalog_item=catalog_item("02"))
    enterprise = make_standard(
        city.owner_b, code="QS-001", level="enterprise", today=today, is_public=False, name="企业电子天平标准"
    )
    make_equipment(
        enterprise, name="F2等级砝码组", serial="QB-9", issuer=lab.county_standard, today=today, number="JD-K-201"
    )
    make_certificate(bench, lab.city_standard, today - timedelta(days=150), "R-S-OWN")
    make_certificate(
        bench,
        lab.county_standard,
        today - timedelta(days=50),
        "K-T-B",
        instrument=scale_b,
        institute=lab.county_institute,
    )
    make_certificate(
        bench,
        lab.county_standard,
        today - timedelta(days=40),
        "K-T-A",
        instrument=bench.instruments[1],
        institute=lab.county_institute,
    )
    other_institute = OrganizationFactory(
        name="乙县计量检定所", kind=Organization.Kind.INSTITUTE, region=city.county_b, credit_code=credit_code()
    )
    return {
        "S": lab.city_standard,
        "T": lab.county_standard,
        "period": (today - timedelta(days=200), today),
        "users": {
            **city.personas,
            "admin": city.admin,
            "county_institute": lab.county_institute_user,
            "other_institute": UserFactory(username="other_inst", role=Role.INSTITUTE, organization=other_institute),
        },
    }


def params(downstream) -> dict[str, str]:
    date_from, date_to = downstream["period"]
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}


def listing(downstream, persona: str, standard: str):
    found = recall_for(downstream["users"][persona], downstream[standard].pk, *downstream["period"])
    return {
        "instruments": [r.certificate.number for r in found.instrument_rows()],
        "equipment": [c.number for c in found.equipment_certificates()],
        "others": [(o.name, o.instrument_count, o.equipment_count) for o in found.others],
        "total": (found.instrument_count, found.equipment_count),
    }


# Strings that name owner B's certificate or its equipment: none may reach a reader outside their scope.
def secrets(city) -> list[str]:
    return ["K-T-B", SERIAL_B, city.owner_b.name, city.owner_b.credit_code, "JD-K-201", "QB-9", "企业电子天平标准"]


# ---- the selector ---------------------------------------------------------------------------------------------


def test_an_institute_reads_its_own_certificates_and_counts_of_the_other_institutes(downstream):
    assert listing(downstream, "institute", "S") == {
        "instruments": ["R-S-OWN"],
        "equipment": ["JD-2026-101"],  # issued by its own standard S: its own customer
        "others": [(COUNTY_INSTITUTE, 2, 1)],
        "total": (3, 2),
    }


def test_the_downstream_institute_reads_its_own_standards_recall_in_full(downstream):
    assert listing(downstream, "county_institute", "T") == {
        "instruments": ["K-T-B", "K-T-A"],
        "equipment": ["JD-K-201"],
        "others": [],
        "total": (2, 1),
    }


def test_the_city_bureau_and_the_admin_read_everything(downstream):
    everything = {
        "instruments": ["R-S-OWN", "K-T-B", "K-T-A"],
        "equipment": ["JD-2026-101", "JD-K-201"],
        "others": [],
        "total": (3, 2),
    }
    assert listing(downstream, "city_regulator", "S") == everything
    assert listing(downstream, "admin", "S") == everything


def test_a_county_bureau_reads_its_countys_certificates_and_counts_the_rest(downstream):
    assert listing(downstream, "county_regulator_a", "T") == {
        "instruments": ["K-T-A"],
        "equipment": [],  # E is held in county B
        "others": [(COUNTY_INSTITUTE, 1, 1)],
        "total": (2, 1),
    }


@pytest.mark.parametrize(
    ("persona", "standard"),
    [
        ("owner_a", "S"),
        ("owner_b", "T"),
        ("county_regulator_b", "S"),
        ("county_regulator_b", "T"),
        ("county_regulator_a", "S"),
        ("other_institute", "S"),
        ("other_institute", "T"),
        ("county_institute", "S"),
        ("anonymous", "S"),
    ],
)
def test_outsiders_cannot_open_the_recall(downstream, persona, standard):
    from jiliang.core.errors import NotFoundOrForbidden

    with pytest.raises(NotFoundOrForbidden):
        recall_for(downstream["users"][persona], downstream[standard].pk, *downstream["period"])


def test_reverse_traceability_lists_only_the_readers_equipment_certificates(downstream):
    found = certificates_issued_with(downstream["users"]["institute"], downstream["S"].pk, *downstream["period"])
    assert [c.number for c in found] == ["JD-2026-101"]
    found = certificates_issued_with(downstream["users"]["city_regulator"], downstream["S"].pk, *downstream["period"])
    assert [c.number for c in found] == ["JD-2026-101", "JD-K-201"]


# ---- the page -------------------------------------------------------------------------------------------------


def page(client, downstream, persona, standard="S"):
    client.force_login(downstream["users"][persona])
    return client.get(reverse("recall:reverse", args=[downstream[standard].pk]), params(downstream))


def test_the_institutes_page_shows_no_other_institutes_customer(client, city, downstream):
    response = page(client, downstream, "institute")
    assert response.status_code == 200
    html = response.content.decode()
    for secret in secrets(city):
        assert secret not in html, secret
    assert "R-S-OWN" in html and city.owner_a.name in html
    assert 'data-testid="recall-others"' in html
    assert COUNTY_INSTITUTE in html


def test_the_city_bureaus_page_shows_every_certificate(client, city, downstream):
    html = page(client, downstream, "city_regulator").content.decode()
    for secret in secrets(city):
        assert secret in html, secret
    assert 'data-testid="recall-others"' not in html


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "county_regulator_b", "other_institute"])
def test_outsiders_get_404_on_the_page_and_the_exports(client, downstream, persona):
    client.force_login(downstream["users"][persona])
    for name in ("reverse", "export", "reverse_export"):
        assert client.get(reverse(f"recall:{name}", args=[downstream["S"].pk]), params(downstream)).status_code == 404


def test_anonymous_is_sent_to_login_from_the_page_and_the_exports(client, downstream):
    for name in ("reverse", "export", "reverse_export"):
        response = client.get(reverse(f"recall:{name}", args=[downstream["S"].pk]), params(downstream))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---- the .xlsx exports ----------------------------------------------------------------------------------------


def workbook(client, downstream, persona, name):
    client.force_login(downstream["users"][persona])
    response = client.get(reverse(f"recall:{name}", args=[downstream["S"].pk]), params(downstream))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cells(book) -> list[str]:
    return [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_the_institutes_recall_export_counts_the_other_institutes(client, city, downstream):
    book = workbook(client, downstream, "institute", "export")
    assert book.sheetnames == ["器具证书", "标准设备证书", "其他机构（仅计数）"]
    assert [r[0] for r in book["器具证书"].iter_rows(min_row=3, values_only=True)] == ["R-S-OWN"]
    assert [r[0] for r in book["标准设备证书"].iter_rows(min_row=3, values_only=True)] == ["JD-2026-101"]
    assert list(book["其他机构（仅计数）"].iter_rows(min_row=3, values_only=True)) == [(COUNTY_INSTITUTE, 2, 1)]
    text = " ".join(cells(book))
    for secret in secrets(city):
        assert secret not in text, secret


def test_the_city_bureaus_recall_export_holds_every_certificate(client, city, downstream):
    book = workbook(client, downstream, "city_regulator", "export")
    assert book.sheetnames == ["器具证书", "标准设备证书"]
    assert [r[0] for r in book["器具证书"].iter_rows(min_row=3, values_only=True)] == ["R-S-OWN", "K-T-B", "K-T-A"]
    text = " ".join(cells(book))
    for secret in secrets(city):
        assert secret in text, secret


def test_the_institutes_reverse_traceability_export_holds_its_own_certificates_only(client, city, downstream):
    book = workbook(client, downstream, "institute", "reverse_export")
    rows = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows if r[0] and r[0].startswith("JD-")] == ["JD-2026-101"]
    text = " ".join(cells(book))
    for secret in secrets(city):
        assert secret not in text, secret
    assert COUNTY_INSTITUTE in text  # counted, by name


# ---- the API --------------------------------------------------------------------------------------------------


def recall_api(api, downstream, persona, standard="S"):
    return api(downstream["users"][persona]).get(
        f"/api/v1/standards/{downstream[standard].pk}/recall", **params(downstream)
    )


def test_the_api_gives_an_institute_its_own_rows_and_counts_of_the_others(api, city, downstream):
    response = recall_api(api, downstream, "institute")
    assert response.status_code == 200
    data = response.json()
    assert [i["number"] for i in data["items"]] == ["R-S-OWN"]
    assert (data["instrument_count"], data["listed_instrument_count"]) == (3, 1)
    assert (data["equipment_count"], data["listed_equipment_count"]) == (2, 1)
    assert [(o["institute"], o["instrument_count"], o["equipment_count"]) for o in data["others"]] == [
        (COUNTY_INSTITUTE, 2, 1)
    ]
    # E (owner B's standard) is suspect too, but it is the county institute's customer's: not named.
    assert {s["id"] for s in data["suspect_standards"]} == {downstream["S"].pk, downstream["T"].pk}
    text = response.content.decode()
    for secret in secrets(city):
        assert secret not in text, secret


def test_the_api_gives_the_city_bureau_everything(api, city, downstream):
    data = recall_api(api, downstream, "city_regulator").json()
    assert [i["number"] for i in data["items"]] == ["R-S-OWN", "K-T-B", "K-T-A"]
    assert data["others"] == []
    assert len(data["suspect_standards"]) == 3


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "county_regulator_b", "other_institute"])
def test_the_api_answers_404_to_outsiders(api, downstream, persona):
    assert recall_api(api, downstream, persona).status_code == 404
    assert recall_api(api, downstream, persona, "T").status_code == 404


def test_the_api_answers_401_without_a_token(api, downstream):
    assert recall_api(api, downstream, "anonymous").status_code == 401
