"""State changes of administrative penalty cases (行政处罚; 市场监督管理行政处罚程序规定 and 行政处罚法 2021), their
documents and the publication of decisions (市场监督管理行政处罚信息公示规定, 总局令第45号).

A case moves clue → filed (or not filed) → legal review → notified → decided → served → (paid) → closed. Every act
is audited and adds a ``CaseEvent``; every limit is checked against a clock of ``jiliang.metrology.cases`` on the
administrator's calendar: the filing and the decision are refused after their deadline (with the date), a late
service is recorded, not refused (行政处罚法 Art. 61 says "at once, else within 7 days").

**Numbers.** A case: ``<county code>-AJ-<year>-<seq>`` (the party's county's region code, the year the clue was
received, a four-digit sequence per county and year), e.g. ``210921-AJ-2026-0001``. A document:
``<county code>市监<kind>〔<year>〕<n>号`` with the kind's character — 立 (立案审批表), 告 (行政处罚告知书), 罚
(行政处罚决定书, and the decision that revokes one), 送 (送达回证), 结 (结案报告) — the year of the document's day and
a sequence per county, kind and year, e.g. ``210921市监罚〔2026〕3号``. The county code stands for the bureau's
short name (which the registry does not keep) and makes every number unique across the city.

**Documents** are generated once as PDF (``formats.documents``) and never edited (``CaseDocument`` is write-once);
a correction or a revocation is a new document that names the one it supersedes; both stay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiliang.core import audit, clock
from jiliang.core.calendar import work_calendar
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, Role, User
from jiliang.core.selectors import locked_one, scope_of
from jiliang.metrology import cases as rules

from ..formats import documents as pdf
from ..models import (
    Case,
    CaseDocument,
    CaseEvent,
    CasePause,
    Conflict,
    Inspection,
    Inspector,
    LegalBasis,
    Publication,
    Rectification,
)
from ..selectors import cases as selectors

DOCUMENT_CHARS: dict[str, str] = {
    CaseDocument.Kind.FILING: "立",
    CaseDocument.Kind.NOTICE: "告",
    CaseDocument.Kind.DECISION: "罚",
    CaseDocument.Kind.SERVICE: "送",
    CaseDocument.Kind.CLOSING: "结",
    CaseDocument.Kind.ORDER: "改",
}

SERVICE_METHODS = {
    "direct": gettext_noop("直接送达"),
    "mail": gettext_noop("邮寄送达"),
    "electronic": gettext_noop("电子送达"),
    "left": gettext_noop("留置送达"),
    "announcement": gettext_noop("公告送达"),
}

MAX_TEXT = 2000


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def _bureau(actor: User) -> Organization:
    scope = scope_of(actor)
    if not scope.is_regulator or scope.organization_id is None:
        raise DomainError(_("只有市场监管部门可以办理行政处罚案件"), code="forbidden")
    return Organization.objects.select_related("region").get(pk=scope.organization_id)


def _handled(actor: User, case_id: int) -> Case:
    """The case, locked, when the actor's bureau handles it; else 404 (as for a case that does not exist)."""
    case = locked_one(selectors.cases_visible_to(actor), case_id, _("案件不存在"))
    if not selectors.may_handle(actor, case):
        raise NotFoundOrForbidden(_("案件不存在"))
    return case


def _expect(case: Case, *statuses: str) -> None:
    if case.status not in statuses:
        raise DomainError(
            _("案件当前状态为“%(status)s”，不能办理此环节") % {"status": case.get_status_display()}, code="conflict"
        )


def _not_future(day: date, field: str) -> None:
    if day > clock.today():
        raise DomainError(_("日期不能晚于今天"), field=field)


def _not_before(day: date, earlier: date | None, field: str) -> None:
    if earlier is not None and day < earlier:
        raise DomainError(_("日期不能早于上一环节的日期 %(date)s") % {"date": earlier.isoformat()}, field=field)


def _text(value: str, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写此项"), field=field)
    if len(value) > limit:
        raise DomainError(_("最多 %(n)s 个字符") % {"n": limit}, field=field)
    return value


def _event(case: Case, step: str, on: date, actor: User, note: str = "") -> CaseEvent:
    return CaseEvent.objects.create(case=case, step=step, on=on, actor=actor, note=note[:MAX_TEXT])


def _money(value: Decimal | int | str | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(_("金额无效"), field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise DomainError(_("金额无效"), field=field)
    return amount.quantize(Decimal("0.01"))


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _citations(bases: Iterable[LegalBasis]) -> list[pdf.Citation]:
    return [pdf.Citation(law=b.law, article=b.article, text=b.text) for b in bases]


def _document_number(case: Case, kind: str, year: int) -> str:
    prefix = f"{case.region.code}市监{DOCUMENT_CHARS[kind]}〔{year}〕"
    taken = CaseDocument.objects.filter(number__startswith=prefix).count()
    sequence = taken + 1
    while CaseDocument.objects.filter(number=f"{prefix}{sequence}号").exists():
        sequence += 1
    return f"{prefix}{sequence}号"


def _issue(
    case: Case,
    *,
    kind: str,
    issued_on: date,
    actor: User,
    sections: Sequence[tuple[str, str]],
    bases: Sequence[LegalBasis] = (),
    rows: Sequence[tuple[str, str]] = (),
    title: str = "",
    supersedes: CaseDocument | None = None,
    footnote: str = "",
) -> CaseDocument:
    number = _document_number(case, kind, issued_on.year)
    content = pdf.render(
        pdf.Document(
            bureau=case.bureau.name,
            title=title or str(CaseDocument.Kind(kind).label),
            number=number,
            party=f"{case.party.name}（统一社会信用代码 {case.party.credit_code}）",
            sections=[(_("案件编号"), case.number), *sections],
            issued_on=issued_on,
            citations=_citations(bases),
            rows=rows,
            footnote=footnote,
        )
    )
    document = CaseDocument.objects.create(
        case=case,
        kind=kind,
        number=number,
        issued_on=issued_on,
        pdf=content,
        sha256=hashlib.sha256(content).hexdigest(),
        supersedes=supersedes,
        issued_by=actor,
    )
    if bases:
        document.bases.set(bases)
    return document


def _bases(codes: Iterable[str]) -> list[LegalBasis]:
    wanted = sorted({str(code).strip() for code in codes if str(code).strip()})
    found = list(LegalBasis.objects.filter(code__in=wanted).order_by("code"))
    if not wanted or len(found) != len(wanted):
        raise DomainError(_("请从法律依据库中选择至少一条依据"), field="basis_codes")
    return found


def _penalty_text(case: Case) -> str:
    parts = [str(case.get_penalty_display())]
    if case.fine:
        parts.append(_("罚款人民币 %(amount)s 元") % {"amount": case.fine})
    if case.confiscated:
        parts.append(_("没收违法所得、非法财物计人民币 %(amount)s 元") % {"amount": case.confiscated})
    return "；".join(parts)


def _check_penalty(penalty: str, fine: Decimal | None, confiscated: Decimal | None) -> None:
    if penalty not in Case.Penalty.values:
        raise DomainError(_("请选择处罚种类"), field="penalty")
    if penalty == Case.Penalty.FINE and not fine:
        raise DomainError(_("罚款应填写金额"), field="fine")
    if penalty == Case.Penalty.CONFISCATION and not confiscated:
        raise DomainError(_("没收应填写金额"), field="confiscated")
    if penalty == Case.Penalty.NONE and (fine or confiscated):
        raise DomainError(_("不予处罚不能有罚没金额"), field="fine")


def _deadline_or_refuse(deadline: rules.PausedDeadline, day: date, field: str, late: str) -> None:
    if deadline.deadline is None:
        raise DomainError(_("案件期限中止中，请先恢复计算期限"), field=field, code="conflict")
    if day > deadline.deadline:
        raise DomainError(late % {"date": deadline.deadline.isoformat(), "article": _(deadline.article)}, field=field)


# ---------------------------------------------------------------------------------------------------------------
# Clue, filing


def case_open(
    *,
    actor: User,
    party_id: int,
    source: str,
    summary: str,
    clue_received_on: date,
    inspection_id: int | None = None,
    rectification_id: int | None = None,
) -> Case:
    """Register a clue against an organization in the actor's region. From a rectification that is not closed, the
    rectification is escalated (``escalated``) in the same transaction."""
    bureau = _bureau(actor)
    if source not in Case.Source.values:
        raise DomainError(_("请选择案件来源"), field="source")
    summary = _text(summary, "summary", limit=5000)
    _not_future(clue_received_on, "clue_received_on")
    with transaction.atomic():
        scope = scope_of(actor)
        party = (
            Organization.objects.select_related("region")
            .filter(pk=party_id, region_id__in=scope.region_ids or ())
            .exclude(kind=Organization.Kind.REGULATOR)
            .first()
        )
        if party is None:
            raise DomainError(_("当事人不存在或不在本部门管辖范围内"), field="party_id")
        inspection = rectification = None
        if rectification_id is not None:
            rectification = (
                Rectification.objects.select_for_update(of=("self",))
                .filter(pk=rectification_id, region_id__in=scope.region_ids or ())
                .first()
            )
            if rectification is None:
                raise DomainError(_("责令改正记录不存在"), field="rectification_id")
            if rectification.organization_id != party.pk:
                raise DomainError(_("责令改正的单位与当事人不一致"), field="rectification_id")
            if rectification.status in (Rectification.Status.CLOSED, Rectification.Status.ESCALATED):
                raise DomainError(
                    _("该责令改正已%(status)s，不能转立案") % {"status": rectification.get_status_display()},
                    field="rectification_id",
                    code="conflict",
                )
            inspection_id = inspection_id or rectification.inspection_id
        if inspection_id is not None:
            inspection = Inspection.objects.filter(pk=inspection_id, region_id__in=scope.region_ids or ()).first()
            if inspection is None:
                raise DomainError(_("检查记录不存在"), field="inspection_id")
            if inspection.organization_id != party.pk:
                raise DomainError(_("检查对象与当事人不一致"), field="inspection_id")
        year = clue_received_on.year
        prefix = f"{party.region.code}-AJ-{year}-"
        sequence = Case.objects.filter(number__startswith=prefix).count() + 1
        while Case.objects.filter(number=f"{prefix}{sequence:04d}").exists():
            sequence += 1
        case = Case.objects.create(
            number=f"{prefix}{sequence:04d}",
            region=party.region,
            bureau=bureau,
            party=party,
            source=source,
            inspection=inspection,
            rectification=rectification,
            summary=summary,
            clue_received_on=clue_received_on,
            created_by=actor,
        )
        if rectification is not None:
            rectification.status = Rectification.Status.ESCALATED
            rectification.save(update_fields=["status"])
            audit.record(
                actor=actor,
                action="rectification.escalate",
                obj=rectification,
                changes={"status": rectification.status, "case": case.number},
            )
        _event(case, "open", clue_received_on, actor, summary)
        audit.record(
            actor=actor,
            action="case.open",
            obj=case,
            changes=audit.values(
                case, "number", "region", "bureau", "party", "source", "inspection", "rectification", "clue_received_on"
            ),
        )
    return case


def case_not_file(*, actor: User, case_id: int, decided_on: date, reason: str) -> Case:
    """The head decides not to file (程序规定 Art. 18), with the reason."""
    reason = _text(reason, "reason")
    _not_future(decided_on, "decided_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.CLUE)
        _not_before(decided_on, case.clue_received_on, "decided_on")
        case.status = Case.Status.NOT_FILED
        case.not_filed_reason = reason
        case.save(update_fields=["status", "not_filed_reason"])
        _event(case, "not_file", decided_on, actor, reason)
        audit.record(actor=actor, action="case.not_file", obj=case, changes={"status": case.status, "reason": reason})
    return case


def _officers(case: Case, officer_ids: Iterable[int], on: date) -> list[Inspector]:
    """程序规定 Arts. 19–20, 行政处罚法 Arts. 42–43: at least two officers of the handling bureau, their certificate valid
    and active, none with a declared conflict with the party or formerly employed by it."""
    ids = sorted({int(pk) for pk in officer_ids})
    if len(ids) < 2:
        raise DomainError(_("立案应指定两名以上具有执法资格的办案人员"), field="officer_ids")
    officers = list(Inspector.objects.filter(pk__in=ids, organization_id=case.bureau_id).order_by("name"))
    if len(officers) != len(ids):
        raise DomainError(_("办案人员应为本部门执法人员"), field="officer_ids")
    for officer in officers:
        if not officer.active or officer.valid_until < on:
            raise DomainError(
                _("%(name)s 的执法证不在有效期内或已不在库") % {"name": officer.name}, field="officer_ids"
            )
        if (
            officer.former_employer_id == case.party_id
            or Conflict.objects.filter(inspector=officer, organization_id=case.party_id).exists()
        ):
            raise DomainError(
                _("%(name)s 与当事人存在利害关系，应当回避") % {"name": officer.name}, field="officer_ids"
            )
    return officers


def case_file(
    *,
    actor: User,
    case_id: int,
    filed_on: date,
    officer_ids: Iterable[int],
    basis_codes: Iterable[str],
    approved_by: User | None = None,
) -> CaseDocument:
    """File the case (立案): within the filing deadline (程序规定 Art. 18, with its extension and pauses), two officers or
    more, the bases cited; ``approved_by`` is the head who approved (a regulator of the bureau; the actor when not
    given). Generates the 立案审批表 and returns it."""
    _not_future(filed_on, "filed_on")
    approver = approved_by or actor
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.CLUE)
        _not_before(filed_on, case.clue_received_on, "filed_on")
        if approver.role != Role.REGULATOR or approver.organization_id != case.bureau_id:
            raise DomainError(_("立案应由本部门负责人批准"), field="approved_by")
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise DomainError(_("案件期限中止中，请先恢复计算期限"), field="filed_on", code="conflict")
        deadline = selectors.filing_clock(case, as_of=filed_on)
        _deadline_or_refuse(
            deadline, filed_on, "filed_on", _("立案期限已于 %(date)s 届满（依据 %(article)s），不能立案")
        )
        officers = _officers(case, officer_ids, filed_on)
        bases = _bases(basis_codes)
        case.status = Case.Status.FILED
        case.filed_on = filed_on
        case.filing_approved_by = approver
        case.save(update_fields=["status", "filed_on", "filing_approved_by"])
        case.officers.set(officers)
        case.bases.set(bases)
        names = "、".join(f"{o.name}（执法证号 {o.certificate_number}）" for o in officers)
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=CaseDocument.Kind.FILING,
                issued_on=filed_on,
                actor=actor,
                sections=[
                    (_("案件来源"), str(case.get_source_display())),
                    (_("线索收到日期"), _date(case.clue_received_on)),
                    (_("案情摘要"), case.summary),
                    (_("办案人员"), names),
                    (
                        _("立案期限"),
                        _("%(date)s（依据 %(article)s）")
                        % {"date": _date(deadline.deadline or filed_on), "article": _(deadline.article)},
                    ),
                    (
                        _("审批意见"),
                        _("同意立案。批准人：%(name)s") % {"name": approver.get_full_name() or approver.username},
                    ),
                ],
                bases=bases,
            )
        _event(case, "file", filed_on, actor, document.number)
        audit.record(
            actor=actor,
            action="case.file",
            obj=case,
            changes={
                "status": case.status,
                "filed_on": filed_on,
                "officers": [o.certificate_number for o in officers],
                "bases": [b.code for b in bases],
                "approved_by": approver.pk,
                "document": document.number,
                "deadline": deadline.deadline,
            },
        )
    return document


def case_extend(*, actor: User, case_id: int, which: str, reason: str) -> Case:
    """The head approves a longer limit (the approval recorded as the actor): ``filing`` +15 working days (程序规定
    Art. 18) while the clue is checked; ``decision`` +30 days (程序规定) once filed and before the decision."""
    reason = _text(reason, "reason")
    if which not in ("filing", "decision"):
        raise DomainError(_("请选择延长立案期限或办案期限"), field="which")
    with transaction.atomic():
        case = _handled(actor, case_id)
        if which == "filing":
            _expect(case, Case.Status.CLUE)
            if case.filing_extended:
                raise DomainError(_("立案期限已延长过"), field="which", code="conflict")
            case.filing_extended = True
            case.save(update_fields=["filing_extended"])
        else:
            _expect(case, Case.Status.FILED, Case.Status.REVIEW, Case.Status.NOTIFIED)
            if case.decision_extended:
                raise DomainError(_("办案期限已延长过；再延长须集体讨论决定"), field="which", code="conflict")
            case.decision_extended = True
            case.save(update_fields=["decision_extended"])
        _event(case, f"extend_{which}", clock.today(), actor, reason)
        audit.record(actor=actor, action=f"case.extend_{which}", obj=case, changes={"which": which, "reason": reason})
    return case


def case_pause(*, actor: User, case_id: int, kind: str, started_on: date, reason: str) -> CasePause:
    """Stop the case's clock: before the filing only for testing, inspection or appraisal (程序规定 Art. 18); after it
    for any of the kinds the decision clock leaves out."""
    reason = _text(reason, "reason", limit=500)
    if kind not in CasePause.Kind.values:
        raise DomainError(_("请选择中止事由"), field="kind")
    _not_future(started_on, "started_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.CLUE, Case.Status.FILED, Case.Status.REVIEW, Case.Status.NOTIFIED)
        if case.status == Case.Status.CLUE and kind != CasePause.Kind.TESTING:
            raise DomainError(_("立案前只有检测、检验、检疫、鉴定的时间不计入期限"), field="kind")
        _not_before(started_on, case.filed_on or case.clue_received_on, "started_on")
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise DomainError(_("已有尚未恢复的期限中止"), code="conflict")
        last = case.pauses.order_by("-started_on").first()
        if last is not None and last.ended_on is not None:
            _not_before(started_on, last.ended_on, "started_on")
        pause = CasePause.objects.create(case=case, kind=kind, started_on=started_on, reason=reason)
        _event(case, "pause", started_on, actor, f"{pause.get_kind_display()}：{reason}")
        audit.record(
            actor=actor,
            action="case.pause",
            obj=case,
            changes={"kind": kind, "started_on": started_on, "reason": reason},
        )
    return pause


def case_resume(*, actor: User, case_id: int, ended_on: date) -> CasePause:
    """The pause ends: the clock counts again from ``ended_on``."""
    _not_future(ended_on, "ended_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        pause = case.pauses.select_for_update().filter(ended_on__isnull=True).first()
        if pause is None:
            raise DomainError(_("没有尚未恢复的期限中止"), code="conflict")
        _not_before(ended_on, pause.started_on, "ended_on")
        pause.ended_on = ended_on
        pause.save(update_fields=["ended_on"])
        _event(case, "resume", ended_on, actor, str(pause.get_kind_display()))
        audit.record(actor=actor, action="case.resume", obj=case, changes={"kind": pause.kind, "ended_on": ended_on})
    return pause


# ---------------------------------------------------------------------------------------------------------------
# Review, notice, hearing


def case_review(*, actor: User, case_id: int, started_on: date, note: str = "") -> Case:
    """The investigation is over and the file goes to legal review (法制审核, 行政处罚法 Art. 58)."""
    note = _text(note, "note", required=False)
    _not_future(started_on, "started_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.FILED)
        _not_before(started_on, case.filed_on, "started_on")
        case.status = Case.Status.REVIEW
        case.review_started_on = started_on
        case.save(update_fields=["status", "review_started_on"])
        _event(case, "review", started_on, actor, note)
        audit.record(actor=actor, action="case.review", obj=case, changes={"status": case.status, "on": started_on})
    return case


def case_notify(
    *,
    actor: User,
    case_id: int,
    notified_on: date,
    penalty: str,
    fine: Decimal | int | str | None = None,
    confiscated: Decimal | int | str | None = None,
    facts: str = "",
) -> CaseDocument:
    """行政处罚告知书 (行政处罚法 Arts. 44, 64): the intended penalty, the facts and bases, and the party's right to
    state, defend and request a hearing within 5 working days (``hearing_request_deadline``). ``notified_on`` is the
    day the party received the notice."""
    amount = _money(fine, "fine")
    taken = _money(confiscated, "confiscated")
    _check_penalty(penalty, amount, taken)
    facts = _text(facts, "facts", required=False, limit=5000)
    _not_future(notified_on, "notified_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.FILED, Case.Status.REVIEW)
        _not_before(notified_on, case.review_started_on or case.filed_on, "notified_on")
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise DomainError(_("案件期限中止中，请先恢复计算期限"), field="notified_on", code="conflict")
        case.status = Case.Status.NOTIFIED
        case.notified_on = notified_on
        case.penalty, case.fine, case.confiscated = penalty, amount, taken
        case.save(update_fields=["status", "notified_on", "penalty", "fine", "confiscated"])
        hearing = rules.hearing_request_deadline(notified_on, calendar=work_calendar())
        bases = list(case.bases.order_by("code"))
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=CaseDocument.Kind.NOTICE,
                issued_on=notified_on,
                actor=actor,
                sections=[
                    (_("违法事实"), facts or case.summary),
                    (_("拟作出的行政处罚"), _penalty_text(case)),
                    (
                        _("当事人的权利"),
                        _(
                            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条、第六十三条、第六十四条的规定，你（单位）"
                            "享有陈述、申辩的权利；对拟作出的处罚，你（单位）有权要求听证。如要求听证，应当在收到本告知书之日起"
                            "五个工作日内（即 %(date)s 前，依据 %(article)s）提出；逾期视为放弃。"
                        )
                        % {"date": _date(hearing.deadline), "article": _(hearing.article)},
                    ),
                ],
                bases=bases,
            )
        _event(case, "notify", notified_on, actor, document.number)
        audit.record(
            actor=actor,
            action="case.notify",
            obj=case,
            changes={
                **audit.values(case, "status", "notified_on", "penalty", "fine", "confiscated"),
                "document": document.number,
                "hearing_request_deadline": hearing.deadline,
            },
        )
    return document


def case_hearing(*, actor: User, case_id: int, requested_on: date, hearing_on: date, notice_sent_on: date) -> CasePause:
    """The party requested a hearing within 5 working days of the notice (行政处罚法 Art. 64(1)); the hearing's notice
    goes out at least 7 working days before it (Art. 64(2), ``hearing_notice_latest``). The time from the request
    to the hearing is a hearing pause of the decision clock."""
    _not_future(requested_on, "requested_on")
    _not_future(notice_sent_on, "notice_sent_on")
    work = work_calendar()
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.NOTIFIED)
        assert case.notified_on is not None
        if case.hearing_requested:
            raise DomainError(_("已登记听证申请"), code="conflict")
        _not_before(requested_on, case.notified_on, "requested_on")
        asked = rules.hearing_request_deadline(case.notified_on, calendar=work)
        if requested_on > asked.deadline:
            raise DomainError(
                _("听证申请期限已于 %(date)s 届满（依据 %(article)s）")
                % {"date": asked.deadline.isoformat(), "article": _(asked.article)},
                field="requested_on",
            )
        _not_before(notice_sent_on, requested_on, "notice_sent_on")
        latest = rules.hearing_notice_latest(hearing_on, calendar=work)
        if notice_sent_on > latest.deadline:
            raise DomainError(
                _("听证通知应不迟于 %(date)s 送达（听证七个工作日前，依据 %(article)s）")
                % {"date": latest.deadline.isoformat(), "article": _(latest.article)},
                field="hearing_on",
            )
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise DomainError(_("已有尚未恢复的期限中止"), code="conflict")
        case.hearing_requested = True
        case.hearing_on = hearing_on
        case.save(update_fields=["hearing_requested", "hearing_on"])
        pause = CasePause.objects.create(
            case=case,
            kind=CasePause.Kind.HEARING,
            started_on=requested_on,
            ended_on=hearing_on,
            reason=_("当事人申请听证，听证日期 %(date)s") % {"date": hearing_on.isoformat()},
        )
        _event(case, "hearing", requested_on, actor, pause.reason)
        audit.record(
            actor=actor,
            action="case.hearing",
            obj=case,
            changes={"requested_on": requested_on, "hearing_on": hearing_on, "notice_sent_on": notice_sent_on},
        )
    return pause


# ---------------------------------------------------------------------------------------------------------------
# Decision, service, payment, closing, revocation


def case_decide(
    *,
    actor: User,
    case_id: int,
    decided_on: date,
    penalty: str,
    fine: Decimal | int | str | None = None,
    confiscated: Decimal | int | str | None = None,
    facts: str = "",
) -> CaseDocument:
    """行政处罚决定书: within the decision deadline (行政处罚法 Art. 60 with the extension and pauses), after the party's
    time to request a hearing (or after the hearing). The decision is published (总局令第45号) unless it is a warning
    alone or no penalty: due within 20 working days, shown until ``publication_end``."""
    amount = _money(fine, "fine")
    taken = _money(confiscated, "confiscated")
    _check_penalty(penalty, amount, taken)
    facts = _text(facts, "facts", required=False, limit=5000)
    _not_future(decided_on, "decided_on")
    work = work_calendar()
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.NOTIFIED)
        assert case.notified_on is not None
        _not_before(decided_on, case.notified_on, "decided_on")
        if case.hearing_requested:
            _not_before(decided_on, case.hearing_on, "decided_on")
        else:
            asked = rules.hearing_request_deadline(case.notified_on, calendar=work)
            if decided_on <= asked.deadline:
                raise DomainError(
                    _("当事人可在 %(date)s 前申请听证，期满后方可作出决定") % {"date": asked.deadline.isoformat()},
                    field="decided_on",
                )
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise DomainError(_("案件期限中止中，请先恢复计算期限"), field="decided_on", code="conflict")
        deadline = selectors.decision_clock(case, as_of=decided_on)
        _deadline_or_refuse(
            deadline,
            decided_on,
            "decided_on",
            _("作出处罚决定的期限已于 %(date)s 届满（依据 %(article)s），应报经集体讨论决定延长"),
        )
        case.status = Case.Status.DECIDED
        case.decided_on = decided_on
        case.penalty, case.fine, case.confiscated = penalty, amount, taken
        case.save(update_fields=["status", "decided_on", "penalty", "fine", "confiscated"])
        bases = list(case.bases.order_by("code"))
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=CaseDocument.Kind.DECISION,
                issued_on=decided_on,
                actor=actor,
                sections=[
                    (_("违法事实"), facts or case.summary),
                    (_("处罚决定"), _penalty_text(case)),
                    (
                        _("履行方式和期限"),
                        _(
                            "罚款应当自收到本决定书之日起十五日内缴纳（依据《行政处罚法》第六十七条）；到期不缴纳的，每日按罚款数额的百分之三加处罚款（依据《行政处罚法》第七十二条）。"
                        )
                        if case.fine
                        else _("无"),
                    ),
                    (
                        _("救济途径"),
                        _(
                            "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
                        ),
                    ),
                ],
                bases=bases,
            )
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            publication = _publish(case, document, bases, actor)
        _event(case, "decide", decided_on, actor, document.number)
        audit.record(
            actor=actor,
            action="case.decide",
            obj=case,
            changes={
                **audit.values(case, "status", "decided_on", "penalty", "fine", "confiscated"),
                "document": document.number,
                "deadline": deadline.deadline,
                "publication": publication.pk if publication else None,
            },
        )
    return document


def _publish(case: Case, document: CaseDocument, bases: Sequence[LegalBasis], actor: User) -> Publication | None:
    category = selectors.publication_category(case)
    if category is None or not rules.publication_required(category):
        return None
    assert case.decided_on is not None
    work = work_calendar()
    due = rules.publication_deadline(case.decided_on, category=category, calendar=work)
    assert due is not None
    now = clock.now()
    end = rules.publication_end(clock.local_date(now), category=category)
    return Publication.objects.create(
        kind=Publication.Kind.DECISION,
        region=case.region,
        case=case,
        title=_("%(party)s行政处罚决定") % {"party": case.party.name},
        body={
            "decision_number": document.number,
            "case_number": case.number,
            "party": case.party.name,
            "credit_code": case.party.credit_code,
            "violation": case.summary[:2000],
            "bases": [f"{b.law}{b.article}" for b in bases],
            "penalty": case.penalty,
            "penalty_text": _penalty_text(case),
            "fine": str(case.fine) if case.fine is not None else "",
            "confiscated": str(case.confiscated) if case.confiscated is not None else "",
            "bureau": case.bureau.name,
            "decided_on": case.decided_on.isoformat(),
            "category": category,
        },
        due_on=due.deadline,
        published_at=now,
        published_by=actor,
        visible_until=end.deadline,
    )


def case_serve(*, actor: User, case_id: int, served_on: date, method: str, recipient: str = "") -> CaseDocument:
    """送达回证 of the decision. 行政处罚法 Art. 61: at once, else within 7 working days; a late service is recorded
    (on the receipt, the event and the audit), not refused."""
    if method not in SERVICE_METHODS:
        raise DomainError(_("请选择送达方式"), field="method")
    recipient = _text(recipient, "recipient", required=False, limit=100)
    _not_future(served_on, "served_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.DECIDED)
        assert case.decided_on is not None
        _not_before(served_on, case.decided_on, "served_on")
        deadline = rules.service_deadline(case.decided_on, calendar=work_calendar())
        late = served_on > deadline.deadline
        decision = (
            case.documents.filter(kind=CaseDocument.Kind.DECISION, superseded_by__isnull=True)
            .order_by("-issued_at")
            .first()
        )
        case.status = Case.Status.SERVED
        case.served_on = served_on
        case.save(update_fields=["status", "served_on"])
        late_note = (
            _("逾期送达：送达期限为 %(date)s（依据 %(article)s）")
            % {"date": _date(deadline.deadline), "article": _(deadline.article)}
            if late
            else ""
        )
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=CaseDocument.Kind.SERVICE,
                issued_on=served_on,
                actor=actor,
                sections=[],
                rows=[
                    (_("送达文书"), f"{CaseDocument.Kind.DECISION.label} {decision.number if decision else ''}"),
                    (_("受送达人"), recipient or case.party.name),
                    (_("送达方式"), _(SERVICE_METHODS[method])),
                    (_("送达日期"), _date(served_on)),
                    (_("送达期限"), f"{_date(deadline.deadline)}（{_(deadline.article)}）"),
                ],
                footnote=late_note,
            )
        _event(case, "serve", served_on, actor, " ".join(filter(None, [document.number, late_note])))
        audit.record(
            actor=actor,
            action="case.serve",
            obj=case,
            changes={
                "status": case.status,
                "served_on": served_on,
                "method": method,
                "late": late,
                "deadline": deadline.deadline,
                "document": document.number,
            },
        )
    return document


def case_pay(*, actor: User, case_id: int, paid_on: date, amount: Decimal | int | str) -> Case:
    """The fine paid: when after the payment deadline (行政处罚法 Art. 67), the late-payment surcharge (Art. 72: 3 % a
    day, at most the fine) is due with it, recorded on the event and in the audit; a smaller amount is refused."""
    paid = _money(amount, "amount")
    if paid is None:
        raise DomainError(_("请填写缴款金额"), field="amount")
    _not_future(paid_on, "paid_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.SERVED)
        if not case.fine:
            raise DomainError(_("本案没有罚款"), code="conflict")
        if case.paid_on is not None:
            raise DomainError(_("已登记缴款"), code="conflict")
        assert case.served_on is not None
        _not_before(paid_on, case.served_on, "paid_on")
        due = rules.payment_deadline(case.served_on, calendar=work_calendar())
        surcharge = rules.late_payment_surcharge(case.fine, due_on=due.deadline, paid_on=paid_on)
        owed = case.fine + surcharge
        if paid < owed:
            raise DomainError(
                _("应缴 %(owed)s 元（罚款 %(fine)s 元，逾期加处罚款 %(surcharge)s 元，依据 %(article)s）")
                % {"owed": owed, "fine": case.fine, "surcharge": surcharge, "article": _(rules.ART_SURCHARGE)},
                field="amount",
            )
        case.paid_on = paid_on
        case.paid_amount = paid
        case.save(update_fields=["paid_on", "paid_amount"])
        note = _("缴款 %(paid)s 元；缴款期限 %(date)s；加处罚款 %(surcharge)s 元") % {
            "paid": paid,
            "date": due.deadline.isoformat(),
            "surcharge": surcharge,
        }
        _event(case, "pay", paid_on, actor, note)
        audit.record(
            actor=actor,
            action="case.pay",
            obj=case,
            changes={"paid_on": paid_on, "amount": paid, "surcharge": surcharge, "deadline": due.deadline},
        )
    return case


def case_close(*, actor: User, case_id: int, closed_on: date, note: str = "") -> CaseDocument:
    """结案报告: once the decision is served and a fine paid."""
    note = _text(note, "note", required=False)
    _not_future(closed_on, "closed_on")
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.SERVED)
        if case.fine and case.paid_on is None:
            raise DomainError(_("罚款尚未缴纳，不能结案"), code="conflict")
        _not_before(closed_on, case.paid_on or case.served_on, "closed_on")
        case.status = Case.Status.CLOSED
        case.closed_on = closed_on
        case.save(update_fields=["status", "closed_on"])
        steps = [
            (_("立案日期"), _date(case.filed_on) if case.filed_on else "—"),
            (_("决定日期"), _date(case.decided_on) if case.decided_on else "—"),
            (_("送达日期"), _date(case.served_on) if case.served_on else "—"),
            (_("处罚决定"), _penalty_text(case)),
            (_("执行情况"), _("已缴款 %(paid)s 元") % {"paid": case.paid_amount} if case.paid_on else _("无罚没款")),
        ]
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=CaseDocument.Kind.CLOSING,
                issued_on=closed_on,
                actor=actor,
                sections=[(_("案情摘要"), case.summary), (_("结案意见"), note or _("处罚决定已执行完毕，予以结案。"))],
                rows=steps,
                bases=list(case.bases.order_by("code")),
            )
        _event(case, "close", closed_on, actor, document.number)
        audit.record(
            actor=actor,
            action="case.close",
            obj=case,
            changes={"status": case.status, "closed_on": closed_on, "document": document.number},
        )
    return document


def decision_revoke(*, actor: User, case_id: int, reason: str) -> CaseDocument:
    """The decision is revoked: its document stays and a new one (撤销行政处罚决定书) supersedes it; its publication is
    withdrawn now, with the withdrawal due within 3 working days (总局令第45号) recorded; staff still see both."""
    reason = _text(reason, "reason")
    today = clock.today()
    with transaction.atomic():
        case = _handled(actor, case_id)
        _expect(case, Case.Status.DECIDED, Case.Status.SERVED, Case.Status.CLOSED)
        decision = (
            case.documents.select_for_update(of=("self",))
            .filter(kind=CaseDocument.Kind.DECISION, superseded_by__isnull=True)
            .order_by("-issued_at")
            .first()
        )
        if decision is None or case.events.filter(step="revoke").exists():
            raise DomainError(_("处罚决定已撤销"), code="conflict")
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=CaseDocument.Kind.DECISION,
                issued_on=today,
                actor=actor,
                title=_("撤销行政处罚决定书"),
                sections=[
                    (
                        _("原处罚决定"),
                        _("%(number)s：%(penalty)s") % {"number": decision.number, "penalty": _penalty_text(case)},
                    ),
                    (_("撤销理由"), reason),
                    (_("决定"), _("撤销原行政处罚决定。")),
                ],
                supersedes=decision,
            )
        withdrawn = None
        publication = (
            Publication.objects.select_for_update(of=("self",)).filter(case=case, withdrawn_at__isnull=True).first()
        )
        if publication is not None:
            publication.withdrawn_at = clock.now()
            publication.withdraw_due = rules.withdrawal_deadline(today, calendar=work_calendar()).deadline
            publication.withdraw_reason = reason[:500]
            publication.save(update_fields=["withdrawn_at", "withdraw_due", "withdraw_reason"])
            withdrawn = publication.pk
        _event(case, "revoke", today, actor, f"{document.number} {reason}")
        audit.record(
            actor=actor,
            action="case.revoke",
            obj=case,
            changes={
                "document": document.number,
                "supersedes": decision.number,
                "reason": reason,
                "publication_withdrawn": withdrawn,
            },
        )
    return document


def document_correct(*, actor: User, document_id: int, reason: str) -> CaseDocument:
    """A correction of a document (a wrong date, a misspelt name…): a new document of the same kind, numbered anew,
    that names the one it supersedes and says what is corrected; the original stays unchanged. A document already
    superseded is corrected through the one that superseded it."""
    reason = _text(reason, "reason")
    today = clock.today()
    with transaction.atomic():
        original = (
            CaseDocument.objects.select_for_update(of=("self",))
            .filter(pk=document_id, case__in=selectors.cases_visible_to(actor))
            .select_related("case")
            .first()
        )
        if original is None or not selectors.may_handle(actor, original.case):
            raise NotFoundOrForbidden(_("文书不存在"))
        if CaseDocument.objects.filter(supersedes=original).exists():
            raise DomainError(_("该文书已被更正或撤销，请更正最新的文书"), code="conflict")
        case = _handled(actor, original.case_id)
        with translation.override(settings.LANGUAGE_CODE):  # a legal document is in Chinese
            document = _issue(
                case,
                kind=original.kind,
                issued_on=today,
                actor=actor,
                title=_("%(title)s（更正）") % {"title": CaseDocument.Kind(original.kind).label},
                sections=[
                    (_("更正的文书"), f"{original.number}（{original.issued_on:%Y-%m-%d}）"),
                    (_("更正内容"), reason),
                ],
                bases=list(original.bases.order_by("code")),
                supersedes=original,
            )
        _event(case, "correct", today, actor, f"{document.number} ← {original.number}：{reason}")
        audit.record(
            actor=actor,
            action="case.document_correct",
            obj=case,
            changes={"document": document.number, "supersedes": original.number, "reason": reason},
        )
    return document
