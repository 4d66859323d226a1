"""Reads of the instrument registry, always scoped by the actor's role and region."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import filter_given, scope_of, scoped

from . import tally
from .hooks import verification
from .models import FAILED, Instrument

IN_USE_MANDATORY = Q(mandatory=True, status=Instrument.Status.IN_USE)
# The same condition written as an equality. Django renders mandatory=True as a bare "mandatory", which SQLite
# cannot match against the (owner, mandatory, status, due_on, …) index; within one owner the equality lets it
# use that index (a 10^5-instrument owner's home: 55 → 3 ms per list). Not for city-wide queries: there SQLite
# would then plan through the region index and sort (1 → 325 ms), so only owner-scoped reads use it.
IN_USE_MANDATORY_EQ = Q(mandatory__in=[True], status=Instrument.Status.IN_USE)
# Stopped as failed (``Instrument.stopped_as_failed``), and the instruments that may go into a service request
# (``Instrument.may_be_verified``).
STOPPED_AS_FAILED = Q(status=Instrument.Status.STOPPED, stop_reason=Instrument.StopReason.FAILED_VERIFICATION)
MAY_BE_VERIFIED = Q(status=Instrument.Status.IN_USE) | STOPPED_AS_FAILED


def instruments_visible_to(user: User | None) -> QuerySet[Instrument]:
    """Admin: all; regulator: its region and below; owner: its own; an institute: the instruments of the
    requests routed to it (the one window), whatever their state."""
    scope = scope_of(user)
    if scope.is_institute and scope.organization_id is not None:
        return Instrument.objects.filter(pk__in=verification().routed_instrument_ids(scope.organization_id))
    return scoped(Instrument.objects.all(), user, region="region_id", owner="owner_id")


def instrument_get(user: User | None, instrument_id: int) -> Instrument:
    """One instrument in the actor's scope; missing and out-of-scope look the same."""
    try:
        return (
            instruments_visible_to(user)
            .select_related("owner", "region", "catalog_item", "last_verification", "failure_notice")
            .get(pk=instrument_id)
        )
    except (Instrument.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden(_("计量器具不存在")) from exc


def instrument_records(user: User | None, instrument: Instrument | int) -> list[Any]:
    """The verification and calibration records of one instrument in the actor's scope, newest first, each with
    its certificates (revocation and supersession loaded) in two queries whatever their number."""
    instrument_id = instrument.pk if isinstance(instrument, Instrument) else instrument
    if not instruments_visible_to(user).filter(pk=instrument_id).exists():
        raise NotFoundOrForbidden(_("计量器具不存在"))
    return verification().instrument_records(instrument_id)


def due_state_q(state: str, *, today: date | None = None, owner_scoped: bool = False) -> Q:
    """The filter for one due state, matching :func:`jiliang.metrology.due.due_state` row by row."""
    in_use_mandatory = IN_USE_MANDATORY_EQ if owner_scoped else IN_USE_MANDATORY
    if state == Instrument.DueState.NOT_APPLICABLE:
        return ~in_use_mandatory
    states = _due_state_filters(today or clock.today())
    if state not in states:
        raise ValueError(f"unknown due state {state!r}")
    return in_use_mandatory & states[state]


def _due_state_filters(today: date) -> dict[str, Q]:
    return tally.due_state_filters(
        today,
        settings.JILIANG_DUE_SOON_DAYS,
        verified=Q(last_verification__isnull=False),
        never=Q(last_verification__isnull=True),
    )


def due_instruments(
    *,
    owner_id: int | None = None,
    due_on: Iterable[date] | None = None,
    due_by: date | None = None,
    never_verified: bool = False,
) -> QuerySet[Instrument]:
    """In-use mandatory instruments falling due, of one owner or city-wide (not scoped: for the system's and the
    owner's own reads). Falling due: on one of the dates ``due_on`` (the reminders' thresholds), or by ``due_by``
    (overdue ones too); and, with ``never_verified``, those never verified."""
    qs = Instrument.objects.filter(IN_USE_MANDATORY if owner_id is None else IN_USE_MANDATORY_EQ)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    falling_due = Q()
    if due_on is not None:
        falling_due &= Q(due_on__in=sorted(due_on))
    if due_by is not None:
        falling_due &= Q(due_on__lte=due_by)
    if never_verified:
        falling_due |= Q(last_verification__isnull=True)
    return qs.filter(falling_due)


@dataclass
class InstrumentFilters:
    county: int | None = None
    owner: int | None = None
    catalog_item: int | None = None
    usage: str = ""
    status: str = ""
    due_state: str = ""
    mandatory: bool | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)


def instrument_list(user: User | None, filters: InstrumentFilters) -> QuerySet[Instrument]:
    qs = filter_given(
        instruments_visible_to(user),
        region_id=filters.county,
        owner_id=filters.owner,
        catalog_item_id=filters.catalog_item,
        usage=filters.usage,
        status=filters.status if filters.status != FAILED else "",
        mandatory=filters.mandatory,
    )
    if filters.status == FAILED:
        qs = qs.filter(STOPPED_AS_FAILED)
    if filters.due_state:
        qs = qs.filter(due_state_q(filters.due_state, owner_scoped=scope_of(user).is_owner))
    if filters.q:
        term = filters.q.strip()
        # Owners are few (thousands) next to instruments (millions): resolve matching owners first, then
        # match instruments by owner id or by serial-number prefix, both indexed.
        owner_ids = list(Organization.objects.filter(name__icontains=term).values_list("id", flat=True)[:500])
        # A range rather than LIKE 'x%': SQLite's LIKE is case-insensitive and cannot use the serial index.
        serial_prefix = Q(serial_number__gte=term, serial_number__lt=term + "\uffff")
        qs = qs.filter(serial_prefix | Q(owner_id__in=owner_ids))
    return qs.order_by("-id")


def due_state_counts(
    qs: QuerySet[Instrument], *, group_by: str | None = None, owner_scoped: bool = False
) -> list[dict[str, Any]]:
    """Counts of in-use mandatory instruments by due state (optionally also by ``group_by``), in one query.

    ``owner_scoped``: ``qs`` is one owner's instruments (see IN_USE_MANDATORY_EQ)."""
    base = IN_USE_MANDATORY_EQ if owner_scoped else IN_USE_MANDATORY
    # The rows are already in use and mandatory: the FILTERs test only what differs between the states.
    annotations = {state: Count("id", filter=q) for state, q in _due_state_filters(clock.today()).items()}
    qs = qs.filter(base)
    if group_by:
        return list(qs.values(group_by).annotate(**annotations).order_by(group_by))
    return [qs.aggregate(**annotations)]


def owner_due_counts(user: User | None) -> dict[str, int]:
    """The owner's own counts by due state (an owner's home page)."""
    scope = scope_of(user)
    return due_state_counts(instruments_visible_to(user), owner_scoped=scope.is_owner)[0]


def due_state_counts_by_region(user: User | None) -> list[dict[str, Any]]:
    """Counts of in-use mandatory instruments by region and due state, for the regions the actor regulates.

    Read from the due tally (kept in step by every write), so the city dashboard does not scan 10^6 rows.
    Owners and institutes get no regional counts.
    """
    scope = scope_of(user)
    if not (scope.is_admin or scope.is_regulator):
        return []
    return tally.due_state_counts_by_region(
        scope.region_ids, today=clock.today(), soon_days=settings.JILIANG_DUE_SOON_DAYS
    )
