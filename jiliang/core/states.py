"""Status changes of a record: which status a request names, and whether the record may move to it.

Instruments (in use, stopped, scrapped) and standards (in use, suspended, retired) each declare their allowed moves
as a table ``{current: {targets}}`` beside their service; these steps read any such table the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.errors import DomainError
from jiliang.core.models import User

S = TypeVar("S", bound=models.TextChoices)


def status_parse(statuses: type[S], value: str) -> S:
    """``value`` as one of ``statuses``; a value that is none of them is a domain error on the field "status"."""
    if value not in statuses.values:
        raise DomainError(_("状态无效"), field="status")
    return statuses(value)


def status_check_move(transitions: Mapping[S, Set[S]], current: S, target: S) -> None:
    """Refuse a move the table does not allow, naming both statuses."""
    if target not in transitions[current]:
        raise DomainError(
            _("不能从“%(old)s”改为“%(new)s”") % {"old": current.label, "new": target.label}, field="status"
        )


def status_move(
    actor: User,
    record: Any,
    transitions: Mapping[S, Set[S]],
    target: S,
    *,
    action: str,
    reason: str,
    fields: Sequence[str] = ("status",),
) -> None:
    """Move ``record`` (locked by the caller's transaction) to ``target`` when the table allows it: save its status
    (and ``fields``) and write the move and its ``reason`` to the audit log as ``action``."""
    current = type(target)(record.status)
    status_check_move(transitions, current, target)
    record.status = target
    record.save(update_fields=list(fields))
    audit.record(
        actor=actor, action=action, obj=record, changes={"status": [current.value, target.value], "reason": reason}
    )
