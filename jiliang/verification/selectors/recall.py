"""The recall list (召回清单): a standard found out of tolerance since a date — every certificate whose values
may have come from it.

Two sections:

- instrument certificates (器具证书): every certificate of an instrument whose verification or calibration used a
  suspect standard on a suspect day. The suspect standards and their windows come from the reverse walk
  (:func:`jiliang.standards.selectors.traceability.reverse_walk`): the standard asked about from ``date_from``; a
  standard whose equipment it certified, from that certificate's issue date; and so on down the chain. A record used a
  standard T on day d (``StandardUse``: T, d copied from the record); its certificate is suspect when
  T's window start ≤ d ≤ ``date_to``. Superseded and revoked certificates are listed too, with their status: the
  owner may still hold the paper.
- equipment certificates (标准设备证书): the walk's own list (the certificates of standard equipment issued down
  the chain), as on the reverse-traceability page.

Who reads what (docs/recall.md):

- Opening a recall: the standard asked about must be visible to the user
  (``jiliang.standards.selectors.traceability.trace_standard_get``: its holder institute, the regulators of its
  region and above, the admin). Owners, other institutes, the regulators of other counties and anonymous visitors
  get 404 (401 on the API), as for a missing standard.
- Inside it, a certificate is listed in full (number, owner, credit code, instrument, serial, county …) only to a
  reader who may see that certificate anywhere else in the platform
  (``jiliang.standards.selectors.traceability.RecallReader``):

  - an institute: the instrument certificates it issued; the equipment certificates its own standards issued
    (its customers) or its own equipment received;
  - a regulator: the certificates of its region (the instrument's region; for equipment, the region of the
    standard's holder) — the city bureau therefore all of its city's, a county bureau its county's;
  - the admin: everything.

- Every other certificate found is counted, per issuing institute (:class:`InstituteCount`: the institute's name
  and how many instrument and equipment certificates): the holder of a suspect standard learns whom to notify and
  how much is at stake, never the other institutes' customers. Each downstream institute opens the recall of its
  own suspect standard (from the day it was certified, which the equipment section gives) and reads its own
  certificates in full; the city bureau reads them all. The counts are of the whole recall: the totals
  (``instrument_count``, ``equipment_count``) are the listed ones plus the counted ones.
- A suspect standard further down the chain is named (on the API) only to a reader of the certificate that made it
  suspect.
- Not implemented: a recall case (an opened, audited recall event that would let the holder institute read other
  institutes' certificates in full). Without one, the rule above holds for any date range.

Cost: the walk (one query per level), then one query over ``StandardUse`` alone on its (standard, performed_on)
index — record ids, days and the standard used; a record has one certificate — then one query for a page of rows.
For any reader but the admin, one more query per 2,000 certificates found (its institute and region) and one per
2,000 equipment certificates, to cut the lists; one for the counted institutes' names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.models import Organization, User
from jiliang.standards.models import EquipmentCertificate, Standard
from jiliang.standards.selectors.traceability import (
    RecallReader,
    ReverseWalk,
    load_certificates,
    recall_reader,
    reverse_walk,
    split_equipment_certificates,
    trace_standard_get,
)

from ..models import Certificate, StandardUse
from .certificates import CertificateStatus, certificate_status

# Rows loaded per query when a whole section is read (export): keeps IN lists under SQLite's variable limit.
CHUNK = 2_000
# The reader of an unscoped recall (the admin, a management command, a benchmark).
EVERYTHING = RecallReader(everything=True)


@dataclass(frozen=True)
class InstituteCount:
    """The certificates of a recall that the reader does not read in full, issued by one institute."""

    institute_id: int
    name: str
    instrument_count: int
    equipment_count: int


@dataclass(frozen=True)
class SuspectStandard:
    id: int
    suspect_from: date
    via: int | None


@dataclass
class RecallRow:
    """One instrument certificate of the recall list, with what the list shows."""

    certificate: Certificate
    status: str
    status_label: str
    standard: Standard  # the suspect standard the record used
    path: list[Standard]  # from the standard asked about down to ``standard``
    used_on: date  # the day of the verification (StandardUse.performed_on)

    @property
    def direct(self) -> bool:
        return len(self.path) <= 1

    @property
    def path_label(self) -> str:
        if self.direct:
            return _("直接使用")
        return _("经 %(path)s") % {"path": " → ".join(f"{s.name}（{s.code}）" for s in self.path[:-1])}


@dataclass
class Recall:
    """The recall of ``standard`` over [``date_from``, ``date_to``] as ``reader`` reads it: the walk, the instrument
    certificates found (ids in the order of the day the standard was used, each with the suspect standard its
    record used), those of them and of the equipment certificates listed in full to the reader, and the others
    counted per institute (:meth:`split`). Rows are loaded a page at a time."""

    standard: Standard
    date_from: date
    date_to: date
    walk: ReverseWalk
    # record id → (day the suspect standard was used, its id), in that order; one certificate per record.
    hits: dict[int, tuple[date | str, int]] = field(default_factory=dict)
    reader: RecallReader = EVERYTHING
    # Filled by split(): record ids and equipment certificate ids listed in full (in order), the rest counted.
    listed: list[int] = field(default_factory=list)
    listed_equipment: list[int] = field(default_factory=list)
    others: list[InstituteCount] = field(default_factory=list)
    _standards: dict[int, Standard] = field(default_factory=dict, repr=False)

    @property
    def instrument_count(self) -> int:
        """Every instrument certificate the recall found, listed or counted."""
        return len(self.hits)

    @property
    def listed_instrument_count(self) -> int:
        return len(self.listed)

    @property
    def equipment_ids(self) -> list[int]:
        """The equipment certificates listed in full to the reader, in issue date order."""
        return self.listed_equipment

    @property
    def equipment_count(self) -> int:
        """Every equipment certificate the walk found, listed or counted."""
        return len(self.walk.certificates)

    @property
    def listed_equipment_count(self) -> int:
        return len(self.listed_equipment)

    def split(self) -> None:
        """Cut both sections by what ``reader`` reads in full (module docstring); count the rest per institute."""
        if self.reader.everything:
            self.listed, self.listed_equipment, self.others = list(self.hits), self.walk.certificate_ids, []
            return
        ids = list(self.hits)
        facts: dict[int, tuple[int, int]] = {}
        for i in range(0, len(ids), CHUNK):
            rows = (
                Certificate.objects.filter(record_id__in=ids[i : i + CHUNK])
                .order_by()
                .values_list("record_id", "institute_id", "region_id")
            )
            facts.update((record_id, (institute_id, region_id)) for record_id, institute_id, region_id in rows)
        counted: Counter[int] = Counter()
        self.listed = []
        for record_id in ids:
            if record_id not in facts:  # a record without a certificate (see instrument_hits): nothing to recall
                continue
            institute_id, region_id = facts[record_id]
            if self.reader.reads_certificate(institute_id=institute_id, region_id=region_id):
                self.listed.append(record_id)
            else:
                counted[institute_id] += 1
        self.listed_equipment, counted_equipment = split_equipment_certificates(self.reader, self.walk.certificate_ids)
        institutes = set(counted) | set(counted_equipment)
        names = dict(Organization.objects.filter(pk__in=institutes).values_list("pk", "name")) if institutes else {}
        self.others = sorted(
            (
                InstituteCount(
                    institute_id=pk,
                    name=names.get(pk, ""),
                    instrument_count=counted[pk],
                    equipment_count=counted_equipment[pk],
                )
                for pk in institutes
            ),
            key=lambda o: (-o.instrument_count, -o.equipment_count, o.name, o.institute_id),
        )

    def suspect_standards(self) -> list[SuspectStandard]:
        """The suspect standards with the day each became suspect (and through which standard), in that order;
        those further down the chain only when the reader reads the certificate that made them suspect."""
        named = set(self.walk.start)
        if not self.reader.everything:
            holders = {
                pk: (holder_id, region_id)
                for pk, holder_id, region_id in Standard.objects.filter(pk__in=list(self.walk.start))
                .order_by()
                .values_list("pk", "holder_id", "holder__region_id")
            }
            named = {self.standard.pk}
            for sid in self.walk.start:
                via = self.walk.via.get(sid)
                if sid in holders and self.reader.reads_standard(
                    holder_id=holders[sid][0],
                    holder_region_id=holders[sid][1],
                    via_holder_id=holders[via][0] if via in holders else None,
                ):
                    named.add(sid)
        return [
            SuspectStandard(id=sid, suspect_from=start, via=self.walk.via.get(sid))
            for sid, start in sorted(self.walk.start.items(), key=lambda kv: (kv[1], kv[0]))
            if sid in named
        ]

    @property
    def suspect_standard_count(self) -> int:
        return len(self.walk.start)

    def windows(self) -> dict[int, date]:
        return dict(self.walk.start)

    def instrument_rows(
        self, offset: int = 0, limit: int | None = None, *, today: date | None = None
    ) -> list[RecallRow]:
        """A page of the instrument certificates listed in full to the reader."""
        ids = self.listed
        ids = ids[offset:] if limit is None else ids[offset : offset + limit]
        return self._rows(ids, today=today)

    def iter_instrument_rows(self, *, today: date | None = None) -> Iterator[RecallRow]:
        ids = self.listed
        for i in range(0, len(ids), CHUNK):
            yield from self._rows(ids[i : i + CHUNK], today=today)

    def equipment_certificates(self, limit: int | None = None) -> list[EquipmentCertificate]:
        ids = self.equipment_ids
        return load_certificates(ids if limit is None else ids[:limit])

    def _load_standards(self, ids: set[int]) -> None:
        missing = sorted(ids - self._standards.keys())
        for i in range(0, len(missing), CHUNK):
            qs = Standard.objects.select_related("holder").order_by().filter(pk__in=missing[i : i + CHUNK])
            self._standards.update((s.pk, s) for s in qs)

    def _rows(self, ids: list[int], *, today: date | None) -> list[RecallRow]:
        if not ids:
            return []
        today = today or clock.today()
        paths = {sid: self.walk.path(sid) for sid in {self.hits[i][1] for i in ids}}
        self._load_standards({s for path in paths.values() for s in path})
        # The superseding certificate is prefetched (supersedes_id IN …), not joined: nearly every supersedes_id is
        # NULL, so after ANALYZE SQLite takes its unique index for useless and would scan the table per row.
        certificates = (
            Certificate.objects.select_related("owner", "region", "institute", "instrument", "revocation")
            .prefetch_related(Prefetch("superseded_by", queryset=Certificate.objects.only("id", "supersedes_id")))
            .defer("document")
            .order_by()
            .filter(record_id__in=ids)
        )
        by_id = {c.record_id: c for c in certificates}
        labels = dict(CertificateStatus.choices)
        rows = []
        for record_id in ids:
            c = by_id.get(record_id)
            if c is None:  # a record without a certificate (see instrument_hits): nothing to recall
                continue
            used_on, standard_id = self.hits[record_id]
            status = certificate_status(c, today)
            rows.append(
                RecallRow(
                    certificate=c,
                    status=status,
                    status_label=str(labels[status]),
                    standard=self._standards[standard_id],
                    path=[self._standards[s] for s in paths[standard_id]],
                    used_on=date.fromisoformat(used_on) if isinstance(used_on, str) else used_on,
                )
            )
        return rows


def instrument_hits(walk: ReverseWalk) -> dict[int, tuple[date | str, int]]:
    """The records whose verification used a suspect standard T on a day from T's window start to
    ``walk.date_to``: record id → (the day, T), ordered by day then record id. Each such record has exactly one
    certificate (``draft_approve`` issues it in the same transaction; a correction is a new record with its
    own certificate; declared records use no standard), so the records are the certificates, counted and paged
    without a join: one query on StandardUse alone. A record that used two suspect standards is listed once,
    with the one nearest the standard asked about (the shortest path). The day stays as the driver gives it
    (SQLite: text) until a row is shown."""
    if not walk.start:
        return {}
    # One index range per suspect standard (standard_id IN … AND performed_on from the earliest window start),
    # each standard's own start checked on the index entry by a CASE. Not an OR of one range per window: SQLite
    # answers an OR by collecting row ids from each range and then reading every table row. No join to the
    # certificates: PostgreSQL hash-joined them with a scan of the whole table.
    standard_ids = sorted(walk.start)
    marks = ", ".join(["%s"] * len(standard_ids))
    cases = " ".join(["WHEN %s THEN %s"] * len(standard_ids))
    params: list[object] = [*standard_ids, min(walk.start.values()), walk.date_to]
    for standard_id in standard_ids:
        params.extend([standard_id, walk.start[standard_id]])
    su = StandardUse._meta.db_table
    sql = (
        f"SELECT su.record_id, su.performed_on, su.standard_id FROM {su} su "  # noqa: S608 (table name from the model)
        f"WHERE su.standard_id IN ({marks}) AND su.performed_on >= %s AND su.performed_on <= %s "
        f"AND su.performed_on >= CASE su.standard_id {cases} END "
        "ORDER BY su.performed_on, su.record_id"
    )
    depth = {standard_id: len(walk.path(standard_id)) for standard_id in walk.start}
    hits: dict[int, tuple[date | str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for record_id, used_on, standard_id in cursor.fetchall():
            known = hits.get(record_id)
            if known is None or depth[standard_id] < depth[known[1]]:
                hits[record_id] = (used_on, standard_id)
    return hits


def recall(
    standard: Standard,
    date_from: date,
    date_to: date,
    *,
    reader: RecallReader = EVERYTHING,
    instruments: bool = True,
) -> Recall:
    """The recall of ``standard`` as ``reader`` reads it (no check that the standard is the reader's to open:
    users go through :func:`recall_for`; the default reader reads everything). ``instruments=False`` leaves the
    instrument section empty (the reverse-traceability export needs the equipment section alone)."""
    walk = reverse_walk(standard, date_from, date_to)
    hits = instrument_hits(walk) if instruments else {}
    found = Recall(standard=standard, date_from=date_from, date_to=date_to, walk=walk, hits=hits, reader=reader)
    found.split()
    return found


def recall_for(
    user: User | None, standard_id: int, date_from: date, date_to: date, *, instruments: bool = True
) -> Recall:
    """The recall list of a standard the user may see (else NotFoundOrForbidden, like a missing one), cut by what
    the user reads in full (module docstring)."""
    standard = trace_standard_get(user, standard_id)
    return recall(standard, date_from, date_to, reader=recall_reader(user), instruments=instruments)
