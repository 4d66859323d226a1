"""Each clock of a penalty case, on a case, on the 2026 calendar, with its article.

The expected dates are worked out by hand from the State Council's 2026 notice (国办发明电〔2025〕号 of 2025-11-04):
春节 15–23 February, 劳动节 1–5 May, 中秋节 25–27 September, 国庆节 1–7 October are off; 4 January, 14 and 28
February, 9 May, 20 September and 10 October (a Saturday) are worked. A clock's start day never counts. They are
never computed with the function under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.supervision.models import Case, CasePause, Publication
from jiliang.supervision.selectors import cases as selectors
from jiliang.supervision.services import cases as services

from ..builders.supervision import CASE_BASES, cases_filed, cases_open


def clocks_of(case, today):
    case.refresh_from_db()
    return {c.code: c for c in selectors.case_clocks(case, today=today)}


def file(city, world, case, on):
    with clock.travel(on):
        return services.case_file(
            actor=city.county_regulator_a,
            case_id=case.pk,
            filed_on=on,
            officer_ids=[world.inspectors[0].pk, world.inspectors[1].pk],
            basis_codes=CASE_BASES,
        )


# Filing, 程序规定 Art. 18: 15 working days from the clue. Clue Monday 2026-09-28:
# 29 Sep (1), 30 Sep (2), [1-7 Oct off], 8 Oct (3), 9 Oct (4), Sat 10 Oct worked (5), 12-16 Oct (6-10),
# 19-23 Oct (11-15) → Friday 2026-10-23.
FILING_BY = date(2026, 10, 23)


def test_a_clue_received_on_28_september_must_be_filed_by_23_october(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    filing = clocks_of(case, date(2026, 10, 20))["filing"]
    assert filing.deadline == FILING_BY
    assert filing.article == "《市场监督管理行政处罚程序规定》第十八条"
    assert filing.kind == "working" and filing.count == 15
    # 20 Oct: 21, 22, 23 Oct left — three working days: near its limit.
    assert (filing.state, filing.days_left) == ("near", 3)
    assert clocks_of(case, date(2026, 10, 9))["filing"].state == "ok"
    assert clocks_of(case, FILING_BY)["filing"].state == "due_today"
    assert clocks_of(case, date(2026, 10, 26))["filing"].state == "overdue"


def test_filing_on_the_last_day_is_accepted(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    document = file(city, world, case, FILING_BY)
    case.refresh_from_db()
    assert case.status == Case.Status.FILED and case.filed_on == FILING_BY
    assert document.kind == "filing"
    filing = clocks_of(case, date(2026, 11, 2))["filing"]
    assert filing.met_on == FILING_BY and not filing.late and filing.state == "done"


def test_a_filing_after_the_deadline_is_refused_with_the_date(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with pytest.raises(DomainError) as refused:
        file(city, world, case, date(2026, 10, 26))
    assert "2026-10-23" in refused.value.message and "第十八条" in refused.value.message
    case.refresh_from_db()
    assert case.status == Case.Status.CLUE and not case.documents.exists()


def test_a_testing_pause_moves_the_filing_deadline(city, world):
    # Testing from Monday 12 October to Thursday 15 October: 12, 13, 14 Oct do not count (15 Oct counts again).
    # 29, 30 Sep (1-2), 8, 9, 10 Oct (3-5), [12-14 paused], 15, 16 Oct (6-7), 19-23 Oct (8-12), 26, 27, 28 Oct
    # (13-15) → Wednesday 2026-10-28.
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 12)):
        services.case_pause(
            actor=city.county_regulator_a,
            case_id=case.pk,
            kind=CasePause.Kind.TESTING,
            started_on=date(2026, 10, 12),
            reason="送检电子计价秤",
        )
    paused = clocks_of(case, date(2026, 10, 13))["filing"]
    assert paused.state == "paused" and paused.deadline is None
    assert any("送检电子计价秤" in reason for reason in paused.pause_reasons)
    with clock.travel(date(2026, 10, 15)):
        services.case_resume(actor=city.county_regulator_a, case_id=case.pk, ended_on=date(2026, 10, 15))
    assert clocks_of(case, date(2026, 10, 20))["filing"].deadline == date(2026, 10, 28)
    file(city, world, case, date(2026, 10, 28))
    case.refresh_from_db()
    assert case.filed_on == date(2026, 10, 28)


def test_an_open_pause_refuses_the_filing(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 12)):
        services.case_pause(
            actor=city.county_regulator_a,
            case_id=case.pk,
            kind=CasePause.Kind.TESTING,
            started_on=date(2026, 10, 12),
            reason="送检",
        )
    with pytest.raises(DomainError):
        file(city, world, case, date(2026, 10, 13))


def test_the_heads_extension_adds_fifteen_working_days(city, world):
    # 23 Oct (15), 26-30 Oct (16-20), 2-6 Nov (21-25), 9-13 Nov (26-30) → Friday 2026-11-13.
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 20)):
        services.case_extend(actor=city.county_regulator_a, case_id=case.pk, which="filing", reason="案情复杂")
    assert clocks_of(case, date(2026, 10, 20))["filing"].deadline == date(2026, 11, 13)
    file(city, world, case, date(2026, 11, 13))


def _notify(city, case, on, *, fine="20000"):
    with clock.travel(on):
        services.case_review(actor=city.county_regulator_a, case_id=case.pk, started_on=on)
        return services.case_notify(
            actor=city.county_regulator_a, case_id=case.pk, notified_on=on, penalty="fine", fine=fine
        )


def test_decision_within_ninety_days_with_a_hearing_pause(city, world):
    # Filed Wednesday 2026-03-04. 行政处罚法 Art. 60: 90 calendar days: 5-31 March (27), April (30: 57), May (31: 88),
    # 1 June (89), 2 June (90) → Tuesday 2026-06-02.
    case = cases_filed(city, world, clue_received_on=date(2026, 3, 2), filed_on=date(2026, 3, 4))
    decision = clocks_of(case, date(2026, 3, 20))["decision"]
    assert decision.deadline == date(2026, 6, 2)
    assert decision.article == "《行政处罚法》第六十条" and decision.kind == "calendar" and decision.count == 90
    # Notified Monday 30 March; the hearing requested on 1 April, the hearing on 15 April: 1-14 April (14 days) do
    # not count → 2 June + 14 days = Tuesday 2026-06-16.
    _notify(city, case, date(2026, 3, 30))
    with clock.travel(date(2026, 4, 1)):
        services.case_hearing(
            actor=city.county_regulator_a,
            case_id=case.pk,
            requested_on=date(2026, 4, 1),
            hearing_on=date(2026, 4, 15),
            notice_sent_on=date(2026, 4, 1),
        )
    decision = clocks_of(case, date(2026, 5, 1))["decision"]
    assert decision.deadline == date(2026, 6, 16)
    assert any("听证" in reason for reason in decision.pause_reasons)
    with clock.travel(date(2026, 6, 17)), pytest.raises(DomainError) as refused:
        services.case_decide(
            actor=city.county_regulator_a, case_id=case.pk, decided_on=date(2026, 6, 17), penalty="fine", fine="20000"
        )
    assert "2026-06-16" in refused.value.message
    with clock.travel(date(2026, 6, 16)):
        services.case_decide(
            actor=city.county_regulator_a, case_id=case.pk, decided_on=date(2026, 6, 16), penalty="fine", fine="20000"
        )
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED


def test_the_decision_extension_adds_thirty_days(city, world):
    # 2 June + 30 days = Thursday 2 July 2026.
    case = cases_filed(city, world, clue_received_on=date(2026, 3, 2), filed_on=date(2026, 3, 4))
    with clock.travel(date(2026, 5, 20)):
        services.case_extend(actor=city.county_regulator_a, case_id=case.pk, which="decision", reason="案情复杂")
    decision = clocks_of(case, date(2026, 5, 20))["decision"]
    assert decision.deadline == date(2026, 7, 2)
    assert "《市场监督管理行政处罚程序规定》" in decision.article


def test_the_hearing_request_clock_skips_labour_day(city, world):
    # Notified Wednesday 29 April: 30 April (1), [1-5 May off], 6 May (2), 7 May (3), 8 May (4), Sat 9 May worked
    # (5) → 2026-05-09. 行政处罚法 Art. 64 with Art. 85 (working days).
    case = cases_filed(city, world, clue_received_on=date(2026, 4, 20), filed_on=date(2026, 4, 22))
    _notify(city, case, date(2026, 4, 29))
    hearing = clocks_of(case, date(2026, 5, 6))["hearing_request"]
    assert hearing.deadline == date(2026, 5, 9)
    assert hearing.article == "《行政处罚法》第六十四条、第八十五条"
    with clock.travel(date(2026, 5, 11)), pytest.raises(DomainError) as refused:
        services.case_hearing(
            actor=city.county_regulator_a,
            case_id=case.pk,
            requested_on=date(2026, 5, 11),
            hearing_on=date(2026, 5, 25),
            notice_sent_on=date(2026, 5, 11),
        )
    assert "2026-05-09" in refused.value.message
    # Nor may the bureau decide while the party may still ask for a hearing (through 9 May).
    with clock.travel(date(2026, 5, 9)), pytest.raises(DomainError):
        services.case_decide(
            actor=city.county_regulator_a, case_id=case.pk, decided_on=date(2026, 5, 9), penalty="fine", fine="20000"
        )


def _decided(city, world, decided_on, *, fine="20000", penalty="fine"):
    # Filed 2026-08-03; notified 2026-08-10 (hearing time through 17 August); decided on ``decided_on``.
    case = cases_filed(city, world, clue_received_on=date(2026, 7, 27), filed_on=date(2026, 8, 3))
    _notify(city, case, date(2026, 8, 10), fine=fine)
    with clock.travel(decided_on):
        services.case_decide(
            actor=city.county_regulator_a, case_id=case.pk, decided_on=decided_on, penalty=penalty, fine=fine
        )
    case.refresh_from_db()
    return case


def test_service_within_seven_working_days_and_late_service_recorded(city, world):
    # Decided Wednesday 30 September: [1-7 Oct off], 8 (1), 9 (2), Sat 10 (3), 12 (4), 13 (5), 14 (6), 15 (7) →
    # 2026-10-15 (行政处罚法 Art. 61 with Art. 85).
    case = _decided(city, world, date(2026, 9, 30))
    service = clocks_of(case, date(2026, 10, 12))["service"]
    assert service.deadline == date(2026, 10, 15)
    assert service.article == "《行政处罚法》第六十一条、第八十五条"
    with clock.travel(date(2026, 10, 16)):
        document = services.case_serve(
            actor=city.county_regulator_a, case_id=case.pk, served_on=date(2026, 10, 16), method="mail"
        )
    case.refresh_from_db()
    assert case.status == Case.Status.SERVED  # late, recorded, not refused
    assert "逾期送达" in case.events.get(step="serve").note
    service = clocks_of(case, date(2026, 10, 20))["service"]
    assert service.late and service.state == "overdue"
    assert document.kind == "service"


def test_payment_deadline_rolls_over_national_day_and_the_surcharge_is_recorded(city, world):
    # Served Wednesday 16 September: 15 calendar days → 1 October, a holiday → the next working day, Thursday
    # 8 October (行政处罚法 Art. 67). Paid 9 October: one day late → 3 % of 20 000 = 600.00 (Art. 72).
    case = _decided(city, world, date(2026, 9, 14))
    with clock.travel(date(2026, 9, 16)):
        services.case_serve(
            actor=city.county_regulator_a, case_id=case.pk, served_on=date(2026, 9, 16), method="direct"
        )
    payment = clocks_of(case, date(2026, 9, 20))["payment"]
    assert payment.deadline == date(2026, 10, 8)
    assert payment.article == "《行政处罚法》第六十七条"
    with clock.travel(date(2026, 10, 9)):
        with pytest.raises(DomainError) as refused:
            services.case_pay(actor=city.county_regulator_a, case_id=case.pk, paid_on=date(2026, 10, 9), amount="20000")
        assert "20600.00" in refused.value.message and "600.00" in refused.value.message
        services.case_pay(actor=city.county_regulator_a, case_id=case.pk, paid_on=date(2026, 10, 9), amount="20600")
    case.refresh_from_db()
    assert case.paid_amount == Decimal("20600.00")
    assert "加处罚款 600.00 元" in case.events.get(step="pay").note
    assert "600.00" in clocks_of(case, date(2026, 10, 9))["payment"].note


def test_publication_within_twenty_working_days_and_shown_three_years(city, world):
    # Decided Monday 21 September: 22-24 Sep (1-3), [25-27 off], 28-30 Sep (4-6), [1-7 Oct off], 8, 9 (7-8),
    # Sat 10 (9), 12-16 (10-14), 19-23 (15-19), 26 Oct (20) → 2026-10-26 (总局令第45号). A fine of 20 000 is over
    # the small-fine limit (10 000 by default): shown 3 years from the day of publication, to 2029-09-21.
    case = _decided(city, world, date(2026, 9, 21))
    publication = Publication.objects.get(case=case)
    assert publication.due_on == date(2026, 10, 26)
    assert publication.visible_until == date(2029, 9, 21)
    clocks = clocks_of(case, date(2026, 9, 22))
    assert clocks["publication"].deadline == date(2026, 10, 26)
    assert clocks["publication"].article == "《市场监督管理行政处罚信息公示规定》"
    assert clocks["publication"].state == "done"


def test_a_small_fine_is_shown_three_months_and_a_warning_is_not_published(city, world, settings):
    settings.SUPERVISION_SMALL_FINE_LIMIT = 10000
    small = _decided(city, world, date(2026, 9, 21), fine="5000")
    assert Publication.objects.get(case=small).visible_until == date(2026, 12, 21)
    warned = cases_filed(city, world, clue_received_on=date(2026, 7, 27), filed_on=date(2026, 8, 3))
    with clock.travel(date(2026, 8, 10)):
        services.case_review(actor=city.county_regulator_a, case_id=warned.pk, started_on=date(2026, 8, 10))
        services.case_notify(
            actor=city.county_regulator_a, case_id=warned.pk, notified_on=date(2026, 8, 10), penalty="warning"
        )
    with clock.travel(date(2026, 9, 21)):
        services.case_decide(
            actor=city.county_regulator_a, case_id=warned.pk, decided_on=date(2026, 9, 21), penalty="warning"
        )
    assert not Publication.objects.filter(case=warned).exists()
    assert "publication" not in clocks_of(warned, date(2026, 9, 22))


def test_withdrawal_is_due_within_three_working_days(city, world):
    # Revoked Wednesday 30 September: [1-7 Oct off], 8 (1), 9 (2), Sat 10 (3) → 2026-10-10.
    case = _decided(city, world, date(2026, 9, 21))
    with clock.travel(date(2026, 9, 30)):
        services.decision_revoke(actor=city.county_regulator_a, case_id=case.pk, reason="复议撤销")
    publication = Publication.objects.get(case=case)
    assert publication.withdraw_due == date(2026, 10, 10)
    assert publication.withdrawn_at is not None


def test_cases_with_a_clock_near_or_past_its_limit_are_listed_for_the_warnings(city, world):
    near = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    fine = cases_open(city, world, clue_received_on=date(2026, 10, 16))
    with clock.travel(date(2026, 10, 20)):
        found = selectors.cases_with_clock_state(city.county_regulator_a, ["near", "overdue", "due_today"])
        assert [case.pk for case in found] == [near.pk]
        assert found[0].warned[0].code == "filing"
        assert fine.pk not in [c.pk for c in selectors.cases_with_clock_state(city.county_regulator_a, ["near"])]
        assert selectors.cases_with_clock_state(city.county_regulator_b, ["near", "overdue"]) == []
