"""A penalty case through every state, from the clue to the closing: the documents generated as PDF with the
number, the party and the article in their text; a revoked decision superseded and its publication withdrawn;
nothing ever edited."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from jiliang.core import clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.supervision.models import (
    Case,
    CaseDocument,
    CaseEvent,
    Checklist,
    Conflict,
    Inspection,
    Publication,
    Rectification,
)
from jiliang.supervision.selectors import cases as selectors
from jiliang.supervision.services import cases as services

from ..builders.supervision import CASE_BASES, cases_filed, cases_open


def text_of(document: CaseDocument) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.pdf)))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def run_to_closed(city, world) -> Case:
    regulator = city.county_regulator_a
    case = cases_filed(city, world, clue_received_on=date(2026, 7, 27), filed_on=date(2026, 8, 3))
    with clock.travel(date(2026, 8, 10)):
        services.case_review(actor=regulator, case_id=case.pk, started_on=date(2026, 8, 10))
        services.case_notify(
            actor=regulator, case_id=case.pk, notified_on=date(2026, 8, 10), penalty="fine", fine="20000"
        )
    with clock.travel(date(2026, 9, 1)):
        services.case_decide(
            actor=regulator, case_id=case.pk, decided_on=date(2026, 9, 1), penalty="fine", fine="20000"
        )
    with clock.travel(date(2026, 9, 2)):
        services.case_serve(actor=regulator, case_id=case.pk, served_on=date(2026, 9, 2), method="direct")
        services.case_pay(actor=regulator, case_id=case.pk, paid_on=date(2026, 9, 2), amount="20000")
        services.case_close(actor=regulator, case_id=case.pk, closed_on=date(2026, 9, 2))
    case.refresh_from_db()
    return case


def test_a_case_runs_from_clue_to_closed_with_its_documents(city, world):
    case = run_to_closed(city, world)
    assert case.status == Case.Status.CLOSED
    assert case.number == "210921-AJ-2026-0001"
    steps = list(case.events.order_by("at", "id").values_list("step", flat=True))
    assert steps == ["open", "file", "review", "notify", "decide", "serve", "pay", "close"]
    documents = {d.kind: d for d in case.documents.all()}
    assert set(documents) == {"filing", "notice", "decision", "service", "closing"}
    assert documents["filing"].number == "210921市监立〔2026〕1号"
    assert documents["decision"].number == "210921市监罚〔2026〕1号"
    for document in documents.values():
        text = text_of(document)
        assert document.number in text, document.kind
        assert city.owner_a.name in text, document.kind
        assert case.number in text, document.kind
    assert "《中华人民共和国计量法》第二十六条" in text_of(documents["filing"])
    notice = text_of(documents["notice"])
    assert "听证" in notice and "2026年8月17日" in notice  # 11-14, 17 August: five working days
    assert "《行政处罚法》第六十四条" in notice
    decision = text_of(documents["decision"])
    assert "罚款人民币20000.00元" in decision and "第二十六条" in decision
    assert "行政处罚决定书" in text_of(documents["service"]) and documents["decision"].number in text_of(
        documents["service"]
    )
    for action in ("case.open", "case.file", "case.review", "case.notify", "case.decide", "case.serve", "case.pay"):
        assert AuditEvent.objects.filter(action=action, object_id=str(case.pk), actor=city.county_regulator_a).exists()


def test_not_filed_ends_the_case(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 9)):
        services.case_not_file(
            actor=city.county_regulator_a, case_id=case.pk, decided_on=date(2026, 10, 9), reason="证据不足"
        )
        case.refresh_from_db()
        assert case.status == Case.Status.NOT_FILED and case.not_filed_reason == "证据不足"
        with pytest.raises(DomainError):
            services.case_file(
                actor=city.county_regulator_a,
                case_id=case.pk,
                filed_on=date(2026, 10, 9),
                officer_ids=[world.inspectors[0].pk, world.inspectors[1].pk],
                basis_codes=CASE_BASES,
            )
    assert selectors.case_clocks(case, today=date(2026, 10, 9)) == []


def file_with(city, case, officers, on=date(2026, 10, 9)):
    with clock.travel(on):
        return services.case_file(
            actor=city.county_regulator_a,
            case_id=case.pk,
            filed_on=on,
            officer_ids=[o.pk for o in officers],
            basis_codes=CASE_BASES,
        )


def test_filing_needs_two_officers_of_the_bureau_free_of_conflict(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    one, two, three = world.inspectors[:3]
    with pytest.raises(DomainError, match="两名以上"):
        file_with(city, case, [one])
    Conflict.objects.create(inspector=two, organization=city.owner_a, kind="relative", declared_on=date(2026, 1, 1))
    with pytest.raises(DomainError, match="回避"):
        file_with(city, case, [one, two])
    three.valid_until = date(2026, 10, 1)
    three.save()
    with pytest.raises(DomainError, match="有效期"):
        file_with(city, case, [one, three])
    with pytest.raises(DomainError):  # an unknown basis code
        with clock.travel(date(2026, 10, 9)):
            services.case_file(
                actor=city.county_regulator_a,
                case_id=case.pk,
                filed_on=date(2026, 10, 9),
                officer_ids=[one.pk, world.inspectors[3].pk],
                basis_codes=["NOPE"],
            )
    file_with(city, case, [one, world.inspectors[3]])
    case.refresh_from_db()
    assert set(case.officers.all()) == {one, world.inspectors[3]}


def test_another_countys_bureau_cannot_open_or_act(city, world):
    with pytest.raises(DomainError):
        services.case_open(
            actor=city.county_regulator_b,
            party_id=city.owner_a.pk,
            source="inspection",
            summary="x",
            clue_received_on=date(2026, 9, 28),
        )
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 9)), pytest.raises(NotFoundOrForbidden):
        services.case_not_file(actor=city.county_regulator_b, case_id=case.pk, decided_on=date(2026, 10, 9), reason="x")
    # The city bureau reads the county's case but does not handle it.
    with clock.travel(date(2026, 10, 9)), pytest.raises(NotFoundOrForbidden):
        services.case_not_file(actor=city.city_regulator, case_id=case.pk, decided_on=date(2026, 10, 9), reason="x")
    with pytest.raises(DomainError):
        services.case_open(
            actor=city.owner_a_user,
            party_id=city.owner_a.pk,
            source="inspection",
            summary="x",
            clue_received_on=date(2026, 9, 28),
        )


def test_a_rectification_escalated_to_a_case(city, world):
    inspection = Inspection.objects.create(
        number="JC-1",
        organization=city.owner_a,
        region=city.county_a,
        bureau=city.bureau_a,
        checklist=Checklist.objects.first(),
        inspected_on=date(2026, 9, 1),
    )
    rectification = Rectification.objects.create(
        number="ZG-1",
        inspection=inspection,
        organization=city.owner_a,
        region=city.county_a,
        bureau=city.bureau_a,
        requirement="送检电子秤",
        ordered_on=date(2026, 9, 1),
        deadline=date(2026, 9, 15),
    )
    with clock.travel(date(2026, 9, 28)):
        case = services.case_open(
            actor=city.county_regulator_a,
            party_id=city.owner_a.pk,
            source="rectification",
            summary="逾期未整改",
            clue_received_on=date(2026, 9, 28),
            rectification_id=rectification.pk,
        )
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.ESCALATED
    assert case.inspection_id == inspection.pk and case.rectification_id == rectification.pk
    assert AuditEvent.objects.filter(action="rectification.escalate", object_id=str(rectification.pk)).exists()
    with clock.travel(date(2026, 9, 28)), pytest.raises(DomainError):
        services.case_open(
            actor=city.county_regulator_a,
            party_id=city.owner_a.pk,
            source="rectification",
            summary="again",
            clue_received_on=date(2026, 9, 28),
            rectification_id=rectification.pk,
        )


def test_revocation_supersedes_the_decision_and_withdraws_the_publication(city, world):
    case = run_to_closed(city, world)
    decision = case.documents.get(kind="decision")
    publication = Publication.objects.get(case=case)
    assert publication.withdrawn_at is None
    with clock.travel(date(2026, 9, 30)):
        revocation = services.decision_revoke(actor=city.county_regulator_a, case_id=case.pk, reason="行政复议决定撤销")
    assert revocation.supersedes_id == decision.pk
    assert "撤销行政处罚决定书" in text_of(revocation) and decision.number in text_of(revocation)
    decision.refresh_from_db()
    assert decision.superseded_by == revocation and bytes(decision.pdf)  # the original stays
    publication.refresh_from_db()
    assert publication.withdrawn_at is not None and publication.withdraw_reason == "行政复议决定撤销"
    assert publication in selectors.publications_of(city.county_regulator_a, case)
    assert not selectors.public_decisions(today=date(2026, 9, 30)).filter(pk=publication.pk).exists()
    with clock.travel(date(2026, 9, 30)), pytest.raises(DomainError):
        services.decision_revoke(actor=city.county_regulator_a, case_id=case.pk, reason="again")


def test_documents_and_events_are_never_edited_or_deleted(city, world):
    case = run_to_closed(city, world)
    document = case.documents.first()
    document.number = "changed"
    with pytest.raises(DomainError):
        document.save()
    with pytest.raises(DomainError):
        CaseDocument.objects.get(pk=document.pk).delete()
    with pytest.raises(DomainError):
        CaseDocument.objects.filter(case=case).update(number="x")
    event = case.events.first()
    event.note = "changed"
    with pytest.raises(DomainError):
        event.save()
    with pytest.raises(DomainError):
        CaseEvent.objects.filter(case=case).delete()


def test_steps_out_of_order_are_refused(city, world):
    case = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 10, 9)):
        with pytest.raises(DomainError):
            services.case_notify(
                actor=city.county_regulator_a, case_id=case.pk, notified_on=date(2026, 10, 9), penalty="warning"
            )
        with pytest.raises(DomainError):
            services.case_serve(
                actor=city.county_regulator_a, case_id=case.pk, served_on=date(2026, 10, 9), method="mail"
            )
        with pytest.raises(DomainError):
            services.case_close(actor=city.county_regulator_a, case_id=case.pk, closed_on=date(2026, 10, 9))
        with pytest.raises(DomainError, match="今天"):
            services.case_not_file(
                actor=city.county_regulator_a, case_id=case.pk, decided_on=date(2026, 10, 10), reason="x"
            )


def test_a_fine_not_paid_keeps_the_case_open(city, world):
    regulator = city.county_regulator_a
    case = cases_filed(city, world, clue_received_on=date(2026, 7, 27), filed_on=date(2026, 8, 3))
    with clock.travel(date(2026, 8, 10)):
        services.case_notify(
            actor=regulator, case_id=case.pk, notified_on=date(2026, 8, 10), penalty="fine", fine="500"
        )
    with clock.travel(date(2026, 9, 1)):
        services.case_decide(actor=regulator, case_id=case.pk, decided_on=date(2026, 9, 1), penalty="fine", fine="500")
        services.case_serve(actor=regulator, case_id=case.pk, served_on=date(2026, 9, 1), method="direct")
        with pytest.raises(DomainError, match="尚未缴纳"):
            services.case_close(actor=regulator, case_id=case.pk, closed_on=date(2026, 9, 1))


def test_a_correction_is_a_new_document_that_supersedes_the_old_one(city, world):
    case = run_to_closed(city, world)
    notice = case.documents.get(kind="notice")
    before = bytes(notice.pdf)
    with clock.travel(date(2026, 9, 3)):
        correction = services.document_correct(
            actor=city.county_regulator_a, document_id=notice.pk, reason="更正告知日期"
        )
        assert correction.kind == "notice" and correction.supersedes_id == notice.pk
        assert correction.number == "210921市监告〔2026〕2号"
        text = text_of(correction)
        assert "更正告知日期" in text and notice.number in text and "（更正）" in text
        notice.refresh_from_db()
        assert bytes(notice.pdf) == before
        with pytest.raises(DomainError):
            services.document_correct(actor=city.county_regulator_a, document_id=notice.pk, reason="again")
        with pytest.raises(NotFoundOrForbidden):
            services.document_correct(actor=city.county_regulator_b, document_id=correction.pk, reason="x")
    assert case.events.filter(step="correct").exists()
