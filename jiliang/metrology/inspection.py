"""The test draw of an on-site inspection (现场付油试验): is a dispenser's delivery within its MPE?

An inspector draws a nominal volume (20 L, or 1 L per grade; supervision.md §2) from a fuel dispenser into a standard
metal can (标准金属量器) and reads the can. The dispenser's indication is the volume it claims to have delivered; the
can gives the actual volume. The error of indication, relative to the actual (the conventional true) value, is

    E % = (V_indicated − V_actual) / V_actual × 100

(JJF 1001-2011, 示值误差 and 相对误差: the indication minus the reference value, relative to the reference value).
A positive error means the station delivered less than it charged for.

The error is rounded to 0.001 % (the precision the inspection stores) by GB/T 8170-2008 clause 3.3 (round half to
even, ``jiliang.metrology.verification.round_to``), and the draw passes when |E| ≤ MPE: an error exactly on the MPE
passes. The MPE is data on the trade's checklist (``Checklist.test_draw_mpe_percent``); for fuel dispensers the
value commonly quoted is ±0.30 % (JJG 443 for fuel dispensers, from memory — **unconfirmed**, supervision.md §2), so
it is a parameter and :data:`FUEL_DISPENSER_MPE_PERCENT` only its default. Arithmetic is decimal throughout.

Not covered: the can's own correction (temperature, its certificate's volume at 20 °C); the caller enters the can's
reading already corrected, as the procedure on site does.

Worked examples (ours): 20 L shown, the can reads 19.95 L, +0.251 %, a pass; 19.90 L, +0.503 %, a fail.

>>> draw = judge_test_draw(indicated="20", actual="19.95")
>>> draw.error_percent, draw.passed
(Decimal('0.251'), True)
>>> failing = judge_test_draw(indicated="20", actual="19.90")
>>> failing.error_percent, failing.passed
(Decimal('0.503'), False)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .verification import Number, round_to, to_decimal

# ±0.30 % for fuel dispensers: supervision.md §2, unconfirmed (the checklist's data overrides it).
FUEL_DISPENSER_MPE_PERCENT = Decimal("0.30")
# The error is stored and judged at this interval, in percent.
ERROR_RESOLUTION_PERCENT = Decimal("0.001")


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (Django's ``makemessages`` extracts this name)."""
    return message


class TestDrawError(ValueError):
    """An input a test draw cannot be judged with; ``msgid`` is the Chinese message for the caller to translate.

    >>> str(TestDrawError(gettext_noop("标准量器实际值应大于零")))
    '标准量器实际值应大于零'
    """

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, msgid: str, field: str = "") -> None:
        self.msgid = msgid
        self.field = field
        super().__init__(msgid)


@dataclass(frozen=True)
class TestDrawResult:
    """A judged test draw: the inputs, the exact error, the rounded error that is judged, the MPE and the verdict."""

    __test__ = False

    indicated: Decimal
    actual: Decimal
    mpe_percent: Decimal
    exact_error_percent: Decimal
    error_percent: Decimal
    passed: bool


def _value(value: Number, field: str, msgid: str) -> Decimal:
    try:
        number = to_decimal(value, field)
    except ValueError:
        raise TestDrawError(msgid, field) from None
    if number <= 0:
        raise TestDrawError(msgid, field)
    return number


def error_percent(indicated: Number, actual: Number) -> Decimal:
    """The relative error of indication in percent, rounded to 0.001 % half to even (GB/T 8170-2008 3.3).

    >>> error_percent("20", "19.95"), error_percent("20", "20.05"), error_percent("1", "1")
    (Decimal('0.251'), Decimal('-0.249'), Decimal('0.000'))
    """
    shown = _value(indicated, "indicated", gettext_noop("示值应为大于零的数"))
    real = _value(actual, "actual", gettext_noop("标准量器实际值应为大于零的数"))
    return round_to((shown - real) / real * 100, ERROR_RESOLUTION_PERCENT)


def judge_test_draw(
    indicated: Number, actual: Number, mpe_percent: Number = FUEL_DISPENSER_MPE_PERCENT
) -> TestDrawResult:
    """Judge one test draw against ``mpe_percent`` (a magnitude in percent: 0.30 means ±0.30 %).

    The rounded error is judged, so against ±0.30 % an error of 0.3004 % (rounded 0.300 %) passes, and 0.3005 %
    (rounded half to even to 0.300 %) too, while 0.3006 % (0.301 %) fails (a can reading 100 L, for round figures):

    >>> [(str(d.error_percent), d.passed) for d in (judge_test_draw(shown, "100", "0.30")
    ...     for shown in ("100.3004", "100.3005", "100.3006"))]
    [('0.300', True), ('0.300', True), ('0.301', False)]
    >>> judge_test_draw("20", "0")
    Traceback (most recent call last):
    ...
    jiliang.metrology.inspection.TestDrawError: 标准量器实际值应为大于零的数
    """
    shown = _value(indicated, "indicated", gettext_noop("示值应为大于零的数"))
    real = _value(actual, "actual", gettext_noop("标准量器实际值应为大于零的数"))
    mpe = _value(mpe_percent, "mpe_percent", gettext_noop("最大允许误差应为大于零的百分数"))
    exact = (shown - real) / real * 100
    rounded = round_to(exact, ERROR_RESOLUTION_PERCENT)
    return TestDrawResult(
        indicated=shown,
        actual=real,
        mpe_percent=mpe,
        exact_error_percent=exact,
        error_percent=rounded,
        passed=abs(rounded) <= mpe,
    )
