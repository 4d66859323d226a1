"""The fee of one instrument in a service request, as the law stood on the request's date.

Three rules, each for its own dates:

1. **Mandatory verification is free from 1 April 2017.** 财税〔2017〕20号 (财政部、国家发展改革委) stopped,
   nationwide from 2017-04-01, the fee for the mandatory verification of measuring instruments (强制检定计量器具
   检定费); 国质检财函〔2017〕140号 (原国家质检总局) is on its implementation. Since then the institutes' mandatory
   verification is paid from public budgets: service ``verification`` of an instrument under mandatory
   verification costs nothing, for every owner.
2. **What is still charged**: calibration (校准) and verification an owner asks for on an instrument that is not
   under mandatory verification, at the city's price list (``FeeSchedule``: an amount per catalog item and service,
   with its basis and the date it takes effect). The amounts are data, never code.
3. **Before 1 April 2017, the Fuxin plan's waiver.** 《阜新市计量发展规划（2015—2020年）》 §二.(二).2 (工作目标,
   计量监管体制建设更加健全):

       "乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"

   Read as a rule: the instruments in use at township clinics (乡镇卫生院), community health service centres
   (社区卫生服务中心) and market fairs (集贸市场) are verified free of charge. "检定" is verification, and the free
   verification the plan promises is the statutory one, so the waiver covers **mandatory verification** only.
   Mandatory verification elsewhere was charged at the price list until 31 March 2017. From 1 April 2017 rule 1
   makes all mandatory verification free and the plan's waiver has nothing left to waive.

Every function takes the date the fee is for (a request's date of submission), so that a request, and the Fuxin
indicator on free verification, are computed with the rule that applied on each date.

>>> from datetime import date
>>> from decimal import Decimal
>>> item_fee(Decimal("30"), service="verification", mandatory=True, category="market_fair", day=date(2017, 3, 31))
ItemFee(fee=Decimal('30.00'), waived=Decimal('30.00'), reason='阜新市计量发展规划（2015—2020年）：集贸市场在用计量器具免费检定')
>>> item_fee(Decimal("150"), service="verification", mandatory=True, category="petrol_station",
...          day=date(2017, 3, 31)).payable
Decimal('150.00')
>>> item_fee(Decimal("150"), service="verification", mandatory=True, category="petrol_station",
...          day=date(2017, 4, 1))
ItemFee(fee=Decimal('0.00'), waived=Decimal('0.00'), reason='强制检定免费（财税〔2017〕20号，2017年4月1日起）')
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

VERIFICATION = "verification"
CALIBRATION = "calibration"

PLAN = "阜新市计量发展规划（2015—2020年）"
CLAUSE = "乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"

# Rule 1: the stop of the mandatory-verification fee.
FREE_FROM = date(2017, 4, 1)
FREE_DOCUMENT = "财税〔2017〕20号"
FREE_IMPLEMENTATION = "国质检财函〔2017〕140号"
FREE_REASON = "强制检定免费（财税〔2017〕20号，2017年4月1日起）"

# Organization categories (``Organization.Category`` values) whose in-use instruments are verified free,
# with the words the reason uses for each.
WAIVED_CATEGORIES: dict[str, str] = {
    "township_clinic": "乡镇卫生院",
    "community_clinic": "社区卫生服务中心",
    "market_fair": "集贸市场",
}

CENT = Decimal("0.01")


class ItemFee(NamedTuple):
    """``fee``: the scheduled amount; ``waived``: the part not charged (all of it or nothing); ``reason``: why."""

    fee: Decimal
    waived: Decimal
    reason: str

    @property
    def payable(self) -> Decimal:
        return self.fee - self.waived


def _money(value: Decimal | int | str | None) -> Decimal:
    if value is None:
        return Decimal("0.00")
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"a fee must be a non-negative amount, got {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def is_free(*, service: str, mandatory: bool, day: date) -> bool:
    """Whether the fee for mandatory verification is stopped on ``day`` (财税〔2017〕20号, from 2017-04-01).

    >>> is_free(service="verification", mandatory=True, day=date(2017, 4, 1))
    True
    >>> is_free(service="verification", mandatory=True, day=date(2017, 3, 31))  # charged until then
    False
    >>> is_free(service="verification", mandatory=False, day=date(2025, 1, 1))  # not mandatory: charged
    False
    >>> is_free(service="calibration", mandatory=True, day=date(2025, 1, 1))  # calibration is charged
    False
    """
    return service == VERIFICATION and mandatory and day >= FREE_FROM


def is_waived(*, service: str, mandatory: bool, category: str, day: date) -> bool:
    """Whether the Fuxin plan's free verification applies on ``day``: mandatory verification at a waived category,
    before 2017-04-01 (from then on :func:`is_free` covers every owner).

    >>> is_waived(service="verification", mandatory=True, category="township_clinic", day=date(2017, 3, 31))
    True
    >>> is_waived(service="verification", mandatory=True, category="township_clinic", day=date(2017, 4, 1))
    False
    >>> is_waived(service="calibration", mandatory=True, category="township_clinic", day=date(2016, 1, 1))
    False
    >>> is_waived(service="verification", mandatory=False, category="market_fair", day=date(2016, 1, 1))
    False
    """
    return service == VERIFICATION and mandatory and category in WAIVED_CATEGORIES and day < FREE_FROM


def is_free_of_charge(*, service: str, mandatory: bool, category: str, day: date) -> bool:
    """Whether the item costs its owner nothing on ``day`` under either free rule: what the Fuxin indicator on
    free verification counts, each request with the rule of its own date.

    >>> is_free_of_charge(service="verification", mandatory=True, category="market_fair", day=date(2016, 5, 1))
    True
    >>> is_free_of_charge(service="verification", mandatory=True, category="petrol_station", day=date(2016, 5, 1))
    False
    >>> is_free_of_charge(service="verification", mandatory=True, category="petrol_station", day=date(2017, 4, 1))
    True
    """
    return is_free(service=service, mandatory=mandatory, day=day) or is_waived(
        service=service, mandatory=mandatory, category=category, day=day
    )


def waiver_reason(category: str) -> str:
    """The reason written on a waived item, citing the plan.

    >>> waiver_reason("community_clinic")
    '阜新市计量发展规划（2015—2020年）：社区卫生服务中心在用计量器具免费检定'
    """
    return f"{PLAN}：{WAIVED_CATEGORIES[category]}在用计量器具免费检定"


def item_fee(amount: Decimal | int | str | None, *, service: str, mandatory: bool, category: str, day: date) -> ItemFee:
    """The fee of one instrument on ``day``: the scheduled ``amount`` (None when the price list has no row: 0,
    nothing waived) and the rule of that date (see the module docstring for the documents).

    Free mandatory verification (from 2017-04-01) has no fee at all: fee and waived are 0 and the reason says why.
    The Fuxin waiver (before) keeps the scheduled fee and waives all of it. Anything else is charged.

    >>> item_fee(Decimal("80"), service="calibration", mandatory=True, category="market_fair", day=date(2025, 1, 1))
    ItemFee(fee=Decimal('80.00'), waived=Decimal('0.00'), reason='')
    >>> item_fee(Decimal("30"), service="verification", mandatory=False, category="market_fair",
    ...          day=date(2025, 1, 1)).payable
    Decimal('30.00')
    >>> item_fee(None, service="verification", mandatory=True, category="market_fair", day=date(2016, 1, 1)).fee
    Decimal('0.00')
    >>> item_fee(None, service="verification", mandatory=True, category="market_fair", day=date(2025, 1, 1)).reason
    '强制检定免费（财税〔2017〕20号，2017年4月1日起）'
    """
    if service not in (VERIFICATION, CALIBRATION):
        raise ValueError(f"unknown service {service!r}")
    fee = _money(amount)
    if is_free(service=service, mandatory=mandatory, day=day):
        return ItemFee(Decimal("0.00"), Decimal("0.00"), FREE_REASON)
    if fee and is_waived(service=service, mandatory=mandatory, category=category, day=day):
        return ItemFee(fee, fee, waiver_reason(category))
    return ItemFee(fee, Decimal("0.00"), "")


def totals(fees: list[ItemFee] | tuple[ItemFee, ...]) -> tuple[Decimal, Decimal]:
    """The request's total fee and total waived.

    >>> totals([ItemFee(Decimal("30.00"), Decimal("30.00"), "x"), ItemFee(Decimal("80.00"), Decimal("0.00"), "")])
    (Decimal('110.00'), Decimal('30.00'))
    """
    fee = sum((f.fee for f in fees), Decimal("0.00"))
    waived = sum((f.waived for f in fees), Decimal("0.00"))
    return fee, waived
