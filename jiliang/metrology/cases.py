"""The statutory clocks of a penalty case and of publication: filing, decision, evidence, hearing, service, payment,
legal review, publication of penalties and of spot-check results, and the summary procedure's ceilings.

Sources (docs/reference/cases.md; confirmed unless marked):

- 《市场监督管理行政处罚程序规定》 (程序规定) Art. 18: the decision whether to file a case;
- 《中华人民共和国行政处罚法》 (2021): Art. 51 (summary procedure), 56 (evidence registered and preserved), 58 (legal
  review), 60 (decision within 90 days of filing), 61 (service), 64 (hearing), 67 (payment), 72 (late-payment
  surcharge), 85 (its "二日、三日、五日、七日" are working days, without the statutory holidays);
- 程序规定 on the decision clock: +30 days with the head's approval, further by collective decision; suspension,
  hearing, announcement, testing, inspection, quarantine and appraisal not counted (the article's number is not
  confirmed here, so the code cites the 程序规定 by name);
- 《市场监督管理行政处罚信息公示规定》 (总局令第45号): publication within 20 working days of the decision, withdrawal
  within 3 working days, warnings alone not published, publication for 3 months or 3 years;
- 《企业信息公示暂行条例》 Art. 6: spot-check results within 20 working days (the spot-check wording is unconfirmed).

**How a clock counts.** Every clock starts on an event day (a clue received, a case filed, a decision served) and
that day never counts (民法典 Art. 201; ``draw.add_working_days``). A *working-day* clock counts working days on the
State Council calendar (``draw.WorkCalendar``, ``data/holidays_cn.json``); a *calendar-day* clock counts every day.
The deadline is the last day still in time. When a calendar-day clock's last day is not a working day (a weekend or
a holiday), it moves to the next working day (``roll_forward``, on by default: the general rule of Chinese
procedure, 民法典 Art. 203, "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"; the 程序规定's own
article to that effect is from memory, unconfirmed). A period in months ends on the same day of the month that many
months later, or that month's last day when it has no such day (民法典 Art. 202: 31 January + 3 months → 30 April).

**Pauses.** A ``Pause(start, end)`` stops a clock on ``start`` (that day does not count) and restarts it on ``end``
(that day counts again); ``end=None`` is a pause not ended yet. A day *counts* when it is after the clock's start,
in no pause, and (for a working-day clock) a working day; the deadline is the day the ``n``-th counted day falls
on. So a pause of ``k`` working days moves a working-day deadline by ``k`` working days, a pause over a weekend alone
does not move it, a pause of length zero (``start == end``) changes nothing, and a pause that starts after the
deadline changes nothing. While an open pause holds a clock that has not run out, the deadline is unknown (None).

>>> from datetime import date
>>> filing_deadline(date(2026, 9, 28), as_of=date(2026, 9, 28)).deadline  # 1-7 October off, Sat 10 October worked
datetime.date(2026, 10, 23)
>>> service_deadline(date(2026, 2, 11)).deadline  # 15-23 February off, Sat 14 February worked
datetime.date(2026, 2, 27)
>>> late_payment_surcharge("10000", due_on=date(2026, 6, 16), paid_on=date(2026, 6, 26))
Decimal('3000.00')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from .draw import WorkCalendar, add_working_days, default_calendar, provisional_years, working_days_between
from .due import add_months


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (Django's ``makemessages`` extracts this name)."""
    return message


class CaseClockError(ValueError):
    """An input a clock cannot count with; the message says what is wrong, in Chinese (a msgid with ``params``).

    >>> str(CaseClockError(gettext_noop("暂停的恢复日 %(end)s 早于开始日 %(start)s"), end="2026-10-01",
    ...                    start="2026-10-02"))
    '暂停的恢复日 2026-10-01 早于开始日 2026-10-02'
    """

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


class Kind(StrEnum):
    WORKING = "working"  # working days on the State Council calendar
    CALENDAR = "calendar"  # every day
    MONTHS = "months"  # whole calendar months (民法典 Art. 202)


class State(StrEnum):
    OK = "ok"
    NEAR = "near"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    PAUSED = "paused"


STATE_LABELS: dict[str, str] = {
    State.OK: gettext_noop("期限内"),
    State.NEAR: gettext_noop("临近期限"),
    State.DUE_TODAY: gettext_noop("今日到期"),
    State.OVERDUE: gettext_noop("已超期"),
    State.PAUSED: gettext_noop("计时暂停"),
}


class Category(StrEnum):
    """What a penalty decision imposes, for its publication (总局令第45号)."""

    WARNING_ONLY = "warning_only"  # 仅警告: not published
    CRITICISM = "criticism"  # 通报批评: published 3 months
    SMALL_FINE = "small_fine"  # 较低数额罚款 (threshold set by the caller): 3 months
    OTHER = "other"  # every other decision: 3 years


class Party(StrEnum):
    PERSON = "person"  # 公民
    ORGANISATION = "organisation"  # 法人或者其他组织


# The articles, as msgids a page shows beside a date ("依据 …").
ART_FILING = gettext_noop("《市场监督管理行政处罚程序规定》第十八条")
ART_DECISION = gettext_noop("《行政处罚法》第六十条")
ART_DECISION_EXTENDED = gettext_noop("《行政处罚法》第六十条、《市场监督管理行政处罚程序规定》")
ART_PRESERVATION = gettext_noop("《行政处罚法》第五十六条、第八十五条")
ART_LEGAL_REVIEW = gettext_noop("《行政处罚法》第五十八条")
ART_HEARING = gettext_noop("《行政处罚法》第六十四条、第八十五条")
ART_SERVICE = gettext_noop("《行政处罚法》第六十一条、第八十五条")
ART_PAYMENT = gettext_noop("《行政处罚法》第六十七条")
ART_SURCHARGE = gettext_noop("《行政处罚法》第七十二条")
ART_SUMMARY = gettext_noop("《行政处罚法》第五十一条")
ART_PUBLICATION = gettext_noop("《市场监督管理行政处罚信息公示规定》")
ART_SPOT_CHECK = gettext_noop("《企业信息公示暂行条例》第六条")

FILING_DAYS = 15  # 程序规定 Art. 18, working days, +15 with the head's approval
DECISION_DAYS = 90  # 行政处罚法 Art. 60, calendar days (not one of Art. 85's working-day limits)
DECISION_EXTENSION_DAYS = 30  # 程序规定, with the head's approval
PRESERVATION_DAYS = 7  # 行政处罚法 Art. 56 + Art. 85: working days
HEARING_REQUEST_DAYS = 5  # 行政处罚法 Art. 64 + Art. 85: working days
HEARING_NOTICE_DAYS = 7  # 行政处罚法 Art. 64 + Art. 85: working days
SERVICE_DAYS = 7  # 行政处罚法 Art. 61 + Art. 85: working days
PAYMENT_DAYS = 15  # 行政处罚法 Art. 67, calendar days
SURCHARGE_RATE = Decimal("0.03")  # 行政处罚法 Art. 72: 3 % of the fine a day, at most the fine
LEGAL_REVIEW_DAYS = 10  # unconfirmed: a parameter's default
PUBLICATION_DAYS = 20  # 总局令第45号, working days
WITHDRAWAL_DAYS = 3  # 总局令第45号, working days
SPOT_CHECK_PUBLICATION_DAYS = 20  # unconfirmed for spot checks: a parameter's default
SHORT_PUBLICATION_MONTHS = 3
LONG_PUBLICATION_MONTHS = 36
SUMMARY_CEILINGS: dict[str, Decimal] = {Party.PERSON: Decimal("200"), Party.ORGANISATION: Decimal("3000")}

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Pause:
    """A time that does not count: from ``start`` (not counted) until ``end`` (counted again); ``end=None``: open."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise CaseClockError(
                gettext_noop("暂停的恢复日 %(end)s 早于开始日 %(start)s"), end=self.end, start=self.start
            )

    def holds(self, day: date) -> bool:
        """Whether ``day`` falls in the pause (and so does not count)."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Deadline:
    """The last day still in time for one step of a case, with what a page shows beside it.

    ``kind``: a ``Kind`` value; ``count``: the limit in that kind's unit; ``article``: the msgid of the article;
    ``provisional_years``: calendar years counted over whose State Council notice is not confirmed (the date may move
    when it is entered); ``rolled_from``: the day a calendar-day deadline fell on before it moved to a working day.
    """

    deadline: date
    kind: str
    count: int
    start: date
    article: str
    provisional_years: tuple[int, ...] = ()
    rolled_from: date | None = None


@dataclass(frozen=True)
class PausedDeadline:
    """A deadline counted around pauses, and where the clock stands on ``as_of``.

    ``deadline`` is None while an open pause holds a clock that has not run out. ``used``: the counted days in
    (start, as_of]; ``left``: ``count - used``, negative once the clock has run out. ``paused``: a pause holds
    ``as_of``.
    """

    deadline: date | None
    kind: str
    count: int
    start: date
    article: str
    as_of: date
    paused: bool
    used: int
    left: int
    provisional_years: tuple[int, ...] = ()
    rolled_from: date | None = None


@dataclass(frozen=True)
class ClockState:
    """How a deadline looks on ``today``: ``state`` (a ``State`` value), its ``label`` msgid, and ``days_left`` in the
    clock's kind (working days for a working-day clock, else calendar days; 0 on the day, negative when overdue)."""

    state: str
    label: str
    days_left: int
    deadline: date | None
    kind: str
    article: str
    provisional_years: tuple[int, ...] = ()


def _whole(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CaseClockError(gettext_noop("%(what)s必须是不小于 0 的整数，实为 %(got)r"), what=what, got=value)
    return value


def _next_working_day(day: date, work: WorkCalendar) -> date:
    while not work.is_working_day(day):
        day += timedelta(days=1)
    return day


def deadline_with_pauses(
    start: date,
    count: int,
    *,
    kind: str,
    as_of: date,
    pauses: Iterable[Pause] = (),
    article: str = "",
    roll_forward: bool = True,
    calendar: WorkCalendar | None = None,
) -> PausedDeadline:
    """The ``count``-th counted day after ``start`` (see "Pauses" above), and the clock's state on ``as_of``.

    ``kind`` is ``"working"`` or ``"calendar"``. A calendar-day deadline on a non-working day moves to the next
    working day when ``roll_forward``. The 程序规定 Art. 18 filing clock with a 3-working-day test (12-14 October 2026):

    >>> clock = deadline_with_pauses(date(2026, 9, 28), 15, kind="working", as_of=date(2026, 10, 13),
    ...                              pauses=[Pause(date(2026, 10, 12), date(2026, 10, 15))])
    >>> clock.deadline, clock.paused, clock.used, clock.left
    (datetime.date(2026, 10, 28), True, 5, 10)
    >>> deadline_with_pauses(date(2026, 9, 28), 15, kind="working", as_of=date(2026, 10, 13),
    ...                      pauses=[Pause(date(2026, 10, 12))]).deadline is None
    True
    """
    if kind not in (Kind.WORKING, Kind.CALENDAR):
        raise CaseClockError(gettext_noop("未知的期限类型 %(kind)r"), kind=kind)
    count = _whole(count, gettext_noop("期限天数"))
    work = calendar or default_calendar()
    held = tuple(pauses)

    def counts(day: date) -> bool:
        if any(pause.holds(day) for pause in held):
            return False
        return kind == Kind.CALENDAR or work.is_working_day(day)

    def stopped_for_good(day: date) -> bool:
        return any(pause.end is None and pause.start <= day for pause in held)

    deadline: date | None = start
    day, left = start, count
    while left:
        day += timedelta(days=1)
        if stopped_for_good(day):
            deadline = None
            break
        if counts(day):
            left -= 1
    else:
        deadline = day
    rolled_from = None
    if deadline is not None and kind == Kind.CALENDAR and roll_forward and not work.is_working_day(deadline):
        rolled_from, deadline = deadline, _next_working_day(deadline, work)

    used = sum(1 for offset in range(1, (as_of - start).days + 1) if counts(start + timedelta(days=offset)))
    last = max(day, as_of, deadline or start)
    return PausedDeadline(
        deadline=deadline,
        kind=str(kind),
        count=count,
        start=start,
        article=article,
        as_of=as_of,
        paused=any(pause.holds(as_of) for pause in held),
        used=used,
        left=count - used,
        provisional_years=provisional_years(start, last, calendar=work),
        rolled_from=rolled_from,
    )


def _plain(
    start: date, count: int, kind: str, article: str, calendar: WorkCalendar | None, roll_forward: bool = True
) -> Deadline:
    clock = deadline_with_pauses(
        start, count, kind=kind, as_of=start, article=article, roll_forward=roll_forward, calendar=calendar
    )
    assert clock.deadline is not None  # no pause: the clock always runs out
    return Deadline(
        deadline=clock.deadline,
        kind=clock.kind,
        count=count,
        start=start,
        article=article,
        provisional_years=clock.provisional_years,
        rolled_from=clock.rolled_from,
    )


def filing_deadline(
    clue_received_on: date,
    *,
    as_of: date,
    extended: bool = False,
    pauses: Iterable[Pause] = (),
    calendar: WorkCalendar | None = None,
) -> PausedDeadline:
    """程序规定 Art. 18: a clue is checked and the head decides whether to file within 15 working days of the day the
    clue was found or the material received; +15 working days with the head's approval (``extended``); the time
    of testing, inspection, quarantine, appraisal and the right-holder's identification is not counted (``pauses``).

    >>> filing_deadline(date(2026, 9, 28), as_of=date(2026, 9, 28), extended=True).deadline
    datetime.date(2026, 11, 13)
    """
    return deadline_with_pauses(
        clue_received_on,
        FILING_DAYS * (2 if extended else 1),
        kind=Kind.WORKING,
        as_of=as_of,
        pauses=pauses,
        article=ART_FILING,
        calendar=calendar,
    )


def decision_deadline(
    filed_on: date,
    *,
    as_of: date,
    extended: bool = False,
    further_days: int = 0,
    pauses: Iterable[Pause] = (),
    roll_forward: bool = True,
    calendar: WorkCalendar | None = None,
) -> PausedDeadline:
    """行政处罚法 Art. 60: the decision within 90 days of filing (calendar days: Art. 85 makes only its 2-, 3-, 5- and
    7-day limits working days). 程序规定: +30 days with the head's approval (``extended``); beyond that a further
    period set by the heads' collective decision (``further_days``); suspension, hearing, announcement, testing,
    inspection, quarantine, appraisal and ordered refunds are not counted (``pauses``).

    >>> decision_deadline(date(2026, 3, 4), as_of=date(2026, 3, 4)).deadline
    datetime.date(2026, 6, 2)
    >>> decision_deadline(date(2026, 3, 4), as_of=date(2026, 3, 4), extended=True).deadline
    datetime.date(2026, 7, 2)
    """
    further = _whole(further_days, gettext_noop("集体讨论决定延长的天数"))
    days = DECISION_DAYS + (DECISION_EXTENSION_DAYS if extended else 0) + further
    return deadline_with_pauses(
        filed_on,
        days,
        kind=Kind.CALENDAR,
        as_of=as_of,
        pauses=pauses,
        article=ART_DECISION_EXTENDED if extended or further else ART_DECISION,
        roll_forward=roll_forward,
        calendar=calendar,
    )


def preservation_decision_deadline(registered_on: date, *, calendar: WorkCalendar | None = None) -> Deadline:
    """行政处罚法 Art. 56: evidence registered and preserved (先行登记保存) is decided on within 7 days, working days
    by Art. 85.

    >>> preservation_decision_deadline(date(2026, 9, 24)).deadline  # 25-27 Sept. and 1-7 Oct. off
    datetime.date(2026, 10, 12)
    """
    return _plain(registered_on, PRESERVATION_DAYS, Kind.WORKING, ART_PRESERVATION, calendar)


def legal_review_deadline(
    received_on: date, *, days: int = LEGAL_REVIEW_DAYS, calendar: WorkCalendar | None = None
) -> Deadline:
    """行政处罚法 Art. 58 requires a legal review (法制审核) before major decisions; the review's 10 working days from
    receipt of the file are **unconfirmed** (the 程序规定's figure as remembered), hence a parameter.

    >>> legal_review_deadline(date(2026, 9, 28)).deadline
    datetime.date(2026, 10, 16)
    """
    return _plain(received_on, _whole(days, gettext_noop("审核期限")), Kind.WORKING, ART_LEGAL_REVIEW, calendar)


def hearing_request_deadline(notified_on: date, *, calendar: WorkCalendar | None = None) -> Deadline:
    """行政处罚法 Art. 64(1): a hearing is requested within 5 days of the notice of the intended penalty, working
    days by Art. 85; ``notified_on`` is the day the party received the notice.

    >>> hearing_request_deadline(date(2026, 4, 29)).deadline  # 1-5 May off, Sat 9 May worked
    datetime.date(2026, 5, 9)
    """
    return _plain(notified_on, HEARING_REQUEST_DAYS, Kind.WORKING, ART_HEARING, calendar)


def hearing_notice_latest(hearing_on: date, *, calendar: WorkCalendar | None = None) -> Deadline:
    """行政处罚法 Art. 64(2): the party is told the hearing's time and place 7 days before it, working days by Art. 85.
    The latest day to send the notice is the 7th working day before the hearing, so that the hearing falls on the
    7th working day after the notice at the earliest (the notice's own day not counting, as in every clock here).
    ``start`` of the result is the hearing day and ``count`` is 7, counted backwards.

    >>> hearing_notice_latest(date(2026, 5, 13)).deadline  # back across 1-5 May; Sat 9 May worked
    datetime.date(2026, 4, 30)
    """
    work = calendar or default_calendar()
    day = add_working_days(hearing_on, -HEARING_NOTICE_DAYS, calendar=work)
    return Deadline(
        deadline=day,
        kind=Kind.WORKING.value,
        count=HEARING_NOTICE_DAYS,
        start=hearing_on,
        article=ART_HEARING,
        provisional_years=provisional_years(day, hearing_on, calendar=work),
    )


def service_deadline(decided_on: date, *, calendar: WorkCalendar | None = None) -> Deadline:
    """行政处罚法 Art. 61: the decision is handed over when announced; when the party is absent, it is served within
    7 days, working days by Art. 85.

    >>> service_deadline(date(2026, 9, 30)).deadline  # 1-7 October off, Sat 10 October worked
    datetime.date(2026, 10, 15)
    """
    return _plain(decided_on, SERVICE_DAYS, Kind.WORKING, ART_SERVICE, calendar)


def payment_deadline(served_on: date, *, roll_forward: bool = True, calendar: WorkCalendar | None = None) -> Deadline:
    """行政处罚法 Art. 67: the fine is paid within 15 days of receiving the decision (calendar days), the last day
    moved to the next working day when it is a weekend or holiday (``roll_forward``, unconfirmed: see the module).

    >>> payment_deadline(date(2026, 6, 1)).deadline
    datetime.date(2026, 6, 16)
    >>> clock = payment_deadline(date(2026, 9, 16))  # day 15 is 1 October, National Day
    >>> clock.deadline, clock.rolled_from
    (datetime.date(2026, 10, 8), datetime.date(2026, 10, 1))
    """
    return _plain(served_on, PAYMENT_DAYS, Kind.CALENDAR, ART_PAYMENT, calendar, roll_forward)


def _money(value: Decimal | int | str, what: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise CaseClockError(gettext_noop("%(what)s不是金额：%(got)r"), what=what, got=value) from None
    if not amount.is_finite() or amount < 0 or isinstance(value, bool):
        raise CaseClockError(gettext_noop("%(what)s不是金额：%(got)r"), what=what, got=value)
    return amount


def days_late(due_on: date, paid_on: date) -> int:
    """Calendar days from the deadline to the payment: 0 when paid on or before the deadline.

    >>> days_late(date(2026, 6, 16), date(2026, 6, 17)), days_late(date(2026, 6, 16), date(2026, 6, 16))
    (1, 0)
    """
    return max(0, (paid_on - due_on).days)


def late_payment_surcharge(fine: Decimal | int | str, *, due_on: date, paid_on: date) -> Decimal:
    """行政处罚法 Art. 72(1): a fine not paid by its deadline (``payment_deadline``) grows by 3 % of the fine for each
    day late, the surcharge never more than the fine. In yuan, rounded half up to the fen.

    >>> late_payment_surcharge(Decimal("10000"), due_on=date(2026, 6, 16), paid_on=date(2026, 6, 17))
    Decimal('300.00')
    >>> late_payment_surcharge(10000, due_on=date(2026, 6, 16), paid_on=date(2026, 7, 26))  # 40 days: capped
    Decimal('10000.00')
    """
    amount = _money(fine, gettext_noop("罚款数额"))
    surcharge = min(amount * SURCHARGE_RATE * days_late(due_on, paid_on), amount)
    return surcharge.quantize(FEN, rounding=ROUND_HALF_UP)


def summary_procedure_allowed(fine: Decimal | int | str, *, party: str) -> bool:
    """行政处罚法 Art. 51: a penalty decided on the spot (简易程序) is a warning or a fine of at most ¥200 for a person
    (公民) or ¥3,000 for an organisation (法人或者其他组织); "以下" includes the ceiling. A fine of 0 is a warning.

    >>> summary_procedure_allowed(200, party="person"), summary_procedure_allowed("200.01", party="person")
    (True, False)
    >>> summary_procedure_allowed(3000, party="organisation")
    True
    """
    if party not in SUMMARY_CEILINGS:
        raise CaseClockError(gettext_noop("未知的当事人类型 %(party)r"), party=party)
    return _money(fine, gettext_noop("罚款数额")) <= SUMMARY_CEILINGS[party]


def penalty_category(
    *, warning: bool, criticism: bool, fine: Decimal | int | str, small_fine_limit: Decimal | int | str, other: bool
) -> str:
    """The publication category of a decision (总局令第45号): a warning alone; 通报批评 or a small fine without
    anything heavier; otherwise ``other``. ``other`` says whether the decision imposes anything beyond a warning,
    通报批评 and a fine (confiscation, suspension, revocation…). The threshold of a "较低数额罚款" is set by each
    province and is **not known here**: ``small_fine_limit`` has no default, and a fine at or below it is small.

    >>> penalty_category(warning=True, criticism=False, fine=0, small_fine_limit=10000, other=False)
    'warning_only'
    >>> penalty_category(warning=True, criticism=False, fine=5000, small_fine_limit=10000, other=False)
    'small_fine'
    """
    amount = _money(fine, gettext_noop("罚款数额"))
    limit = _money(small_fine_limit, gettext_noop("较低数额罚款的上限"))
    if other or amount > limit:
        return Category.OTHER.value
    if amount > 0:
        return Category.SMALL_FINE.value
    if criticism:
        return Category.CRITICISM.value
    if warning:
        return Category.WARNING_ONLY.value
    raise CaseClockError(gettext_noop("处罚决定没有任何处罚内容"))


def _category(category: str) -> Category:
    try:
        return Category(category)
    except ValueError:
        raise CaseClockError(gettext_noop("未知的公示类别 %(category)r"), category=category) from None


def publication_required(category: str) -> bool:
    """总局令第45号: a decision imposing a warning only is not published; every other one is.

    >>> publication_required("warning_only"), publication_required("small_fine")
    (False, True)
    """
    return _category(category) != Category.WARNING_ONLY


def publication_deadline(
    decided_on: date, *, category: str, days: int = PUBLICATION_DAYS, calendar: WorkCalendar | None = None
) -> Deadline | None:
    """总局令第45号: a penalty decision is published on the national enterprise credit publicity system within 20
    working days of the decision (same province); None for a decision that is not published (a warning only).

    >>> publication_deadline(date(2026, 9, 21), category="other").deadline  # across 中秋 and National Day
    datetime.date(2026, 10, 26)
    >>> publication_deadline(date(2026, 9, 21), category="warning_only") is None
    True
    """
    if not publication_required(category):
        return None
    return _plain(decided_on, _whole(days, gettext_noop("公示期限")), Kind.WORKING, ART_PUBLICATION, calendar)


def withdrawal_deadline(changed_on: date, *, calendar: WorkCalendar | None = None) -> Deadline:
    """总局令第45号: a published decision that is revoked or changed is withdrawn within 3 working days.

    >>> withdrawal_deadline(date(2026, 9, 30)).deadline  # 1-7 October off, Sat 10 October worked
    datetime.date(2026, 10, 10)
    """
    return _plain(changed_on, WITHDRAWAL_DAYS, Kind.WORKING, ART_PUBLICATION, calendar)


def publication_end(published_on: date, *, category: str) -> Deadline:
    """总局令第45号: the last day a decision stays published: 3 months (warnings, 通报批评, small fines) or 3 years
    (others) from the day of publication. The day of publication does not count (民法典 Art. 201) and a period in
    months ends on the same day of the month, or on that month's last day when it has none (Art. 202); the decision
    is taken down the next day. No working-day calendar is involved (``provisional_years`` is empty).

    >>> publication_end(date(2026, 1, 31), category="small_fine").deadline
    datetime.date(2026, 4, 30)
    >>> publication_end(date(2026, 1, 31), category="other").deadline
    datetime.date(2029, 1, 31)
    """
    short = _category(category) != Category.OTHER
    months = SHORT_PUBLICATION_MONTHS if short else LONG_PUBLICATION_MONTHS
    return Deadline(
        deadline=add_months(published_on, months),
        kind=Kind.MONTHS.value,
        count=months,
        start=published_on,
        article=ART_PUBLICATION,
    )


def spot_check_publication_deadline(
    result_on: date, *, days: int = SPOT_CHECK_PUBLICATION_DAYS, calendar: WorkCalendar | None = None
) -> Deadline:
    """Spot-check results (双随机、一公开) are published within 20 working days of the result: the general rule of
    企业信息公示暂行条例 Art. 6 is confirmed, its spot-check wording is **unconfirmed**, hence a parameter.

    >>> spot_check_publication_deadline(date(2026, 9, 21)).deadline
    datetime.date(2026, 10, 26)
    """
    return _plain(result_on, _whole(days, gettext_noop("公示期限")), Kind.WORKING, ART_SPOT_CHECK, calendar)


def clock_state(
    clock: Deadline | PausedDeadline, *, today: date, near: int = 3, calendar: WorkCalendar | None = None
) -> ClockState:
    """The state of a clock on ``today``, for pages and warnings: ``overdue`` after the deadline, ``due_today`` on it,
    ``near`` within ``near`` working days of it (whatever the clock's kind), ``ok`` before that, ``paused`` while an
    open pause holds the clock (``days_left`` is then the counted days left). ``days_left`` is in the clock's kind:
    working days for a working-day clock (the working days in (today, deadline], or minus those in [deadline,
    today)), else calendar days. ``provisional_years`` adds the years between today and the deadline.

    >>> deadline = filing_deadline(date(2026, 9, 28), as_of=date(2026, 9, 28))
    >>> state = clock_state(deadline, today=date(2026, 10, 20))
    >>> state.state, state.days_left
    ('near', 3)
    """
    _whole(near, gettext_noop("临近期限的工作日数"))
    work = calendar or default_calendar()
    due = clock.deadline
    if due is None:
        left = clock.left if isinstance(clock, PausedDeadline) else 0
        return ClockState(
            State.PAUSED.value,
            STATE_LABELS[State.PAUSED],
            left,
            None,
            clock.kind,
            clock.article,
            clock.provisional_years,
        )
    working_left = working_days_between(today, due, calendar=work)
    days_left = working_left if clock.kind == Kind.WORKING else (due - today).days
    if due < today:
        state = State.OVERDUE
    elif due == today:
        state = State.DUE_TODAY
    elif working_left <= near:
        state = State.NEAR
    else:
        state = State.OK
    years = tuple(sorted(set(clock.provisional_years) | set(provisional_years(today, due, calendar=work))))
    return ClockState(state.value, STATE_LABELS[state], days_left, due, clock.kind, clock.article, years)
