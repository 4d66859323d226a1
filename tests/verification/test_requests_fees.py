"""The illustrative fee schedule (loaded by migration for catalog items that exist, editable (audited) in the
admin), and the fees of requests on both sides of 1 April 2017, when mandatory verification became free
(财税〔2017〕20号): the Fuxin plan's waiver or the price list before, free after; calibration and non-mandatory
verification charged throughout."""

import importlib
from datetime import date
from decimal import Decimal

import pytest

from jiliang.catalog.models import CatalogItem
from jiliang.core import clock
from jiliang.core.models import AuditEvent
from jiliang.indicators.selectors.definitions import fee_waived_share
from jiliang.metrology import fees
from jiliang.verification.models import FeeSchedule
from jiliang.verification.selectors import requests as sel
from tests.factories import catalog_item

from .conftest import authorize, submit

migration = importlib.import_module("jiliang.verification.migrations.0003_load_fees")


def test_every_row_names_a_catalog_item_and_a_service(db):
    rows = migration.fee_rows()
    codes = set(CatalogItem.objects.values_list("code", flat=True))
    assert rows and all(r["code"] in codes for r in rows)
    assert {r["service"] for r in rows} == {"verification", "calibration"}
    assert all(r["amount"] > 0 for r in rows)
    assert FeeSchedule.objects.count() == len(rows)
    assert FeeSchedule.objects.get(catalog_item__code="08", service="verification").amount == Decimal("120.00")


def test_the_file_says_it_is_illustrative():
    text = migration.FEES_CSV.read_text(encoding="utf-8")
    assert text.startswith("# ILLUSTRATIVE")


def test_admin_lists_and_edits_fees_with_an_audit_event(city, client):
    client.force_login(city.admin)
    assert client.get("/admin/verification/feeschedule/").status_code == 200
    fee = FeeSchedule.objects.get(catalog_item__code="02", service="verification")
    data = {
        "catalog_item": fee.catalog_item_id,
        "service": "verification",
        "amount": "35.00",
        "basis": "物价部门核定",
        "valid_from": "2020-01-01",
    }
    response = client.post(f"/admin/verification/feeschedule/{fee.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fee.refresh_from_db()
    assert fee.amount == Decimal("35.00")
    assert AuditEvent.objects.filter(action="verification.feeschedule.update", object_id=str(fee.pk)).exists()


def test_outsiders_cannot_reach_the_fee_admin(city, client):
    client.force_login(city.owner_a_user)
    response = client.get("/admin/verification/feeschedule/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# ---- the rule of the request's date: 31 March and 1 April 2017 --------------------------------------------------

BEFORE = date(2017, 3, 31)
FROM = date(2017, 4, 1)
FREE = "强制检定免费（财税〔2017〕20号，2017年4月1日起）"
BASIS_2016 = "某市物价局核定的计量检定收费标准（示例）"


@pytest.fixture
def in_2017(city, window):
    """A price list in force in 2017 (the migration's rows start in 2020) and the institute authorized then."""
    for code, service, amount in (
        ("02", "verification", "30"),
        ("02", "calibration", "50"),
        ("08", "verification", "150"),
    ):
        FeeSchedule.objects.create(
            catalog_item=catalog_item(code),
            service=service,
            amount=Decimal(amount),
            basis=BASIS_2016,
            valid_from=date(2016, 1, 1),
        )
    authorize(city.institute, city.city_bureau, ["02", "08"], BEFORE, number="(辽)法计(2016)21001号")
    return window


def submit_on(day, city, instruments, **kwargs):
    with clock.travel(day):
        return submit(city, instruments, **kwargs)


def test_on_31_march_2017_the_fuxin_plan_waives_a_market_fairs_mandatory_verification(city, in_2017):
    request = submit_on(BEFORE, city, [in_2017.a1])
    item = request.items.get()
    assert (item.fee, item.waived) == (Decimal("30.00"), Decimal("30.00"))
    assert item.waiver_reason == fees.waiver_reason("market_fair")
    assert request.fee_total == request.fee_waived == Decimal("30.00")


def test_on_31_march_2017_a_petrol_station_pays_for_mandatory_verification(city, in_2017):
    request = submit_on(BEFORE, city, [in_2017.b1], user=city.owner_b_user)
    item = request.items.get()
    assert (item.fee, item.waived, item.waiver_reason) == (Decimal("150.00"), Decimal("0.00"), "")
    assert sel.request_fee_notes(request) == {item.pk: f"按收费标准：{BASIS_2016}（2016年1月1日起执行）"}


@pytest.mark.parametrize("owner", ["owner_a_user", "owner_b_user"])
def test_from_1_april_2017_mandatory_verification_is_free_for_every_owner(city, in_2017, owner):
    instrument = in_2017.a1 if owner == "owner_a_user" else in_2017.b1
    request = submit_on(FROM, city, [instrument], user=getattr(city, owner))
    item = request.items.get()
    assert (item.fee, item.waived, item.waiver_reason) == (Decimal("0.00"), Decimal("0.00"), FREE)
    assert request.fee_total == request.fee_waived == 0
    assert sel.request_fee_notes(request) == {item.pk: FREE}


@pytest.mark.parametrize("day", [BEFORE, FROM])
def test_calibration_is_charged_on_both_sides_of_1_april_2017(city, in_2017, day):
    request = submit_on(day, city, [in_2017.a1], service="calibration")
    item = request.items.get()
    assert (item.fee, item.waived, item.waiver_reason) == (Decimal("50.00"), Decimal("0.00"), "")
    assert sel.request_fee_notes(request)[item.pk] == f"按收费标准：{BASIS_2016}（2016年1月1日起执行）"


@pytest.mark.parametrize("day", [BEFORE, FROM])
def test_non_mandatory_verification_is_charged_on_both_sides_of_1_april_2017(city, in_2017, day):
    assert not in_2017.a_other_use.mandatory
    request = submit_on(day, city, [in_2017.a_other_use])
    item = request.items.get()
    assert (item.fee, item.waived, item.waiver_reason) == (Decimal("30.00"), Decimal("0.00"), "")


def test_the_request_page_says_per_item_why_it_is_free_or_what_it_costs_from_which_price_list(city, in_2017, client):
    free = submit_on(FROM, city, [in_2017.a1])
    charged = submit_on(BEFORE, city, [in_2017.b1], user=city.owner_b_user)
    waived = submit_on(BEFORE, city, [in_2017.a2])
    client.force_login(city.institute_user)
    free_page = client.get(f"/requests/{free.pk}/").content.decode()
    assert f'data-testid="fee-note">{FREE}' in free_page
    charged_page = client.get(f"/requests/{charged.pk}/").content.decode()
    assert f'data-testid="fee-note">按收费标准：{BASIS_2016}（2016年1月1日起执行）' in charged_page
    assert "150.00" in charged_page
    waived_page = client.get(f"/requests/{waived.pk}/").content.decode()
    assert 'data-testid="fee-note">阜新市计量发展规划（2015—2020年）：集贸市场在用计量器具免费检定' in waived_page


def test_the_fuxin_indicator_counts_each_request_free_by_the_rule_of_its_own_date(city, in_2017):
    submit_on(BEFORE, city, [in_2017.a1])  # waived by the plan
    submit_on(FROM, city, [in_2017.a2])  # free by 财税〔2017〕20号
    result = fee_waived_share(city=city.city, counties=[city.county_a, city.county_b], since=date(2015, 1, 1), day=FROM)
    county_a = result[city.county_a.pk]
    assert (county_a.numerator, county_a.denominator) == (2, 2)


def test_the_reason_the_page_translates_is_the_one_metrology_writes():
    assert sel.FREE_REASON == fees.FREE_REASON
