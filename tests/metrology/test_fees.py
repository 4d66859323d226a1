"""The Fuxin plan's free verification (阜新市计量发展规划 2015—2020, §二.(二).2):

"乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"
"""

from decimal import Decimal

import pytest

from jiliang.metrology import fees
from jiliang.metrology.fees import ItemFee, item_fee


def test_the_clause_is_quoted_verbatim():
    assert fees.CLAUSE == "乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"


@pytest.mark.parametrize("category", ["township_clinic", "community_clinic", "market_fair"])
def test_mandatory_verification_is_free_for_the_three_categories(category):
    result = item_fee(Decimal("25"), service="verification", mandatory=True, category=category)
    assert result == ItemFee(Decimal("25.00"), Decimal("25.00"), fees.waiver_reason(category))
    assert result.payable == Decimal("0.00")
    assert "阜新市计量发展规划" in result.reason


@pytest.mark.parametrize("category", ["petrol_station", "hospital", "supermarket", "other"])
def test_other_categories_pay(category):
    result = item_fee(Decimal("25"), service="verification", mandatory=True, category=category)
    assert result == ItemFee(Decimal("25.00"), Decimal("0.00"), "")


def test_calibration_is_charged_even_at_a_market_fair():
    result = item_fee("80", service="calibration", mandatory=True, category="market_fair")
    assert result.waived == Decimal("0.00") and result.payable == Decimal("80.00")


def test_non_mandatory_verification_is_charged_even_at_a_clinic():
    result = item_fee(40, service="verification", mandatory=False, category="township_clinic")
    assert result.payable == Decimal("40.00") and result.reason == ""


def test_no_schedule_row_means_nothing_charged_and_nothing_waived():
    assert item_fee(None, service="verification", mandatory=True, category="market_fair") == ItemFee(
        Decimal("0.00"), Decimal("0.00"), ""
    )


def test_rounding_to_the_cent():
    assert item_fee(Decimal("12.345"), service="calibration", mandatory=False, category="other").fee == Decimal("12.35")


@pytest.mark.parametrize("bad", [Decimal("-1"), "NaN", Decimal("Infinity")])
def test_negative_or_non_finite_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        item_fee(bad, service="verification", mandatory=True, category="other")


def test_unknown_service_is_refused():
    with pytest.raises(ValueError):
        item_fee(Decimal("1"), service="repair", mandatory=True, category="other")


def test_totals():
    a = item_fee(Decimal("30"), service="verification", mandatory=True, category="market_fair")
    b = item_fee(Decimal("80"), service="calibration", mandatory=True, category="market_fair")
    assert fees.totals([a, b]) == (Decimal("110.00"), Decimal("30.00"))
    assert fees.totals([]) == (Decimal("0.00"), Decimal("0.00"))
