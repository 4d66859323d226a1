"""The statutory clocks of a penalty case and of publication (jiliang.metrology.cases), on the 2026 calendar.

Every expected date below was counted by hand from the State Council General Office's notice on the 2026 holidays
(2025-11-04, as reprinted from Xinhua by 光明网; docs/reference/calendar.md): 元旦 1-3 January, 春节 15-23
February, 清明 4-6 April, 劳动节 1-5 May, 端午 19-21 June, 中秋 25-27 September and 国庆 1-7 October off; Sunday
4 January, Saturday 14 February, Saturday 28 February, Saturday 9 May, Sunday 20 September and Saturday 10 October
worked. The counting is written beside each case: the start day never counts, "(n)" marks the n-th day counted.
Articles: docs/reference/cases.md.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiliang.metrology.cases import (
    ART_DECISION,
    ART_DECISION_EXTENDED,
    ART_FILING,
    ART_HEARING,
    ART_PAYMENT,
    ART_PUBLICATION,
    ART_SERVICE,
    STATE_LABELS,
    CaseClockError,
    Pause,
    clock_state,
    days_late,
    deadline_with_pauses,
    decision_deadline,
    filing_deadline,
    hearing_notice_latest,
    hearing_request_deadline,
    late_payment_surcharge,
    legal_review_deadline,
    payment_deadline,
    penalty_category,
    preservation_decision_deadline,
    publication_deadline,
    publication_end,
    publication_required,
    service_deadline,
    spot_check_publication_deadline,
    summary_procedure_allowed,
    withdrawal_deadline,
)
from jiliang.metrology.draw import add_working_days, is_working_day

CLUE = date(2026, 9, 28)  # a Monday, three days before National Day


# ---- 程序规定 Art. 18: the decision whether to file ----------------------------------------------------------------


def test_filing_is_decided_within_15_working_days_across_national_day():
    # From Mon 28 Sept.: Tue 29 (1), Wed 30 (2); 1-7 Oct. off; Thu 8 (3), Fri 9 (4), Sat 10 worked (5); Sun 11 off;
    # Mon 12 (6), 13 (7), 14 (8), 15 (9), Fri 16 (10); Mon 19 (11), 20 (12), 21 (13), 22 (14), Fri 23 Oct. (15).
    clock = filing_deadline(CLUE, as_of=CLUE)
    assert clock.deadline == date(2026, 10, 23)
    assert clock.kind == "working" and clock.count == 15
    assert clock.article == ART_FILING == "《市场监督管理行政处罚程序规定》第十八条"
    assert clock.provisional_years == () and not clock.paused
    assert (clock.used, clock.left) == (0, 15)


def test_filing_extended_by_the_head_gets_15_more_working_days():
    # After Fri 23 Oct. (15): Mon 26 (16), 27 (17), 28 (18), 29 (19), Fri 30 (20); Mon 2 Nov. (21), 3 (22), 4 (23),
    # 5 (24), Fri 6 (25); Mon 9 (26), 10 (27), 11 (28), 12 (29), Fri 13 Nov. (30).
    assert filing_deadline(CLUE, as_of=CLUE, extended=True).deadline == date(2026, 11, 13)


def test_a_three_day_test_does_not_count_towards_the_filing_clock():
    # Samples at the laboratory from Mon 12 Oct. to the result on Thu 15 Oct.: 12, 13 and 14 Oct. do not count.
    # Tue 29 Sept. (1), Wed 30 (2), Thu 8 Oct. (3), Fri 9 (4), Sat 10 (5); [12, 13, 14 paused]; Thu 15 (6), Fri 16 (7);
    # Mon 19 (8), 20 (9), 21 (10), 22 (11), Fri 23 (12); Mon 26 (13), Tue 27 (14), Wed 28 Oct. (15).
    clock = filing_deadline(CLUE, as_of=date(2026, 10, 13), pauses=[Pause(date(2026, 10, 12), date(2026, 10, 15))])
    assert clock.deadline == date(2026, 10, 28)
    assert clock.paused  # 13 Oct. is inside the test
    assert (clock.used, clock.left) == (5, 10)  # 29, 30 Sept., 8, 9, 10 Oct. used


def test_overlapping_pauses_count_each_day_once():
    # Pauses [12 Oct., 15 Oct.) and [14 Oct., 16 Oct.): 12, 13, 14, 15 Oct. do not count (4 working days).
    # Sat 10 Oct. (5); Fri 16 (6); Mon 19 (7) … Fri 23 (11); Mon 26 (12), 27 (13), 28 (14), Thu 29 Oct. (15).
    pauses = [Pause(date(2026, 10, 12), date(2026, 10, 15)), Pause(date(2026, 10, 14), date(2026, 10, 16))]
    assert filing_deadline(CLUE, as_of=CLUE, pauses=pauses).deadline == date(2026, 10, 29)


def test_a_pause_over_a_weekend_alone_does_not_move_a_working_day_clock():
    # Sat 17 and Sun 18 Oct. are not working days: nothing counted is lost.
    pause = Pause(date(2026, 10, 17), date(2026, 10, 19))
    assert filing_deadline(CLUE, as_of=CLUE, pauses=[pause]).deadline == date(2026, 10, 23)


def test_an_open_pause_leaves_the_deadline_unknown_and_the_clock_stopped():
    # Test started Mon 12 Oct., no result yet on Tue 20 Oct.: used 29, 30 Sept., 8, 9, 10 Oct.
    clock = filing_deadline(CLUE, as_of=date(2026, 10, 20), pauses=[Pause(date(2026, 10, 12))])
    assert clock.deadline is None
    assert clock.paused and (clock.used, clock.left) == (5, 10)
    state = clock_state(clock, today=date(2026, 10, 20))
    assert (state.state, state.days_left, state.deadline) == ("paused", 10, None)
    assert state.label == STATE_LABELS["paused"] == "计时暂停"


def test_a_clue_late_in_2026_reaches_2027_and_is_provisional():
    # From Tue 15 Dec.: 16 (1), 17 (2), Fri 18 (3); 21 (4) … Fri 25 (8); 28 (9), 29 (10), 30 (11), Thu 31 Dec. (12);
    # Fri 1 Jan. 2027 元旦 (statutory day; the 2027 notice is not in the data); Mon 4 (13), Tue 5 (14), Wed 6 Jan. (15).
    clock = filing_deadline(date(2026, 12, 15), as_of=date(2026, 12, 15))
    assert clock.deadline == date(2027, 1, 6)
    assert clock.provisional_years == (2027,)


def test_a_pause_that_ends_before_it_starts_is_refused():
    with pytest.raises(CaseClockError, match="早于开始日"):
        Pause(date(2026, 10, 15), date(2026, 10, 12))


# ---- 行政处罚法 Art. 60 and the 程序规定: the decision ----------------------------------------------------------------


def test_the_decision_is_due_90_calendar_days_after_filing():
    # Filed Wed 4 March: 5-31 March 27 days, April 30 (57), May 31 (88), 1 June (89), Tue 2 June (90), a working day.
    clock = decision_deadline(date(2026, 3, 4), as_of=date(2026, 3, 4))
    assert clock.deadline == date(2026, 6, 2)
    assert clock.kind == "calendar" and clock.article == ART_DECISION and clock.rolled_from is None


def test_the_head_may_extend_the_decision_by_30_days():
    # Tue 2 June (90); 3-30 June 28 days (118); 1 July (119), Thu 2 July (120).
    clock = decision_deadline(date(2026, 3, 4), as_of=date(2026, 3, 4), extended=True)
    assert clock.deadline == date(2026, 7, 2)
    assert clock.article == ART_DECISION_EXTENDED


def test_a_collective_decision_adds_its_own_period():
    # 2 July (120) + 10 days: Sun 12 July, not a working day, so the last day is Mon 13 July.
    clock = decision_deadline(date(2026, 3, 4), as_of=date(2026, 3, 4), extended=True, further_days=10)
    assert (clock.deadline, clock.rolled_from) == (date(2026, 7, 13), date(2026, 7, 12))


def test_a_hearing_does_not_count_towards_the_decision_clock():
    # Hearing from Mon 20 April, clock running again Thu 30 April: 20-29 April (10 days) do not count.
    # 5 March to 12 June is 27 + 30 + 31 + 12 = 100 days, less 10 paused = 90: Fri 12 June.
    clock = decision_deadline(
        date(2026, 3, 4), as_of=date(2026, 4, 25), pauses=[Pause(date(2026, 4, 20), date(2026, 4, 30))]
    )
    assert clock.deadline == date(2026, 6, 12)
    assert clock.paused
    assert clock.used == 27 + 19  # 5-31 March and 1-19 April


def test_a_calendar_deadline_on_a_sunday_moves_to_monday():
    # Filed Mon 2 March: 3-31 March 29 days, April (59), Sun 31 May (90) → Mon 1 June.
    clock = decision_deadline(date(2026, 3, 2), as_of=date(2026, 3, 2))
    assert (clock.deadline, clock.rolled_from) == (date(2026, 6, 1), date(2026, 5, 31))
    assert decision_deadline(date(2026, 3, 2), as_of=date(2026, 3, 2), roll_forward=False).deadline == date(2026, 5, 31)


# ---- 行政处罚法 Arts. 56, 58, 61, 64 with Art. 85 (working days) --------------------------------------------------


def test_preserved_evidence_is_decided_within_7_working_days():
    # From Thu 24 Sept.: 25-27 Sept. 中秋 off; Mon 28 (1), 29 (2), Wed 30 (3); 1-7 Oct. off; Thu 8 (4), Fri 9 (5),
    # Sat 10 worked (6), Mon 12 Oct. (7).
    clock = preservation_decision_deadline(date(2026, 9, 24))
    assert clock.deadline == date(2026, 10, 12) and clock.kind == "working" and clock.count == 7


def test_the_decision_is_served_within_7_working_days_across_the_spring_festival():
    # Decided Wed 11 Feb.: Thu 12 (1), Fri 13 (2), Sat 14 worked (3); 15-23 Feb. off; Tue 24 (4), 25 (5), 26 (6),
    # Fri 27 Feb. (7).
    clock = service_deadline(date(2026, 2, 11))
    assert clock.deadline == date(2026, 2, 27)
    assert clock.article == ART_SERVICE


def test_a_hearing_is_requested_within_5_working_days_across_labour_day():
    # Notified Wed 29 April: Thu 30 (1); 1-5 May off; Wed 6 (2), Thu 7 (3), Fri 8 (4), Sat 9 May worked (5).
    clock = hearing_request_deadline(date(2026, 4, 29))
    assert clock.deadline == date(2026, 5, 9)
    assert clock.article == ART_HEARING


def test_the_hearing_notice_goes_out_7_working_days_before_the_hearing():
    # Hearing Wed 13 May, counting back: Tue 12 (1), Mon 11 (2), Sun 10 off, Sat 9 worked (3), Fri 8 (4), Thu 7 (5),
    # Wed 6 (6); 1-5 May off; Thu 30 April (7).
    clock = hearing_notice_latest(date(2026, 5, 13))
    assert clock.deadline == date(2026, 4, 30)
    assert clock.start == date(2026, 5, 13)


def test_the_legal_review_takes_10_working_days_by_default():
    # From Mon 28 Sept.: 29 (1), 30 (2), 8 Oct. (3), 9 (4), Sat 10 (5), 12 (6), 13 (7), 14 (8), 15 (9), Fri 16 (10).
    assert legal_review_deadline(CLUE).deadline == date(2026, 10, 16)
    assert legal_review_deadline(CLUE, days=5).deadline == date(2026, 10, 10)


# ---- 行政处罚法 Arts. 67 and 72: payment and the surcharge ------------------------------------------------------------


def test_the_fine_is_paid_within_15_days_of_service():
    # Served Mon 1 June: 2-16 June is 15 days; Tue 16 June is a working day.
    clock = payment_deadline(date(2026, 6, 1))
    assert clock.deadline == date(2026, 6, 16)
    assert clock.kind == "calendar" and clock.article == ART_PAYMENT


def test_a_payment_deadline_on_national_day_moves_past_the_holiday():
    # Served Wed 16 Sept.: 17-30 Sept. 14 days, Thu 1 Oct. (15), off until 7 Oct. → Thu 8 Oct.
    clock = payment_deadline(date(2026, 9, 16))
    assert (clock.deadline, clock.rolled_from) == (date(2026, 10, 8), date(2026, 10, 1))


@pytest.mark.parametrize(
    ("paid_on", "late", "surcharge"),
    [
        (date(2026, 6, 16), 0, "0.00"),  # on the last day
        (date(2026, 6, 17), 1, "300.00"),  # 3 % of 10,000
        (date(2026, 6, 26), 10, "3000.00"),  # 30 %
        (date(2026, 7, 19), 33, "9900.00"),  # 14 days in June + 19 in July; 99 %
        (date(2026, 7, 20), 34, "10000.00"),  # 102 %: capped at the fine
        (date(2026, 7, 26), 40, "10000.00"),  # 14 + 26 days; 120 %: capped at the fine
    ],
)
def test_the_surcharge_is_3_percent_a_day_capped_at_the_fine(paid_on, late, surcharge):
    due = date(2026, 6, 16)
    assert days_late(due, paid_on) == late
    assert late_payment_surcharge(Decimal("10000"), due_on=due, paid_on=paid_on) == Decimal(surcharge)


def test_the_surcharge_is_rounded_to_the_fen():
    # 333.33 × 3 % = 9.9999 → 10.00; 12.35 × 3 % = 0.3705 → 0.37
    assert late_payment_surcharge("333.33", due_on=date(2026, 6, 16), paid_on=date(2026, 6, 17)) == Decimal("10.00")
    assert late_payment_surcharge("12.35", due_on=date(2026, 6, 16), paid_on=date(2026, 6, 17)) == Decimal("0.37")


def test_a_negative_fine_is_refused():
    with pytest.raises(CaseClockError, match="不是金额"):
        late_payment_surcharge("-1", due_on=date(2026, 6, 16), paid_on=date(2026, 6, 17))


# ---- 行政处罚法 Art. 51: summary procedure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fine", "party", "allowed"),
    [
        (0, "person", True),  # a warning
        (200, "person", True),
        ("200.01", "person", False),
        (3000, "person", False),
        (Decimal("3000"), "organisation", True),
        ("3000.01", "organisation", False),
    ],
)
def test_summary_procedure_ceilings(fine, party, allowed):
    assert summary_procedure_allowed(fine, party=party) is allowed


def test_summary_procedure_needs_a_known_party():
    with pytest.raises(CaseClockError):
        summary_procedure_allowed(100, party="company")


# ---- 总局令第45号: publication ------------------------------------------------------------------------------------------


def test_a_penalty_is_published_within_20_working_days_across_national_day():
    # Decided Mon 21 Sept.: 22 (1), 23 (2), Thu 24 (3); 25-27 off; Mon 28 (4), 29 (5), Wed 30 (6); 1-7 Oct. off;
    # Thu 8 (7), Fri 9 (8), Sat 10 (9); Mon 12 (10) … Fri 16 (14); Mon 19 (15) … Fri 23 (19); Mon 26 Oct. (20).
    clock = publication_deadline(date(2026, 9, 21), category="other")
    assert clock is not None
    assert clock.deadline == date(2026, 10, 26) and clock.article == ART_PUBLICATION


def test_a_warning_alone_is_not_published():
    assert not publication_required("warning_only")
    assert publication_deadline(date(2026, 9, 21), category="warning_only") is None
    assert publication_required("criticism") and publication_required("small_fine") and publication_required("other")


def test_a_revoked_decision_is_withdrawn_within_3_working_days():
    # Revoked Wed 30 Sept.: 1-7 Oct. off; Thu 8 (1), Fri 9 (2), Sat 10 Oct. worked (3).
    assert withdrawal_deadline(date(2026, 9, 30)).deadline == date(2026, 10, 10)


@pytest.mark.parametrize(
    ("published", "category", "last_day"),
    [
        (date(2026, 3, 15), "small_fine", date(2026, 6, 15)),  # the same day three months on
        (date(2026, 1, 31), "small_fine", date(2026, 4, 30)),  # no 31 April: the month's last day
        (date(2026, 1, 31), "criticism", date(2026, 4, 30)),
        (date(2027, 11, 30), "small_fine", date(2028, 2, 29)),  # no 30 Feb.: 29 Feb. in a leap year
        (date(2026, 1, 31), "other", date(2029, 1, 31)),  # three years
        (date(2028, 2, 29), "other", date(2031, 2, 28)),  # no 29 Feb. 2031
    ],
)
def test_publication_ends_after_3_months_or_3_years(published, category, last_day):
    end = publication_end(published, category=category)
    assert end.deadline == last_day
    assert end.kind == "months" and end.provisional_years == ()


def test_the_publication_category_takes_the_small_fine_threshold_from_the_caller():
    common = {"warning": True, "criticism": False, "other": False}
    assert penalty_category(fine=0, small_fine_limit=10000, **common) == "warning_only"
    assert penalty_category(fine=10000, small_fine_limit=10000, **common) == "small_fine"
    assert penalty_category(fine="10000.01", small_fine_limit=10000, **common) == "other"
    assert penalty_category(fine=0, small_fine_limit=0, warning=False, criticism=True, other=False) == "criticism"
    assert penalty_category(fine=100, small_fine_limit=10000, warning=False, criticism=False, other=True) == "other"
    with pytest.raises(TypeError):
        penalty_category(fine=100, warning=False, criticism=False, other=False)  # type: ignore[call-arg]
    with pytest.raises(CaseClockError):
        penalty_category(fine=0, small_fine_limit=100, warning=False, criticism=False, other=False)


def test_spot_check_results_are_published_within_20_working_days_by_default():
    # Result Thu 30 April: 1-5 May off; Wed 6 (1), 7 (2), 8 (3), Sat 9 worked (4); Mon 11 (5) … Fri 15 (9);
    # Mon 18 (10) … Fri 22 (14); Mon 25 (15) … Fri 29 (19); Mon 1 June (20).
    assert spot_check_publication_deadline(date(2026, 4, 30)).deadline == date(2026, 6, 1)
    # With 5 days: Wed 6 (1), Thu 7 (2), Fri 8 (3), Sat 9 (4), Mon 11 May (5).
    assert spot_check_publication_deadline(date(2026, 4, 30), days=5).deadline == date(2026, 5, 11)


# ---- The display state ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "left"),
    [
        (date(2026, 10, 9), "ok", 11),  # Sat 10, 12-16, 19-23 Oct.
        (date(2026, 10, 20), "near", 3),  # 21, 22, 23 Oct.
        (date(2026, 10, 23), "due_today", 0),
        (date(2026, 10, 24), "overdue", -1),  # a Saturday: [23, 24) holds one working day
        (date(2026, 10, 27), "overdue", -2),  # [23, 27): Fri 23 and Mon 26
    ],
)
def test_the_state_of_a_working_day_clock(today, state, left):
    result = clock_state(filing_deadline(CLUE, as_of=CLUE), today=today)
    assert (result.state, result.days_left) == (state, left)
    assert result.label == STATE_LABELS[state]
    assert result.article == ART_FILING and result.kind == "working"


@pytest.mark.parametrize(
    ("today", "state", "left"),
    [
        (date(2026, 6, 10), "ok", 6),  # working days 11, 12, 15, 16 June: 4 > 3
        (date(2026, 6, 12), "near", 4),  # working days 15, 16 June: 2
        (date(2026, 6, 16), "due_today", 0),
        (date(2026, 6, 20), "overdue", -4),
    ],
)
def test_the_state_of_a_calendar_day_clock_counts_calendar_days(today, state, left):
    result = clock_state(payment_deadline(date(2026, 6, 1)), today=today)
    assert (result.state, result.days_left) == (state, left)


def test_near_is_a_parameter():
    # On Mon 19 Oct., 4 working days to Fri 23 Oct. (20, 21, 22, 23).
    deadline = filing_deadline(CLUE, as_of=CLUE)
    assert clock_state(deadline, today=date(2026, 10, 19)).state == "ok"
    assert clock_state(deadline, today=date(2026, 10, 19), near=4).state == "near"


def test_a_state_reaching_an_unconfirmed_year_is_provisional():
    deadline = filing_deadline(date(2026, 12, 15), as_of=date(2026, 12, 15))
    assert clock_state(deadline, today=date(2026, 12, 20)).provisional_years == (2027,)
    assert clock_state(filing_deadline(CLUE, as_of=CLUE), today=CLUE).provisional_years == ()


# ---- Properties -------------------------------------------------------------------------------------------------

starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 10, 31))
counts = st.integers(min_value=0, max_value=40)
kinds = st.sampled_from(["working", "calendar"])


@given(start=starts, count=counts, kind=kinds, offset=st.integers(min_value=-5, max_value=60))
def test_a_pause_of_length_zero_changes_nothing(start, count, kind, offset):
    day = start + timedelta(days=offset)
    plain = deadline_with_pauses(start, count, kind=kind, as_of=start)
    paused = deadline_with_pauses(start, count, kind=kind, as_of=start, pauses=[Pause(day, day)])
    assert paused.deadline == plain.deadline


@given(start=starts, count=counts, kind=kinds)
def test_a_deadline_is_a_working_day(start, count, kind):
    # Working-day clocks land on a working day by construction, calendar-day clocks by moving forward; a clock
    # of 0 days ends on its own start day, which may be any day.
    deadline = deadline_with_pauses(start, count, kind=kind, as_of=start).deadline
    assert deadline is not None
    assert (count == 0 and kind == "working") or is_working_day(deadline)


@given(start=starts, count=counts)
def test_without_pauses_a_working_day_clock_is_add_working_days(start, count):
    assert deadline_with_pauses(start, count, kind="working", as_of=start).deadline == add_working_days(start, count)


@given(start=starts, count=st.integers(min_value=1, max_value=40), kind=kinds, data=st.data())
def test_a_pause_never_brings_a_deadline_earlier(start, count, kind, data):
    begin = start + timedelta(days=data.draw(st.integers(min_value=-5, max_value=60)))
    end = begin + timedelta(days=data.draw(st.integers(min_value=0, max_value=20)))
    plain = deadline_with_pauses(start, count, kind=kind, as_of=start).deadline
    paused = deadline_with_pauses(start, count, kind=kind, as_of=start, pauses=[Pause(begin, end)]).deadline
    assert plain is not None and paused is not None
    assert paused >= plain
    if begin > plain:  # a pause after the deadline changes nothing
        assert paused == plain


@given(start=starts, count=counts)
def test_without_pauses_or_rolling_a_calendar_day_clock_adds_days(start, count):
    clock = deadline_with_pauses(start, count, kind="calendar", as_of=start, roll_forward=False)
    assert clock.deadline == start + timedelta(days=count)
