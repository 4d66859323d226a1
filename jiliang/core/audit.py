"""The hash-chained audit log.

Every service writes :func:`record` inside its own transaction, so a change and its audit event commit or roll
back together. Each event's hash covers its content and the previous event's hash; ``audit_verify`` recomputes
the chain. (A deletion of the *newest* events is not detectable from the chain alone; anchor the latest hash
elsewhere, e.g. in the published daily report, if that matters.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .models import AuditEvent, User

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(event: AuditEvent) -> str:
    payload = {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_repr": event.actor_repr,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        # Round-trip through JSON so the digest is the same before and after the database stores it.
        "changes": json.loads(_canonical(event.changes)),
        "prev": event.prev_hash,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _lock_chain() -> None:
    # Two transactions must not both append after the same event. SQLite takes its write lock at BEGIN
    # (transaction_mode IMMEDIATE in settings); PostgreSQL needs an explicit lock held to commit.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(727001)")


def _last_hash() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def _actor_repr(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (it refuses to run outside one)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    _lock_chain()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_repr=_actor_repr(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=json.loads(_canonical(changes or {})),
        prev_hash=_last_hash(),
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


def values(obj: Model, *names: str) -> dict[str, Any]:
    """The named fields of ``obj`` as an event's ``changes``: a relation by its key (``organization`` gives
    ``organization_id``, so no row is loaded), any other attribute as it is (a date or a number is stored as
    text, as :func:`record` stores every value).

    >>> from jiliang.core.models import Organization
    >>> values(Organization(name="某站", region_id=7), "name", "region")
    {'name': '某站', 'region': 7}
    """
    found: dict[str, Any] = {}
    for name in names:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        found[name] = getattr(obj, getattr(field, "attname", name))
    return found


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class Break:
    event_id: int
    reason: str


def verify(events: Iterable[AuditEvent] | None = None) -> Break | None:
    """The first event whose hash or link is wrong, or ``None`` when the whole chain holds."""
    previous = GENESIS
    source: Iterator[AuditEvent] = iter(events) if events is not None else AuditEvent.objects.order_by("id").iterator()
    for event in source:
        if event.prev_hash != previous:
            return Break(event.id, "prev_hash does not match the previous event (an event was removed or reordered)")
        if compute_hash(event) != event.hash:
            return Break(event.id, "content does not match its hash (the event was edited)")
        previous = event.hash
    return None
