"""Status changes of a record: which status a request names, and whether the record may move to it.

Instruments (in use, stopped, scrapped) and standards (in use, suspended, retired) each declare their allowed moves
as a table ``{current: {targets}}`` beside their service; these two steps read any such table the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import TypeVar

from django.db import models
from django.utils.translation import gettext as _

from jiliang.core.errors import DomainError

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
