"""Scoped reads for the traceability pages: a standard's chain, the certificates issued with it, and who reads
which certificates of a recall.

Visibility of a standard is its own (``selectors.standards_visible_to``): an institute sees the standards it holds;
a regulator those of organizations in its region and below; an admin all; an owner and anyone else none. An
out-of-scope id answers exactly like a missing one (NotFoundOrForbidden).

Downstream of a visible standard (reverse traceability, the recall list), a certificate is read in full only by a
reader who may see it anywhere else in the platform (:class:`RecallReader`); the others are counted per issuing
institute. The rule is stated in :mod:`jiliang.standards.recall` and docs/recall.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from .models import EquipmentCertificate, Standard
from .selectors import standards_visible_to
from .traceability import Graph, chain_up, load_certificates, reverse_walk

# Ids per query when a whole section is split: keeps IN lists under SQLite's variable limit.
CHUNK = 2_000


@dataclass(frozen=True)
class RecallReader:
    """Which downstream certificates a user reads in full. Nothing by default (owners, anyone unknown).

    - ``everything``: the admin;
    - ``institute_id``: an institute — the instrument certificates it issued; the equipment certificates its own
      standards issued (its customers) or that its own equipment received;
    - ``region_ids``: a regulator — the instrument certificates of its region (as on the certificate list: the
      instrument's region) and the equipment certificates of standards held in its region.
    """

    everything: bool = False
    institute_id: int | None = None
    region_ids: frozenset[int] = frozenset()

    def reads_certificate(self, *, institute_id: int, region_id: int) -> bool:
        return self.everything or institute_id == self.institute_id or region_id in self.region_ids

    def reads_equipment_certificate(
        self, *, issuer_holder_id: int | None, holder_id: int, holder_region_id: int
    ) -> bool:
        if self.everything or holder_region_id in self.region_ids:
            return True
        return self.institute_id is not None and self.institute_id in (issuer_holder_id, holder_id)

    def reads_standard(self, *, holder_id: int, holder_region_id: int, via_holder_id: int | None) -> bool:
        """A suspect standard is named to a reader who reads the certificate that made it suspect: its holder's
        regulator, its holder, or the institute whose standard certified it."""
        return self.reads_equipment_certificate(
            issuer_holder_id=via_holder_id, holder_id=holder_id, holder_region_id=holder_region_id
        )


def recall_reader(user: User | None) -> RecallReader:
    scope = scope_of(user)
    if scope.is_admin:
        return RecallReader(everything=True)
    if scope.is_institute and scope.organization_id is not None:
        return RecallReader(institute_id=scope.organization_id)
    if scope.is_regulator and scope.region_ids:
        return RecallReader(region_ids=scope.region_ids)
    return RecallReader()


def split_equipment_certificates(reader: RecallReader, ids: list[int]) -> tuple[list[int], Counter[int]]:
    """``ids`` (in their order) cut into those ``reader`` reads in full and a count of the others per issuing
    institute (the holder of the standard that issued them). One query per :data:`CHUNK` ids; none for the
    admin."""
    if reader.everything:
        return list(ids), Counter()
    facts: dict[int, tuple[int | None, int, int]] = {}
    for i in range(0, len(ids), CHUNK):
        rows = (
            EquipmentCertificate.objects.filter(id__in=ids[i : i + CHUNK])
            .order_by()
            .values_list(
                "id",
                "issuer_standard__holder_id",
                "equipment__standard__holder_id",
                "equipment__standard__holder__region_id",
            )
        )
        facts.update((cert_id, (issuer, holder, region)) for cert_id, issuer, holder, region in rows)
    listed: list[int] = []
    others: Counter[int] = Counter()
    for cert_id in ids:
        issuer, holder, region = facts[cert_id]
        if reader.reads_equipment_certificate(issuer_holder_id=issuer, holder_id=holder, holder_region_id=region):
            listed.append(cert_id)
        elif issuer is not None:  # the walk follows certificates issued by standards only
            others[issuer] += 1
    return listed, others


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
    """Reverse traceability (see :func:`jiliang.standards.traceability.reverse_trace` for the rule): the equipment
    certificates issued with the standard in the range, recursively down the chain, that ``user`` reads in full
    (:class:`RecallReader`). The standard must be visible to ``user``. The others are counted by
    :func:`jiliang.standards.recall.recall_for`."""
    standard = trace_standard_get(user, standard_id)
    ids = reverse_walk(standard, date_from, date_to).certificate_ids
    listed, _others = split_equipment_certificates(recall_reader(user), ids)
    return load_certificates(listed)
