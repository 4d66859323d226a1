"""Fees as the law stood on each date (jiliang.metrology.fees):

- from 2017-04-01 mandatory verification is free (财税〔2017〕20号; 国质检财函〔2017〕140号 on its implementation);
- before, the Fuxin plan's free verification (阜新市计量发展规划 2015—2020, §二.(二).2): "乡镇、社区的公益性医疗
  机构和集贸市场在用计量器具实现免费检定。", and every other mandatory verification charged at the price list;
- calibration and non-mandatory verification are charged at the price list on both sides of the date.
"""

from datetime import date
from decimal import Decimal

import pytest

from jiliang.metrology import fees
from jiliang.metrology.fees import ItemFee, item_fee

BEFORE = date(2017, 3, 31)
FROM = date(2017, 4, 1)
LATER = date(2025, 6, 1)


def test_the_clause_and_the_documents_are_quoted_verbatim():
    assert fees.CLAUSE == "乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"
    assert fees.FREE_FROM == date(2017, 4, 1)
    assert fees.FREE_REASON == "强制检定免费（财税〔2017〕20号，2017年4月1日起）"
    assert fees.FREE_DOCUMENT == "财税〔2017〕20号" and fees.FREE_IMPLEMENTATION == "国质检财函〔2017〕140号"


@pytest.mark.parametrize("category", ["township_clinic", "community_clinic", "market_fair"])
def test_on_31_march_2017_the_fuxin_plan_waives_mandatory_verification_for_the_three_categories(category):
    result = item_fee(Decimal("25"), service="verification", mandatory=True, category=category, day=BEFORE)
    assert result == ItemFee(Decimal("25.00"), Decimal("25.00"), fees.waiver_reason(category))
    assert result.payable == Decimal("0.00")
    assert "阜新市计量发展规划" in result.reason


@pytest.mark.parametrize("category", ["petrol_station", "hospital", "supermarket", "other"])
def test_on_31_march_2017_other_owners_pay_for_mandatory_verification(category):
    result = item_fee(Decimal("150"), service="verification", mandatory=True, category=category, day=BEFORE)
    assert result == ItemFee(Decimal("150.00"), Decimal("0.00"), "")


@pytest.mark.parametrize("category", ["petrol_station", "market_fair", "township_clinic", "other"])
@pytest.mark.parametrize("day", [FROM, LATER])
def test_from_1_april_2017_mandatory_verification_is_free_for_every_owner(category, day):
    result = item_fee(Decimal("150"), service="verification", mandatory=True, category=category, day=day)
    assert result == ItemFee(Decimal("0.00"), Decimal("0.00"), "强制检定免费（财税〔2017〕20号，2017年4月1日起）")
    assert result.payable == Decimal("0.00")


@pytest.mark.parametrize("day", [BEFORE, FROM, LATER])
def test_calibration_is_charged_on_both_sides_of_the_date_even_at_a_market_fair(day):
    result = item_fee("80", service="calibration", mandatory=True, category="market_fair", day=day)
    assert result == ItemFee(Decimal("80.00"), Decimal("0.00"), "")


@pytest.mark.parametrize("day", [BEFORE, FROM, LATER])
def test_non_mandatory_verification_is_charged_on_both_sides_of_the_date_even_at_a_clinic(day):
    result = item_fee(40, service="verification", mandatory=False, category="township_clinic", day=day)
    assert result.payable == Decimal("40.00") and result.reason == ""


def test_free_mandatory_verification_says_why_even_without_a_price_list_row():
    assert item_fee(None, service="verification", mandatory=True, category="other", day=FROM).reason == (
        fees.FREE_REASON
    )


def test_no_schedule_row_before_the_date_means_nothing_charged_and_nothing_waived():
    assert item_fee(None, service="verification", mandatory=True, category="market_fair", day=BEFORE) == ItemFee(
        Decimal("0.00"), Decimal("0.00"), ""
    )


@pytest.mark.parametrize(
    ("category", "day", "free"),
    [
        ("market_fair", BEFORE, True),
        ("petrol_station", BEFORE, False),
        ("market_fair", FROM, True),
        ("petrol_station", FROM, True),
    ],
)
def test_free_of_charge_is_the_rule_of_the_day(category, day, free):
    assert fees.is_free_of_charge(service="verification", mandatory=True, category=category, day=day) is free
    assert fees.is_free_of_charge(service="calibration", mandatory=True, category=category, day=day) is False


def test_rounding_to_the_cent():
    result = item_fee(Decimal("12.345"), service="calibration", mandatory=False, category="other", day=LATER)
    assert result.fee == Decimal("12.35")


@pytest.mark.parametrize("bad", [Decimal("-1"), "NaN", Decimal("Infinity")])
def test_negative_or_non_finite_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        item_fee(bad, service="calibration", mandatory=True, category="other", day=LATER)


def test_unknown_service_is_refused():
    with pytest.raises(ValueError):
        item_fee(Decimal("1"), service="repair", mandatory=True, category="other", day=LATER)


def test_totals():
    a = item_fee(Decimal("30"), service="verification", mandatory=True, category="market_fair", day=BEFORE)
    b = item_fee(Decimal("80"), service="calibration", mandatory=True, category="market_fair", day=BEFORE)
    assert fees.totals([a, b]) == (Decimal("110.00"), Decimal("30.00"))
    assert fees.totals([]) == (Decimal("0.00"), Decimal("0.00"))
