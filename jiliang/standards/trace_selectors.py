"""Scoped reads for the traceability pages: a standard's chain and the certificates issued with it.

Visibility is the standard's own (``selectors.standards_visible_to``): an institute sees the standards it holds;
a regulator those of organizations in its region and below; an admin all; an owner and anyone else none. An
out-of-scope id answers exactly like a missing one (NotFoundOrForbidden).
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User

from .models import EquipmentCertificate, Standard
from .selectors import standards_visible_to
from .traceability import Graph, chain_up, load_certificates, reverse_trace, reverse_trace_ids


def trace_standard_get(user: User | None, standard_id: int) -> Standard:
    standard = standards_visible_to(user).select_related("holder", "holder__region").filter(pk=standard_id).first()
    if standard is None:
        raise NotFoundOrForbidden(_("计量标准不存在或无权查看"))
    return standard


def visible_standard_ids(user: User | None, ids: set[int]) -> set[int]:
    """Which of ``ids`` the user may open (the chain page links only those)."""
    return set(standards_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def standard_chain(user: User | None, standard_id: int, day: date) -> tuple[Standard, Graph]:
    standard = trace_standard_get(user, standard_id)
    return standard, chain_up(standard, day)


def certificates_issued_with(
    user: User | None, standard_id: int, date_from: date, date_to: date
) -> list[EquipmentCertificate]:
    """Reverse traceability (see :func:`jiliang.standards.traceability.reverse_trace` for the rule): every
    equipment certificate issued with the standard in the range, recursively down the chain. The standard must be
    visible to ``user``; the certificates found downstream are listed whoever holds them, because recalling them
    is the point of the question."""
    standard = trace_standard_get(user, standard_id)
    return reverse_trace(standard, date_from, date_to)


def certificates_issued_with_page(
    user: User | None, standard_id: int, date_from: date, date_to: date, *, limit: int
) -> tuple[int, list[EquipmentCertificate]]:
    """The count of :func:`certificates_issued_with` and its first ``limit`` certificates, without loading the
    rest (the whole history of a city's highest standard reaches tens of thousands)."""
    standard = trace_standard_get(user, standard_id)
    ids = reverse_trace_ids(standard, date_from, date_to)
    return len(ids), load_certificates(ids[:limit])
