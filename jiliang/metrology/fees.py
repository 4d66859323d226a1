"""The fee of one instrument in a service request, and the Fuxin plan's waiver.

Source: 《阜新市计量发展规划（2015—2020年）》 §二.(二).2 (工作目标, 计量监管体制建设更加健全):

    "乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"

Read as a rule: the instruments in use at township clinics (乡镇卫生院), community health service centres
(社区卫生服务中心) and market fairs (集贸市场) are verified free of charge. "检定" is verification, and the free
verification the plan promises is the statutory one, so the waiver covers **mandatory verification** only
(service ``verification`` of an instrument that is under mandatory verification). Calibration (校准) and
verification an owner asks for on an instrument that is not mandatory are charged as scheduled.

The amounts themselves are data (the price authority's schedule, loaded into ``FeeSchedule``), never code.

>>> from decimal import Decimal
>>> item_fee(Decimal("30"), service="verification", mandatory=True, category="market_fair")
ItemFee(fee=Decimal('30.00'), waived=Decimal('30.00'), reason='阜新市计量发展规划（2015—2020年）：集贸市场在用计量器具免费检定')
>>> item_fee(Decimal("30"), service="verification", mandatory=True, category="petrol_station").waived
Decimal('0.00')
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

VERIFICATION = "verification"
CALIBRATION = "calibration"

PLAN = "阜新市计量发展规划（2015—2020年）"
CLAUSE = "乡镇、社区的公益性医疗机构和集贸市场在用计量器具实现免费检定。"

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


def is_waived(*, service: str, mandatory: bool, category: str) -> bool:
    """Whether the plan's free verification applies: mandatory verification at a waived category.

    >>> is_waived(service="verification", mandatory=True, category="township_clinic")
    True
    >>> is_waived(service="calibration", mandatory=True, category="township_clinic")  # calibration is charged
    False
    >>> is_waived(service="verification", mandatory=False, category="market_fair")  # not mandatory: charged
    False
    """
    return service == VERIFICATION and mandatory and category in WAIVED_CATEGORIES


def waiver_reason(category: str) -> str:
    """The reason written on a waived item, citing the plan.

    >>> waiver_reason("community_clinic")
    '阜新市计量发展规划（2015—2020年）：社区卫生服务中心在用计量器具免费检定'
    """
    return f"{PLAN}：{WAIVED_CATEGORIES[category]}在用计量器具免费检定"


def item_fee(amount: Decimal | int | str | None, *, service: str, mandatory: bool, category: str) -> ItemFee:
    """The fee of one instrument: the scheduled ``amount`` (None when the schedule has no row: 0, nothing waived)
    and the plan's waiver (see the module docstring for the clause).

    >>> item_fee(Decimal("80"), service="calibration", mandatory=True, category="market_fair")
    ItemFee(fee=Decimal('80.00'), waived=Decimal('0.00'), reason='')
    >>> item_fee(None, service="verification", mandatory=True, category="market_fair").fee
    Decimal('0.00')
    """
    if service not in (VERIFICATION, CALIBRATION):
        raise ValueError(f"unknown service {service!r}")
    fee = _money(amount)
    if fee and is_waived(service=service, mandatory=mandatory, category=category):
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
