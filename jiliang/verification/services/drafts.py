"""Three signatures by three people: a verification is recorded, checked and approved, each by its own login.

The acts, each by the login of the person it names (``Person.user``), never on someone else's behalf:

- **record** (``draft_save``): the verifier — the person whose login makes the draft — enters the readings, the
  standards and the conditions, and names a checker (核验员) and an approver (批准人); saved as often as needed;
- **submit** (``draft_submit``): the verifier submits it for check; every rule of ``services.records`` is checked
  now (three different people; the verifier qualified for the item on the day of the verification and today;
  standards valid that day; the institute authorized; the date neither in the future nor before the request was
  accepted);
- **check** (``draft_check``) or **return** (``draft_return``, with a reason): the checker named on it, qualified
  for the item today, not the verifier; the approver may return it too;
- **approve** (``draft_approve``): the approver named on it, qualified for the item today, neither the verifier nor
  the checker. Only now is the record written, the certificate numbered, signed with the institute's key and
  issued (``services.records._issue``): a returned or withdrawn draft never consumes a number, so the numbers of an
  institute, year and kind stay gapless;
- **withdraw** (``draft_withdraw``): the verifier abandons a draft not yet checked.

Each act is timed, written to the draft's history (``RecordDraftEvent``) and to the audit log; the record keeps the
three times and the certificate shows them. A correction of an issued certificate (``certificate_correct``) is a
draft too, and goes through the same three acts before its certificate supersedes the old one.

"Qualified for the item" is ``jiliang.people.selectors.verifier_qualified`` on the day of the act (a verifier
qualification, valid that day, covering the catalog item or its JJG), for each of the three: the checker and the
approver judge the same measurements the verifier made.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of
from jiliang.people.models import Person
from jiliang.people.selectors import verifier_qualified

from ..models import Certificate, RecordDraft, RecordDraftEvent, ServiceRequest
from ..selectors.records import request_item_for_record
from ..selectors.requests import NotAllowed
from .records import (
    OPEN_FOR_RECORDS,
    _check,
    _issue,
    _load_input,
    _refresh_instrument,
    request_items_sync_awaiting,
    verdict_points,
)
from .requests import _reason

Status = RecordDraft.Status

# What the record form sends that a draft keeps (the verifier is the draft's own person, never a value).
DRAFT_FIELDS = (
    "kind",
    "performed_on",
    "procedure_id",
    "standard_ids",
    "checker_id",
    "approver_id",
    "points",
    "mpe_rule",
    "unit",
    "resolution",
    "expanded_uncertainty",
    "coverage_factor",
    "place",
    "temperature",
    "humidity",
    "conditions",
)
EDITABLE = {Status.DRAFT, Status.RETURNED}
WITHDRAWABLE = {Status.DRAFT, Status.RETURNED, Status.SUBMITTED}


def acts_open_to(draft: RecordDraft, person_id: int | None) -> set[str]:
    """The acts the person may make on the draft now, by the rules the services below enforce (the page offers
    these and no other): the verifier edits, submits and withdraws; the named checker checks or returns a
    submitted draft; the named approver approves or returns a checked one."""
    if person_id is None:
        return set()
    acts: set[str] = set()
    if person_id == draft.verifier_id:
        acts |= {"edit", "submit"} if draft.status in EDITABLE else set()
        acts |= {"withdraw"} if draft.status in WITHDRAWABLE else set()
    if person_id == draft.checker_id and draft.status == Status.SUBMITTED:
        acts |= {"check", "return"}
    if person_id == draft.approver_id and draft.status == Status.CHECKED:
        acts |= {"approve", "return"}
    return acts


def acting_person(actor: User, institute_id: int | None = None) -> Person:
    """The person behind ``actor``'s login, on the staff of the actor's institute (of ``institute_id`` when given).
    Refused for a login that is no person's: nobody signs for another."""
    scope = scope_of(actor)
    person = Person.objects.filter(user_id=actor.pk).select_related("organization").first() if actor.pk else None
    if not scope.is_institute or person is None or person.organization_id != scope.organization_id:
        raise NotAllowed(_("只有检定机构人员本人的账号可以录入、核验或批准检定记录；您的账号没有关联本机构的人员"))
    if institute_id is not None and person.organization_id != institute_id:
        raise NotFoundOrForbidden(_("检定记录不存在"))
    return person


def _json(value: Any) -> Any:
    """A value of the record form as JSON keeps it: dates as ISO text, decimals as their text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value


def _values(draft: RecordDraft) -> dict[str, Any]:
    """The draft's entries as ``services.records._load_input`` takes them, its own verifier included."""
    values = dict(draft.values)
    if values.get("performed_on"):
        values["performed_on"] = date.fromisoformat(values["performed_on"])
    values["verifier_id"] = draft.verifier_id
    return values


def _staff_id(institute: Organization, value: Any, label: str, field: str) -> int | None:
    if value in (None, ""):
        return None
    person = Person.objects.filter(pk=value, organization=institute).only("pk").first()
    if person is None:
        raise DomainError(_("请选择本机构的%(role)s") % {"role": label}, field=field)
    return person.pk


def _name_signers(draft: RecordDraft, person: Person) -> None:
    """Set the checker and the approver the draft's entries name: the institute's staff, and three different
    people with the verifier ``person``."""
    institute = draft.institute
    draft.checker_id = _staff_id(institute, draft.values.get("checker_id"), _("核验员"), "checker_id")
    draft.approver_id = _staff_id(institute, draft.values.get("approver_id"), _("批准人"), "approver_id")
    if draft.checker_id == person.pk:
        raise DomainError(_("检定员和核验员不能是同一人"), field="checker_id")
    if draft.approver_id is not None and draft.approver_id in {person.pk, draft.checker_id}:
        raise DomainError(_("批准人不能同时是检定员或核验员"), field="approver_id")


def _event(draft: RecordDraft, actor: User, person: Person, action: str, from_status: str, note: str = "") -> None:
    RecordDraftEvent.objects.create(
        draft=draft,
        at=clock.now(),
        actor=actor,
        person=person,
        action=action,
        from_status=from_status,
        to_status=draft.status,
        note=note[:500],
    )
    changes: dict[str, Any] = {"status": [from_status, draft.status], "person": person.pk}
    if note:
        changes["note"] = note[:500]
    audit.record(actor=actor, action=f"record_draft.{action}", obj=draft, changes=changes)


def _locked(actor: User, draft_id: int) -> tuple[RecordDraft, Person]:
    scope = scope_of(actor)
    if not scope.is_institute:
        raise NotFoundOrForbidden(_("检定记录不存在"))
    draft = (
        RecordDraft.objects.select_for_update(of=("self",))
        .filter(pk=draft_id, institute_id=scope.organization_id)
        .select_related("instrument__catalog_item", "request_item__request", "institute")
        .first()
    )
    if draft is None:
        raise NotFoundOrForbidden(_("检定记录不存在"))
    return draft, acting_person(actor, draft.institute_id)


def _move(
    draft: RecordDraft, actor: User, person: Person, action: str, to_status: str, note: str = "", **fields: Any
) -> RecordDraft:
    """Move the draft to ``to_status`` with ``fields`` set (``"now"`` stands for this moment), save it and record
    the act (history and audit)."""
    now = clock.now()
    before = draft.status
    draft.status = to_status
    for name, value in fields.items():
        setattr(draft, name, now if value == "now" else value)
    draft.updated_at = now
    draft.save()
    request_items_sync_awaiting([draft.request_item_id])
    _event(draft, actor, person, action, before, note)
    return draft


def _expect(draft: RecordDraft, states: Collection[str], action: str) -> None:
    if draft.status not in states:
        raise DomainError(
            _("该检定记录当前状态为“%(status)s”，不能%(action)s")
            % {"status": draft.get_status_display(), "action": action},
            code="conflict",
        )


def _qualified_today(draft: RecordDraft, person: Person, role: str) -> None:
    """The person acting holds, today, a verifier qualification for the item (and is still on staff)."""
    item = draft.instrument.catalog_item
    today = clock.today()
    if person.left_on is not None and today > person.left_on:
        raise DomainError(_("%(name)s 已离职，不能签字") % {"name": person.name}, code="conflict")
    if item is not None and not verifier_qualified(person, item, today):
        raise DomainError(
            _("%(role)s %(name)s 在 %(day)s 没有“%(item)s”项目有效的检定员资格，不能签字")
            % {"role": role, "name": person.name, "day": today.isoformat(), "item": item.kind},
            code="conflict",
        )


def draft_save(
    *, actor: User, request_item_id: int | None = None, draft_id: int | None = None, **values: Any
) -> RecordDraft:
    """Record (or change) the verifier's entries. A new draft is made for a request item of a request routed to
    the actor's institute and open for records; an existing one only by its verifier, while a draft or returned.
    Nothing is checked beyond who may write and where: the rules are checked when it is submitted."""
    unknown = set(values) - set(DRAFT_FIELDS) - {"verifier_id"}
    if unknown:
        raise DomainError(_("这些内容不能录入：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        if draft_id is not None:
            draft, person = _locked(actor, draft_id)
            if person.pk != draft.verifier_id:
                raise NotAllowed(_("只有录入该记录的检定员本人可以修改"))
            _expect(draft, EDITABLE, _("修改"))
        else:
            item = request_item_for_record(actor, request_item_id)
            request = ServiceRequest.objects.select_for_update().get(pk=item.request_id)
            institute = request.institute
            person = acting_person(actor, institute.pk)
            if request.status not in OPEN_FOR_RECORDS:
                raise DomainError(
                    _("申请“%(number)s”当前状态为“%(status)s”，不能录入检定记录")
                    % {"number": request.number, "status": request.get_status_display()},
                    code="conflict",
                )
            open_draft = RecordDraft.objects.filter(request_item=item, status__in=RecordDraft.OPEN_STATUSES).first()
            if open_draft is not None:
                raise DomainError(
                    _("该器具已有在办的检定记录（%(status)s），请在原记录上继续")
                    % {"status": open_draft.get_status_display()},
                    code="conflict",
                )
            now = clock.now()
            draft = RecordDraft(
                institute=institute,
                request_item=item,
                instrument=item.instrument,
                kind=values.get("kind") or request.service,
                verifier=person,
                created_at=now,
                updated_at=now,
            )
        kept = {k: _json(values[k]) for k in DRAFT_FIELDS if k in values}
        draft.values = {**draft.values, **kept} if draft.pk else kept
        draft.kind = draft.values.get("kind") or draft.kind
        performed_on = values.get("performed_on")
        draft.performed_on = performed_on if isinstance(performed_on, date) else draft.performed_on
        _name_signers(draft, person)
        created = draft.pk is None
        draft.updated_at = clock.now()
        draft.save()
        if created:
            request_items_sync_awaiting([draft.request_item_id])
            _event(draft, actor, person, "create", "")
        else:
            audit.record(actor=actor, action="record_draft.save", obj=draft, changes={"fields": sorted(kept)})
        return draft


def _check_all(draft: RecordDraft) -> None:
    """Every rule of ``services.records`` on the draft's entries, plus: a checker and an approver are named, the
    date is not before the request was accepted, and the readings give a verdict."""
    data = _load_input(draft.institute, _values(draft))
    _check(draft.institute, draft.instrument, data)
    request = draft.request_item.request
    if request.accepted_at is not None and draft.corrects_id is None:
        accepted_on = clock.local_date(request.accepted_at)
        if data.performed_on < accepted_on:
            raise DomainError(
                _("检定日期 %(day)s 早于申请的受理日期 %(accepted)s")
                % {"day": data.performed_on.isoformat(), "accepted": accepted_on.isoformat()},
                field="performed_on",
            )
    verdict_points(kind=data.kind, points=data.points, resolution=data.resolution, mpe_rule=data.mpe_rule)


def draft_submit(*, actor: User, draft_id: int) -> RecordDraft:
    """The verifier submits the draft for check (see the module docstring for what is checked)."""
    with transaction.atomic():
        draft, person = _locked(actor, draft_id)
        if person.pk != draft.verifier_id:
            raise NotAllowed(_("只有录入该记录的检定员本人可以提交核验"))
        _expect(draft, EDITABLE, _("提交核验"))
        _qualified_today(draft, person, _("检定员"))
        _check_all(draft)
        return _move(draft, actor, person, "submit", Status.SUBMITTED, submitted_at="now")


def draft_return(*, actor: User, draft_id: int, reason: str) -> RecordDraft:
    """The checker (while it awaits check) or the approver (while it awaits approval) returns the draft to its
    verifier, with what to correct."""
    text = _reason(reason)
    with transaction.atomic():
        draft, person = _locked(actor, draft_id)
        _expect(draft, {Status.SUBMITTED, Status.CHECKED}, _("退回"))
        expected = draft.checker_id if draft.status == Status.SUBMITTED else draft.approver_id
        if person.pk != expected:
            raise NotAllowed(_("只有该记录指定的核验员或批准人可以退回"))
        return _move(
            draft,
            actor,
            person,
            "return",
            Status.RETURNED,
            text,
            return_reason=text,
            returned_by=person,
            returned_at="now",
            checked_at=None,
        )


def draft_check(*, actor: User, draft_id: int) -> RecordDraft:
    """The checker named on the draft signs it as checked (核验)."""
    with transaction.atomic():
        draft, person = _locked(actor, draft_id)
        _expect(draft, {Status.SUBMITTED}, _("核验"))
        if person.pk == draft.verifier_id:
            raise NotAllowed(_("检定员不能核验自己录入的记录"))
        if person.pk != draft.checker_id:
            raise NotAllowed(_("只有该记录指定的核验员可以核验"))
        _qualified_today(draft, person, _("核验员"))
        return _move(draft, actor, person, "check", Status.CHECKED, checked_at="now")


def draft_approve(*, actor: User, draft_id: int) -> Certificate:
    """The approver named on the draft approves it: the record is written and the certificate numbered, signed
    and issued (a correction's supersedes the certificate it corrects). Returns the certificate."""
    with transaction.atomic():
        draft, person = _locked(actor, draft_id)
        _expect(draft, {Status.CHECKED}, _("批准"))
        if person.pk in {draft.verifier_id, draft.checker_id}:
            raise NotAllowed(_("批准人不能同时是该记录的检定员或核验员"))
        if person.pk != draft.approver_id:
            raise NotAllowed(_("只有该记录指定的批准人可以批准"))
        _qualified_today(draft, person, _("批准人"))
        _check_all(draft)
        now = clock.now()
        supersedes = None
        if draft.corrects_id is not None:
            from .certificates import _certificate_for_change

            supersedes = _certificate_for_change(actor, draft.corrects_id)
        data = _load_input(draft.institute, _values(draft))
        certificate = _issue(
            actor=actor,
            institute=draft.institute,
            instrument=draft.instrument,
            request_item=draft.request_item,
            data=data,
            corrects=supersedes.record if supersedes else None,
            supersedes=supersedes,
            signed_at={"verified_at": draft.submitted_at, "checked_at": draft.checked_at, "approved_at": now},
        )
        if supersedes is not None:
            audit.record(
                actor=actor,
                action="certificate.supersede",
                obj=supersedes,
                changes={"superseded_by": certificate.number, "reason": draft.correction_reason},
            )
        _move(
            draft,
            actor,
            person,
            "approve",
            Status.APPROVED,
            certificate.number,
            approved_at=now,
            record=certificate.record,
        )
        _refresh_instrument(draft.instrument, actor)
        return certificate


def draft_withdraw(*, actor: User, draft_id: int, reason: str = "") -> RecordDraft:
    """The verifier abandons a draft not yet checked. It keeps its history; it consumed no certificate number."""
    with transaction.atomic():
        draft, person = _locked(actor, draft_id)
        if person.pk != draft.verifier_id:
            raise NotAllowed(_("只有录入该记录的检定员本人可以撤回"))
        _expect(draft, WITHDRAWABLE, _("撤回"))
        return _move(draft, actor, person, "withdraw", Status.WITHDRAWN, (reason or "").strip(), withdrawn_at="now")


def correction_draft(*, actor: User, certificate: Certificate, reason: str, values: dict[str, Any]) -> RecordDraft:
    """A draft that corrects ``certificate`` (locked and checked by the caller), by the actor's own person as
    verifier; it goes through check and approval like any record."""
    person = acting_person(actor, certificate.institute_id)
    item = certificate.record.request_item
    if item is None:
        raise DomainError(_("该证书没有对应的申请器具，不能更正"), code="conflict")
    if RecordDraft.objects.filter(corrects=certificate, status__in=RecordDraft.OPEN_STATUSES).exists():
        raise DomainError(_("该证书已有在办的更正记录"), code="conflict")
    now = clock.now()
    values = {k: v for k, v in values.items() if k != "verifier_id"}
    draft = RecordDraft(
        institute_id=certificate.institute_id,
        request_item_id=item.pk,
        instrument=certificate.instrument,
        kind=values.get("kind") or certificate.record.kind,
        verifier=person,
        corrects=certificate,
        correction_reason=reason[:500],
        values={k: _json(values[k]) for k in DRAFT_FIELDS if k in values},
        performed_on=values.get("performed_on"),
        created_at=now,
        updated_at=now,
    )
    _name_signers(draft, person)
    draft.save()
    request_items_sync_awaiting([draft.request_item_id])
    _event(draft, actor, person, "create", "", reason)
    return draft
