"""Due dates and due states (jiliang.metrology.due)."""

from datetime import date

import pytest

from jiliang.metrology import due


def test_a_periodic_interval_ends_the_day_before_the_same_date():
    assert due.due_date(date(2025, 4, 1), "periodic", 12) == date(2026, 3, 31)


def test_add_months_clamps_to_the_month_end():
    assert due.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert due.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# 《中华人民共和国民法典》 第二百零二条: "按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，
# 月末日为期间的最后一日。" With the day of verification counted as the first day, a period ends the day before
# the anniversary, or on the last day of the month when the anniversary does not exist.
@pytest.mark.parametrize(
    ("verified_on", "months", "due_on"),
    [
        (date(2025, 8, 28), 6, date(2026, 2, 27)),
        (date(2025, 8, 29), 6, date(2026, 2, 28)),
        (date(2025, 8, 30), 6, date(2026, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 28), 6, date(2024, 2, 27)),
        (date(2023, 8, 29), 6, date(2024, 2, 28)),
        (date(2023, 8, 30), 6, date(2024, 2, 29)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
    ],
)
def test_a_period_ends_the_day_before_the_anniversary_or_on_the_last_day_of_a_month_without_one(
    verified_on, months, due_on
):
    assert due.due_date(verified_on, "periodic", months) == due_on
    assert due.due_date(verified_on, "first_only_fixed_life", months) == due_on
    assert due.period_end(verified_on, months) == due_on


def test_fixed_life_gives_a_replacement_date():
    assert due.due_date(date(2020, 1, 15), "first_only_fixed_life", 72) == date(2026, 1, 14)


def test_scrap_mode_has_no_due_date():
    assert due.due_date(date(2020, 1, 15), "first_only_scrap", None) is None


def test_periodic_without_an_interval_is_an_error():
    with pytest.raises(ValueError, match="positive interval"):
        due.due_date(date(2020, 1, 15), "periodic", None)


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="unknown verification mode"):
        due.due_date(date(2020, 1, 15), "sometimes", 12)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [("trade", True), ("other", False), ("medical", False)],
)
def test_mandatory_needs_the_rows_usage(usage, expected):
    assert due.is_mandatory(supervision="P+V", usages=["trade"], mode="periodic", usage=usage) is expected


def test_type_approval_only_is_never_mandatory():
    assert not due.is_mandatory(supervision="P", usages=["trade"], mode="none", usage="trade")


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (date(2025, 6, 9), "overdue"),
        (date(2025, 6, 10), "due_soon"),
        (date(2025, 7, 10), "due_soon"),
        (date(2025, 7, 11), "valid"),
    ],
)
def test_due_state_edges(due_on, expected):
    assert due.due_state(due_on, today=date(2025, 6, 10), soon_days=30) == expected


def test_not_mandatory_is_not_applicable_whatever_the_dates():
    assert due.due_state(date(2000, 1, 1), today=date(2025, 6, 10), mandatory=False) == "na"
