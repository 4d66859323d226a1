"""The coverage rule (jiliang.metrology.coverage): which due states are covered, the exact share, the stored
figure rounded half up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiliang.metrology import coverage
from jiliang.metrology.due import DueState


def test_valid_and_due_soon_are_covered_overdue_and_never_are_not_and_not_mandatory_is_not_counted():
    counts = {
        DueState.VALID: 7,
        DueState.DUE_SOON: 2,
        DueState.OVERDUE: 4,
        DueState.NEVER: 3,
        DueState.NOT_APPLICABLE: 9,
    }
    assert coverage.covered_and_counted(counts) == (9, 16)
    assert coverage.coverage(counts) == Decimal("56.25")


def test_missing_states_count_as_none():
    assert coverage.covered_and_counted({"valid": 3}) == (3, 3)
    assert coverage.coverage({"valid": 3}) == 100


def test_nothing_to_cover_has_no_figure():
    assert coverage.coverage({}) is None
    assert coverage.share(0, 0) is None
    assert coverage.percent(5, 0) is None


@pytest.mark.parametrize(
    ("part", "whole", "figure"),
    [
        (1, 32, "3.13"),  # 3.125: half up, not half even
        (3, 32, "9.38"),  # 9.375
        (2, 3, "66.67"),
        (1, 3, "33.33"),
        (0, 4, "0.00"),
        (4, 4, "100.00"),
    ],
)
def test_the_stored_figure_is_rounded_half_up_to_two_decimals(part, whole, figure):
    assert coverage.percent(part, whole) == Decimal(figure)
    assert str(coverage.percent(part, whole)) == figure


def test_the_share_is_exact_before_rounding():
    # The home page shows it to one decimal: 12.346 must read 12.3, not 12.35 rounded again to 12.4.
    assert coverage.share(12346, 100000) == Decimal("12.346")
