"""Reads of penalty cases, their documents and clocks, scoped by role and region; and the published decisions.

Who sees what:

- the admin every case; a regulator the cases of its region and below (``Case.region`` is the party's county);
  only the bureau that handles a case acts on it (``may_handle``);
- the party (an owner's login of the organization the case is against) sees its own case only from the notice of
  the intended penalty on (status notified, decided, served, closed), and of its documents only the notice, the
  decision and the service receipt: never the clue, the filing, the internal review or the officers' events;
- institutes, other owners and the public nothing here (the public reads published decisions through
  ``public_decisions``).

The clocks of a case (``case_clocks``) are computed from its stored days by ``jiliang.metrology.cases`` on the
administrator's working-day calendar (``jiliang.core.calendar.work_calendar``); nothing here stores a deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import clock
from jiliang.core.calendar import work_calendar
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of, scoped
from jiliang.metrology import cases as rules

from ..models import Case, CaseDocument, CaseEvent, CasePause, Inspection, Publication, Rectification

# What the party sees of its own case: from the notice on.
PARTY_STATUSES = (Case.Status.NOTIFIED, Case.Status.DECIDED, Case.Status.SERVED, Case.Status.CLOSED)
PARTY_DOCUMENTS = (CaseDocument.Kind.NOTICE, CaseDocument.Kind.DECISION, CaseDocument.Kind.SERVICE)

# The steps of the case's own log (CaseEvent.step), as a page names them.
STEP_LABELS = {
    "open": gettext_lazy("登记案件线索"),
    "not_file": gettext_lazy("决定不予立案"),
    "file": gettext_lazy("立案"),
    "extend_filing": gettext_lazy("延长立案期限"),
    "extend_decision": gettext_lazy("延长办案期限"),
    "pause": gettext_lazy("期限中止"),
    "resume": gettext_lazy("期限恢复计算"),
    "review": gettext_lazy("法制审核"),
    "notify": gettext_lazy("告知拟处罚"),
    "hearing": gettext_lazy("申请听证"),
    "decide": gettext_lazy("作出处罚决定"),
    "serve": gettext_lazy("送达"),
    "pay": gettext_lazy("缴纳罚没款"),
    "close": gettext_lazy("结案"),
    "revoke": gettext_lazy("撤销处罚决定"),
    "correct": gettext_lazy("更正文书"),
}

# The clocks shown on a case, in their order.
FILING, DECISION, HEARING, SERVICE, PAYMENT, PUBLICATION = (
    "filing",
    "decision",
    "hearing_request",
    "service",
    "payment",
    "publication",
)
CLOCK_LABELS = {
    FILING: gettext_lazy("立案期限"),
    DECISION: gettext_lazy("作出处罚决定期限"),
    HEARING: gettext_lazy("申请听证期限"),
    SERVICE: gettext_lazy("送达期限"),
    PAYMENT: gettext_lazy("缴纳罚款期限"),
    PUBLICATION: gettext_lazy("处罚信息公示期限"),
}


# ---------------------------------------------------------------------------------------------------------------
# Scoping


def cases_visible_to(user: User | None) -> QuerySet[Case]:
    scope = scope_of(user)
    if scope.is_owner and scope.organization_id is not None:
        return Case.objects.filter(party_id=scope.organization_id, status__in=PARTY_STATUSES)
    return scoped(Case.objects.all(), user, region="region_id")


def case_get(user: User | None, pk: int) -> Case:
    row = cases_visible_to(user).select_related("party", "bureau", "region").filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("案件不存在"))
    return row


def is_party(user: User | None, case: Case) -> bool:
    scope = scope_of(user)
    return scope.is_owner and scope.organization_id == case.party_id


def may_handle(user: User | None, case: Case | None = None) -> bool:
    """Only the bureau handling a case acts on it (a county bureau; the city bureau reads its counties' cases)."""
    scope = scope_of(user)
    if not scope.is_regulator or scope.organization_id is None:
        return False
    return case is None or case.bureau_id == scope.organization_id


def documents_of(user: User | None, case: Case) -> QuerySet[CaseDocument]:
    """The case's documents ``user`` may read (``case`` already read through ``case_get``), without their PDF."""
    rows = (
        CaseDocument.objects.filter(case=case)
        .select_related("supersedes")
        .defer("pdf", "supersedes__pdf")
        .order_by("issued_at", "id")
    )
    if is_party(user, case):
        return rows.filter(kind__in=PARTY_DOCUMENTS)
    return rows


def document_get(user: User | None, pk: int) -> CaseDocument:
    row = CaseDocument.objects.filter(pk=pk, case__in=cases_visible_to(user)).select_related("case").first()
    if row is None or (is_party(user, row.case) and row.kind not in PARTY_DOCUMENTS):
        raise NotFoundOrForbidden(_("文书不存在"))
    return row


def events_of(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


def list_rows(user: User | None, *, status: str = "", county: int | None = None, source: str = "") -> QuerySet[Case]:
    """The case list's rows: a few columns, the party and bureau by join, newest clue first (``case_region_day_idx``)."""
    rows = cases_visible_to(user)
    if status:
        rows = rows.filter(status=status)
    if county:
        rows = rows.filter(region_id=county)
    if source:
        rows = rows.filter(source=source)
    return (
        rows.select_related("party", "region")
        .only(
            "id",
            "number",
            "status",
            "source",
            "clue_received_on",
            "filed_on",
            "decided_on",
            "party__name",
            "region__name",
        )
        .order_by("-clue_received_on", "-id")
    )


# ---------------------------------------------------------------------------------------------------------------
# Clocks


@dataclass(frozen=True)
class CaseClock:
    """One clock of a case as a page shows it: the limit, the article beside its date, the state on ``today``."""

    code: str
    label: str
    article: str
    deadline: date | None
    state: str
    state_label: str
    days_left: int
    kind: str
    count: int
    met_on: date | None  # the day the step was done, when it is done
    late: bool  # done after its deadline
    pause_reasons: tuple[str, ...] = ()
    provisional_years: tuple[int, ...] = ()
    note: str = ""


@dataclass
class _Pauses:
    filing: list[rules.Pause] = field(default_factory=list)
    decision: list[rules.Pause] = field(default_factory=list)
    filing_reasons: list[str] = field(default_factory=list)
    decision_reasons: list[str] = field(default_factory=list)


def _pauses(case: Case, pauses: Iterable[CasePause]) -> _Pauses:
    """A pause that starts before the filing holds the filing clock, one after it the decision clock."""
    found = _Pauses()
    for pause in pauses:
        text = f"{pause.get_kind_display()}：{pause.reason}（{pause.started_on:%Y-%m-%d} 起"
        text += f"，{pause.ended_on:%Y-%m-%d} 恢复）" if pause.ended_on else "，尚未恢复）"
        value = rules.Pause(pause.started_on, pause.ended_on)
        if case.filed_on is None or pause.started_on < case.filed_on:
            found.filing.append(value)
            found.filing_reasons.append(text)
        else:
            found.decision.append(value)
            found.decision_reasons.append(text)
    return found


def filing_clock(case: Case, *, as_of: date) -> rules.PausedDeadline:
    split = _pauses(case, case.pauses.all())
    return rules.filing_deadline(
        case.clue_received_on,
        as_of=as_of,
        extended=case.filing_extended,
        pauses=split.filing,
        calendar=work_calendar(),
    )


def decision_clock(case: Case, *, as_of: date) -> rules.PausedDeadline:
    assert case.filed_on is not None
    split = _pauses(case, case.pauses.all())
    return rules.decision_deadline(
        case.filed_on,
        as_of=as_of,
        extended=case.decision_extended,
        pauses=split.decision,
        calendar=work_calendar(),
    )


def publication_category(case: Case) -> str | None:
    """The decision's category for publication (总局令第45号), None when it imposes no penalty."""
    if not case.penalty or case.penalty == Case.Penalty.NONE:
        return None
    return rules.penalty_category(
        warning=case.penalty == Case.Penalty.WARNING,
        criticism=case.penalty == Case.Penalty.CRITICISM,
        fine=case.fine or 0,
        small_fine_limit=settings.SUPERVISION_SMALL_FINE_LIMIT,
        other=case.penalty == Case.Penalty.CONFISCATION or bool(case.confiscated),
    )


def _clock(
    code: str,
    deadline: rules.Deadline | rules.PausedDeadline,
    *,
    today: date,
    met_on: date | None,
    reasons: Iterable[str] = (),
    note: str = "",
) -> CaseClock:
    work = work_calendar()
    if met_on is not None and deadline.deadline is not None:
        late = met_on > deadline.deadline
        state = rules.State.OVERDUE.value if late else "done"
        label = _("逾期完成") if late else _("已按期完成")
        days_left = 0
        years = deadline.provisional_years
    else:
        late = False
        now = rules.clock_state(deadline, today=today, calendar=work)
        state, label, days_left, years = now.state, _(now.label), now.days_left, now.provisional_years
    return CaseClock(
        code=code,
        label=str(CLOCK_LABELS[code]),
        article=_(deadline.article),
        deadline=deadline.deadline,
        state=state,
        state_label=label,
        days_left=days_left,
        kind=deadline.kind,
        count=deadline.count,
        met_on=met_on,
        late=late,
        pause_reasons=tuple(reasons),
        provisional_years=tuple(years),
        note=note,
    )


def case_clocks(case: Case, *, today: date | None = None) -> list[CaseClock]:
    """The clocks of ``case`` that have started, each with its article, deadline and state on ``today``."""
    today = today or clock.today()
    work = work_calendar()
    split = _pauses(case, case.pauses.all())
    clocks: list[CaseClock] = []
    if case.status == Case.Status.NOT_FILED:
        return clocks
    filing_met = case.filed_on
    filing = rules.filing_deadline(
        case.clue_received_on,
        as_of=filing_met or today,
        extended=case.filing_extended,
        pauses=split.filing,
        calendar=work,
    )
    clocks.append(_clock(FILING, filing, today=today, met_on=filing_met, reasons=split.filing_reasons))
    if case.filed_on is None:
        return clocks
    decision = rules.decision_deadline(
        case.filed_on,
        as_of=case.decided_on or today,
        extended=case.decision_extended,
        pauses=split.decision,
        calendar=work,
    )
    clocks.append(_clock(DECISION, decision, today=today, met_on=case.decided_on, reasons=split.decision_reasons))
    if case.notified_on is not None:
        hearing = rules.hearing_request_deadline(case.notified_on, calendar=work)
        requested = case.events.filter(step="hearing").values_list("on", flat=True).first()
        if requested is None and (case.decided_on is not None or today > hearing.deadline):
            # The party let the time pass: the clock is over, not overdue (it is the party's right, not a duty).
            clocks.append(
                CaseClock(
                    code=HEARING,
                    label=str(CLOCK_LABELS[HEARING]),
                    article=_(hearing.article),
                    deadline=hearing.deadline,
                    state="done",
                    state_label=_("期限届满未申请"),
                    days_left=0,
                    kind=hearing.kind,
                    count=hearing.count,
                    met_on=None,
                    late=False,
                    provisional_years=hearing.provisional_years,
                )
            )
        else:
            clocks.append(_clock(HEARING, hearing, today=today, met_on=requested))
    if case.decided_on is not None:
        service = rules.service_deadline(case.decided_on, calendar=work)
        clocks.append(_clock(SERVICE, service, today=today, met_on=case.served_on))
        category = publication_category(case)
        if category is not None:
            published = rules.publication_deadline(case.decided_on, category=category, calendar=work)
            if published is not None:
                publication = Publication.objects.filter(case=case).only("published_at").first()
                met = clock.local_date(publication.published_at) if publication else None
                clocks.append(_clock(PUBLICATION, published, today=today, met_on=met))
    if case.served_on is not None and case.fine:
        payment = rules.payment_deadline(case.served_on, calendar=work)
        note = ""
        if case.paid_on is not None:
            surcharge = rules.late_payment_surcharge(case.fine, due_on=payment.deadline, paid_on=case.paid_on)
            note = _("加处罚款 %(amount)s 元") % {"amount": surcharge} if surcharge else ""
        clocks.append(_clock(PAYMENT, payment, today=today, met_on=case.paid_on, note=note))
    return clocks


def cases_with_clock_state(user: User | None, states: Iterable[str], *, today: date | None = None) -> list[Case]:
    """The open cases ``user`` sees that have a running clock in one of ``states`` (``near``, ``due_today``,
    ``overdue``, ``paused``): for the warnings center. Each case carries the matching clocks as ``.warned``."""
    wanted = set(states)
    today = today or clock.today()
    open_cases = (
        cases_visible_to(user)
        .exclude(status__in=[Case.Status.CLOSED, Case.Status.NOT_FILED])
        .select_related("party", "region")
        .prefetch_related("pauses")
    )
    found = []
    for case in open_cases:
        hits = [c for c in case_clocks(case, today=today) if c.state in wanted and c.met_on is None]
        if hits:
            case.warned = hits  # type: ignore[attr-defined]
            found.append(case)
    return found


# ---------------------------------------------------------------------------------------------------------------
# The public


def public_decisions(today: date | None = None) -> QuerySet[Publication]:
    """Published decisions still shown: not withdrawn and ``today`` on or before their last day."""
    today = today or clock.today()
    return (
        Publication.objects.filter(kind=Publication.Kind.DECISION, withdrawn_at__isnull=True, case__isnull=False)
        .filter(Q(visible_until__isnull=True) | Q(visible_until__gte=today))
        .select_related("region")
        .order_by("-published_at", "-id")
    )


def public_decision_get(pk: int) -> Publication:
    row = public_decisions().filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("处罚决定不存在或已不再公示"))
    return row


def publications_of(user: User | None, case: Case) -> QuerySet[Publication]:
    """Staff see the case's publication, withdrawn or not."""
    if is_party(user, case):
        return Publication.objects.none()
    return Publication.objects.filter(case=case)


# ---------------------------------------------------------------------------------------------------------------
# Where a new case comes from


def rectification_for_case(user: User | None, pk: int) -> Rectification:
    """A rectification in the actor's region that may still be escalated to a case."""
    row = (
        scoped(Rectification.objects.all(), user, region="region_id")
        .exclude(status__in=[Rectification.Status.CLOSED, Rectification.Status.ESCALATED])
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFoundOrForbidden(_("责令改正记录不存在或不能转立案"))
    return row


def inspection_for_case(user: User | None, pk: int) -> Inspection:
    row = (
        scoped(Inspection.objects.all(), user, region="region_id").select_related("organization").filter(pk=pk).first()
    )
    if row is None:
        raise NotFoundOrForbidden(_("检查记录不存在"))
    return row


def penalty_label(value: str) -> str:
    """The penalty's name as the publication shows it ("" for an unknown value)."""
    return str(Case.Penalty(value).label) if value in Case.Penalty.values else ""


@dataclass(frozen=True)
class PaymentDue:
    deadline: date
    surcharge: Decimal
    total: Decimal
    article: str


def payment_due(case: Case, *, on: date) -> PaymentDue | None:
    """What the party owes if it pays ``on``: the fine and, after the payment deadline (行政处罚法 Art. 67), the
    late-payment surcharge (Art. 72). None when there is no fine or the decision is not served yet."""
    if not case.fine or case.served_on is None:
        return None
    deadline = rules.payment_deadline(case.served_on, calendar=work_calendar()).deadline
    surcharge = rules.late_payment_surcharge(case.fine, due_on=deadline, paid_on=on)
    return PaymentDue(deadline, surcharge, case.fine + surcharge, _(rules.ART_SURCHARGE))
