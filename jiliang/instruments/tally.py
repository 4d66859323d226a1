"""Keeping :class:`~jiliang.instruments.models.DueTally` in step with the registry.

Every write path calls one of these inside its own transaction:

- single rows (services): :func:`key_of` before and after the change, then :func:`apply`;
- bulk writes (import): :func:`add_rows` over the rows just written;
- whole loads (demo city) and repairs: :func:`rebuild`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from .models import DueTally, Instrument

NO_DUE = date(9999, 12, 31)
Key = tuple[int, date, bool]


def due_state_filters(today: date, soon_days: int, *, verified: Q, never: Q, undated: bool = True) -> dict[str, Q]:
    """The condition of each counted due state (valid, due soon, overdue, never) over rows already in use and
    mandatory, matching :func:`jiliang.metrology.due.due_state` row by row; the one place these dates are set.

    ``verified`` / ``never``: how a row says it has a last verification or none (the registry's
    ``last_verification``, the tally's ``verified``). ``undated``: rows may have no due date, which counts as
    valid (the tally keeps those under :data:`NO_DUE` instead).
    """
    soon = today + timedelta(days=soon_days)
    valid = Q(due_on__isnull=True) | Q(due_on__gt=soon) if undated else Q(due_on__gt=soon)
    return {
        Instrument.DueState.VALID.value: verified & valid,
        Instrument.DueState.DUE_SOON.value: verified & Q(due_on__gte=today, due_on__lte=soon),
        Instrument.DueState.OVERDUE.value: verified & Q(due_on__lt=today),
        Instrument.DueState.NEVER.value: never,
    }


def key_of(instrument: Instrument) -> Key | None:
    """The tally key of one instrument, or None when it is not an in-use mandatory instrument."""
    if not instrument.mandatory or instrument.status != Instrument.Status.IN_USE:
        return None
    return (instrument.region_id, instrument.due_on or NO_DUE, instrument.last_verification_id is not None)


def change(before: Key | None, after: Key | None) -> None:
    """Move one instrument from ``before`` to ``after`` (either may be None)."""
    if before == after:
        return
    deltas: Counter[Key] = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    apply(deltas)


def apply(deltas: Counter[Key] | dict[Key, int]) -> None:
    """Add each delta to its key, creating the key when it is new (one upsert per key)."""
    rows = [(region, due_on, verified, n) for (region, due_on, verified), n in deltas.items() if n]
    if not rows:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("tally.apply must run inside the writer's transaction")
    table = DueTally._meta.db_table
    # ON CONFLICT … DO UPDATE works on SQLite ≥ 3.24 and PostgreSQL, so concurrent writers never lose a count.
    sql = (
        f"INSERT INTO {table} (region_id, due_on, verified, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (region_id, due_on, verified) DO UPDATE SET count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _grouped(qs: QuerySet[Instrument]) -> Counter[Key]:
    counted: Counter[Key] = Counter()
    rows = (
        qs.filter(mandatory=True, status=Instrument.Status.IN_USE)
        .values("region_id", "due_on")
        .annotate(n=Count("id"), verified_n=Count("last_verification"))
        .order_by()
    )
    for row in rows:
        due_on = row["due_on"] or NO_DUE
        if row["verified_n"]:
            counted[(row["region_id"], due_on, True)] += row["verified_n"]
        if row["n"] - row["verified_n"]:
            counted[(row["region_id"], due_on, False)] += row["n"] - row["verified_n"]
    return counted


def add_rows(qs: QuerySet[Instrument]) -> None:
    """Count rows that were just written in bulk (e.g. one import's rows) into the tally."""
    apply(_grouped(qs))


def rebuild() -> int:
    """Recount the whole tally from the registry; returns the number of keys."""
    with transaction.atomic():
        DueTally.objects.all().delete()
        counted = _grouped(Instrument.objects.all())
        DueTally.objects.bulk_create(
            [DueTally(region_id=r, due_on=d, verified=v, count=n) for (r, d, v), n in counted.items() if n],
            batch_size=5000,
        )
    return len(counted)


def differences() -> dict[Key, tuple[int, int]]:
    """Keys whose stored count differs from a recount: ``{key: (stored, recounted)}``. Empty when in step."""
    stored = Counter({(t.region_id, t.due_on, t.verified): t.count for t in DueTally.objects.all() if t.count})
    recounted = _grouped(Instrument.objects.all())
    return {k: (stored[k], recounted[k]) for k in set(stored) | set(recounted) if stored[k] != recounted[k]}


def due_state_counts_by_region(region_ids: Iterable[int] | None, *, today: date, soon_days: int) -> list[dict]:
    """Counts of in-use mandatory instruments by region and due state, from the tally (regions in scope only)."""
    qs = DueTally.objects.all()
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    states = due_state_filters(today, soon_days, verified=Q(verified=True), never=Q(verified=False), undated=False)
    return list(
        qs.values("region")
        .annotate(**{state: Sum("count", filter=q, default=0) for state, q in states.items()})
        .order_by("region")
    )
