"""Three signatures by three logins (services.drafts): who may act when, what is checked at each act, and that
certificate numbers stay gapless whatever happens to drafts that are returned or abandoned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.core import clock
from jiliang.core.audit import AuditEvent
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.people.models import Qualification
from jiliang.verification.models import Certificate, RecordDraft
from jiliang.verification.selectors.requests import NotAllowed
from jiliang.verification.services.drafts import (
    draft_approve,
    draft_check,
    draft_return,
    draft_save,
    draft_submit,
    draft_withdraw,
)
from tests.builders.verification import issue_certificate, save_draft, sign_through

pytestmark = pytest.mark.django_db


def _submitted(bench, item=0, **overrides):
    draft = save_draft(bench, item=item, **overrides)
    return draft_submit(actor=bench.verifier.user, draft_id=draft.pk)


def test_a_checker_not_qualified_for_the_item_that_day_is_refused(bench):
    draft = _submitted(bench)
    # The checker's qualification ended yesterday: the check is refused today, and nothing moves.
    Qualification.objects.filter(person=bench.checker).update(valid_until=bench.today - timedelta(days=1))
    with pytest.raises(DomainError, match=r"核验员 李核验 .* 没有“.*”项目有效的检定员资格"):
        draft_check(actor=bench.checker.user, draft_id=draft.pk)
    assert RecordDraft.objects.get(pk=draft.pk).status == "submitted"
    assert not Certificate.objects.exists()


def test_an_approver_not_qualified_that_day_is_refused(bench):
    draft = _submitted(bench)
    draft_check(actor=bench.checker.user, draft_id=draft.pk)
    Qualification.objects.filter(person=bench.approver).delete()
    with pytest.raises(DomainError, match="批准人 张批准"):
        draft_approve(actor=bench.approver.user, draft_id=draft.pk)
    assert not Certificate.objects.exists()


def test_a_verifier_cannot_check_or_approve_their_own_record(bench):
    draft = _submitted(bench)
    with pytest.raises(NotAllowed, match="检定员不能核验自己录入的记录"):
        draft_check(actor=bench.verifier.user, draft_id=draft.pk)
    draft_check(actor=bench.checker.user, draft_id=draft.pk)
    for person in (bench.verifier, bench.checker):
        with pytest.raises(NotAllowed, match="批准人不能同时是该记录的检定员或核验员"):
            draft_approve(actor=person.user, draft_id=draft.pk)
    assert not Certificate.objects.exists()


def test_nobody_signs_for_another(bench, city):
    draft = _submitted(bench)
    # The novice is on staff but is not the named checker; the institute's shared login is nobody's person.
    with pytest.raises(NotAllowed, match="只有该记录指定的核验员"):
        draft_check(actor=bench.novice.user, draft_id=draft.pk)
    with pytest.raises(NotAllowed, match="本人的账号"):
        draft_check(actor=city.institute_user, draft_id=draft.pk)
    with pytest.raises(NotFoundOrForbidden):
        draft_check(actor=bench.lab.county_institute_user, draft_id=draft.pk)
    with pytest.raises(NotAllowed, match="本人的账号"):
        draft_save(actor=city.institute_user, request_item_id=bench.items[1].pk, performed_on=bench.today)


def test_each_act_is_timed_and_audited_and_the_certificate_names_the_three_with_their_times(bench):
    draft = _submitted(bench)
    draft_return(actor=bench.checker.user, draft_id=draft.pk, reason="修约间隔应为 0.001 kg")
    returned = RecordDraft.objects.get(pk=draft.pk)
    assert returned.status == "returned" and returned.return_reason == "修约间隔应为 0.001 kg"
    assert returned.returned_by == bench.checker
    certificate = sign_through(returned, bench.checker, bench.approver)
    draft = RecordDraft.objects.get(pk=draft.pk)
    assert draft.status == "approved" and draft.record == certificate.record
    acts = [(e.action, e.person.name) for e in draft.events.all()]
    assert acts == [
        ("create", "王检定"),
        ("submit", "王检定"),
        ("return", "李核验"),
        ("submit", "王检定"),
        ("check", "李核验"),
        ("approve", "张批准"),
    ]
    audited = list(AuditEvent.objects.filter(action__startswith="record_draft.").values_list("action", "actor"))
    assert ("record_draft.check", bench.checker.user.pk) in audited
    assert ("record_draft.approve", bench.approver.user.pk) in audited
    record = certificate.record
    assert record.verified_at == draft.submitted_at and record.checked_at == draft.checked_at
    assert record.approved_at == draft.approved_at
    signed = certificate.document["signed_at"]
    assert signed["verifier"] and signed["checker"] and signed["approver"]
    assert certificate.document["signatories"] == {"verifier": "王检定", "checker": "李核验", "approver": "张批准"}


def test_certificate_numbers_stay_gapless_across_returns_and_abandoned_records(bench):
    # A draft returned twice and then withdrawn, and another left open, consume no number.
    abandoned = _submitted(bench, item=0)
    draft_return(actor=bench.checker.user, draft_id=abandoned.pk, reason="读数有误")
    draft_submit(actor=bench.verifier.user, draft_id=abandoned.pk)
    draft_check(actor=bench.checker.user, draft_id=abandoned.pk)
    draft_return(actor=bench.approver.user, draft_id=abandoned.pk, reason="标准器选错")
    draft_withdraw(actor=bench.verifier.user, draft_id=abandoned.pk, reason="重新检定")
    left_open = _submitted(bench, item=1)
    assert not Certificate.objects.exists()
    first = issue_certificate(bench, item=0)
    draft_check(actor=bench.checker.user, draft_id=left_open.pk)
    second = draft_approve(actor=bench.approver.user, draft_id=left_open.pk)
    assert [first.sequence, second.sequence] == [1, 2]
    assert first.number.endswith("-JD-000001") and second.number.endswith("-JD-000002")


def test_a_verification_dated_before_its_request_was_accepted_is_refused(bench):
    accepted_on = clock.local_date(bench.request.accepted_at)
    draft = save_draft(bench, performed_on=accepted_on - timedelta(days=1))
    with pytest.raises(DomainError, match="早于申请的受理日期"):
        draft_submit(actor=bench.verifier.user, draft_id=draft.pk)
    assert RecordDraft.objects.get(pk=draft.pk).status == "draft"


def test_only_the_verifier_edits_and_only_while_draft_or_returned(bench):
    draft = _submitted(bench)
    with pytest.raises(DomainError, match="不能修改"):
        draft_save(actor=bench.verifier.user, draft_id=draft.pk, place="现场")
    draft_return(actor=bench.checker.user, draft_id=draft.pk, reason="地点有误")
    with pytest.raises(NotAllowed, match="检定员本人"):
        draft_save(actor=bench.checker.user, draft_id=draft.pk, place="现场")
    assert draft_save(actor=bench.verifier.user, draft_id=draft.pk, place="现场").values["place"] == "现场"


def _awaiting(item) -> bool:
    item.refresh_from_db(fields=["awaiting_record"])
    return item.awaiting_record


def test_an_item_awaits_its_record_exactly_while_it_has_neither_a_record_nor_an_open_draft(bench):
    """``RequestItem.awaiting_record`` (what the work queue counts) follows every act on the item's drafts."""
    item = bench.items[0]
    assert _awaiting(item)
    draft = save_draft(bench)
    assert not _awaiting(item)
    draft_withdraw(actor=bench.verifier.user, draft_id=draft.pk, reason="器具送修")
    assert _awaiting(item)
    draft = save_draft(bench)
    draft_submit(actor=bench.verifier.user, draft_id=draft.pk)
    draft_return(actor=bench.checker.user, draft_id=draft.pk, reason="示值误差计算有误")
    assert not _awaiting(item)
    certificate = sign_through(save_draft(bench), bench.checker, bench.approver)
    assert not _awaiting(item)
    # A correction's draft, then its withdrawal: the item keeps its record, so it never waits again.
    from jiliang.verification.services.certificates import certificate_correct

    correction = certificate_correct(
        actor=bench.verifier.user, certificate_id=certificate.pk, reason="环境温度誊写错误", temperature="21.0"
    )
    draft_withdraw(actor=bench.verifier.user, draft_id=correction.pk)
    assert not _awaiting(item)
    assert _awaiting(bench.items[1])
