"""Traceability (量值溯源) up from a standard to the SI, and reverse traceability (which certificates a suspect
standard has passed its values on to).

Upward: a standard is made of equipment; each piece of equipment carries certificates issued either by another
standard in the system (whose own equipment is traced in turn) or by an external authority (a provincial
institute, whose ``traces_to`` leads to the national primary standard at NIM, which realises the SI).

Downward: :func:`reverse_trace` follows the same certificates the other way, one set-based query per level.

The scoped reads for the traceability pages (the last section) go through these. Visibility of a standard is its own
(``standards_visible_to``): an institute sees the standards it holds; a regulator those of organizations in its
region and below; an admin all; an owner and anyone else none. An out-of-scope id answers exactly like a missing
one (NotFoundOrForbidden).

Downstream of a visible standard (reverse traceability, the recall list), a certificate is read in full only by a
reader who may see it anywhere else in the platform (:class:`RecallReader`); the others are counted per issuing
institute. The rule is stated in :mod:`jiliang.verification.selectors.recall` and docs/recall.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from ..models import EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment
from .standards import explain, standard_validity, standards_visible_to

# A link whose certificate ends within this many days of the day looked at is shown as "expiring".
EXPIRING_DAYS = 30
# Ceiling on the levels walked in either direction; real chains have four or five.
MAX_LEVELS = 20


class LinkState:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    MISSING = "missing"  # a piece of equipment with no certificate at all
    STRUCTURAL = "structural"  # equipment belongs to its standard; an authority traces to another; NIM realises SI

    BROKEN = frozenset({EXPIRED, NOT_YET_VALID, MISSING})


def link_state_labels() -> dict[str, str]:
    return {
        LinkState.VALID: _("有效"),
        LinkState.EXPIRING: _("即将到期"),
        LinkState.EXPIRED: _("已过期（断链）"),
        LinkState.NOT_YET_VALID: _("尚未生效"),
        LinkState.MISSING: _("无溯源证书"),
        LinkState.STRUCTURAL: _("组成/溯源关系"),
    }


@dataclass
class Node:
    key: str  # "standard:12", "equipment:40", "authority:3", "si"
    kind: str  # standard | equipment | authority | si
    label: str
    level: int  # 0 is the standard asked about; higher is closer to the SI
    obj_id: int | None = None
    valid: bool | None = None  # standards only: standard_validity on the day
    reasons: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass
class Edge:
    # A certificate: the certified equipment → the issuer (higher). "part": the equipment → its standard (lower).
    # "traces_to" / "realises": an authority → the authority above it, or NIM → "SI".
    source: str
    target: str
    kind: str  # "part", "certificate", "traces_to", "realises"
    state: str
    certificate_id: int | None = None
    number: str = ""
    issued_on: date | None = None
    valid_until: date | None = None
    result: str = ""
    uncertainty: str = ""

    @property
    def broken(self) -> bool:
        return self.state in LinkState.BROKEN


@dataclass
class Graph:
    root: str
    day: date
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    # Edges not followed because they would close a loop (A's equipment certified by B, B's by A).
    cycles: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reaches_si(self) -> bool:
        return "si" in self.nodes

    @property
    def certificate_edges(self) -> list[Edge]:
        return [e for e in self.edges if e.kind == "certificate"]

    @property
    def broken_edges(self) -> list[Edge]:
        return [e for e in self.edges if e.broken]

    @property
    def top_level(self) -> int:
        return max(n.level for n in self.nodes.values())


def _state(cert: EquipmentCertificate | None, day: date) -> str:
    if cert is None:
        return LinkState.MISSING
    if day < cert.issued_on:
        return LinkState.NOT_YET_VALID
    if day > cert.valid_until:
        return LinkState.EXPIRED
    if cert.valid_until <= day + timedelta(days=EXPIRING_DAYS):
        return LinkState.EXPIRING
    return LinkState.VALID


def _current(certificates: list[EquipmentCertificate], day: date) -> EquipmentCertificate | None:
    """The certificate that is the link on ``day``: one covering it (the latest issued), else the latest issued
    before it (expired: a broken link), else the earliest issued after it (not yet valid)."""
    covering = [c for c in certificates if c.issued_on <= day <= c.valid_until]
    if covering:
        return max(covering, key=lambda c: (c.issued_on, c.valid_until, c.pk))
    before = [c for c in certificates if c.issued_on <= day]
    if before:
        return max(before, key=lambda c: (c.issued_on, c.valid_until, c.pk))
    return min(certificates, key=lambda c: (c.issued_on, c.pk), default=None)


def chain_up(standard: Standard, day: date) -> Graph:
    """The traceability chain of ``standard`` on ``day``, up to the SI.

    Levels: the standard is 0, its equipment 1, the issuers of the equipment's certificates 2, their equipment 3,
    and so on; external authorities follow ``traces_to`` one level each up to the national level, then "SI".
    Each standard in the system is walked once (a loop is recorded in ``Graph.cycles``, not followed). Costs
    three queries per level of standards plus one for the authorities.
    """
    graph = Graph(root=f"standard:{standard.pk}", day=day)
    authorities = {a.pk: a for a in ExternalAuthority.objects.all()}
    frontier: dict[int, int] = {standard.pk: 0}  # standard id → level
    seen: set[int] = set()
    authority_level: dict[int, int] = {}

    for _round in range(MAX_LEVELS):
        if not frontier:
            break
        # The same data with_validity_data prefetches, with whole certificates (the chain shows their numbers).
        standards = (
            Standard.objects.filter(pk__in=frontier)
            .select_related("holder")
            .prefetch_related(
                Prefetch(
                    "equipment",
                    queryset=StandardEquipment.objects.order_by("role", "name", "pk").prefetch_related(
                        Prefetch("certificates", queryset=EquipmentCertificate.objects.order_by("issued_on", "pk"))
                    ),
                )
            )
        )
        next_frontier: dict[int, int] = {}
        for s in standards:
            level = frontier[s.pk]
            seen.add(s.pk)
            validity = standard_validity(s, day)
            key = f"standard:{s.pk}"
            graph.nodes[key] = Node(
                key=key,
                kind="standard",
                label=s.name,
                level=level,
                obj_id=s.pk,
                valid=validity.valid,
                reasons=explain(validity),
                detail=f"{s.holder.name} · {s.code}",
            )
            for eq in s.equipment.all():
                eq_key = f"equipment:{eq.pk}"
                graph.nodes[eq_key] = Node(
                    key=eq_key,
                    kind="equipment",
                    label=eq.name,
                    level=level + 1,
                    obj_id=eq.pk,
                    detail=" ".join(x for x in (eq.model, eq.serial_number) if x),
                )
                graph.edges.append(Edge(source=eq_key, target=key, kind="part", state=LinkState.STRUCTURAL))
                cert = _current(list(eq.certificates.all()), day)
                if cert is None:
                    graph.edges.append(Edge(source=eq_key, target="", kind="certificate", state=LinkState.MISSING))
                    continue
                if cert.issuer_standard_id is not None:
                    target = f"standard:{cert.issuer_standard_id}"
                    if cert.issuer_standard_id in seen or cert.issuer_standard_id in frontier:
                        # Already drawn (or being drawn) at this level or below: a loop or a shared issuer.
                        graph.cycles.append((eq_key, target))
                    elif cert.issuer_standard_id not in next_frontier:
                        next_frontier[cert.issuer_standard_id] = level + 2
                else:
                    target = f"authority:{cert.issuer_authority_id}"
                    authority_level[cert.issuer_authority_id] = max(
                        authority_level.get(cert.issuer_authority_id, 0), level + 2
                    )
                graph.edges.append(
                    Edge(
                        source=eq_key,
                        target=target,
                        kind="certificate",
                        state=_state(cert, day),
                        certificate_id=cert.pk,
                        number=cert.number,
                        issued_on=cert.issued_on,
                        valid_until=cert.valid_until,
                        result=cert.result,
                        uncertainty=cert.uncertainty,
                    )
                )
        frontier = next_frontier

    # Drop the "loop" marks for edges whose target was drawn after all (a shared issuer reached twice).
    graph.cycles = [(a, b) for a, b in graph.cycles if _is_cycle(graph, a, b)]

    # External authorities, each one level above the highest link that reaches it, then up their traces_to.
    pending = sorted(authority_level.items(), key=lambda kv: kv[1])
    placed: dict[int, int] = {}
    for authority_id, level in pending:
        chain: list[int] = []
        current: int | None = authority_id
        while current is not None and current not in chain and len(chain) < MAX_LEVELS:
            chain.append(current)
            current = authorities[current].traces_to_id
        for offset, aid in enumerate(chain):
            placed[aid] = max(placed.get(aid, 0), level + offset)
    si_level = 0
    for aid, level in placed.items():
        a = authorities[aid]
        key = f"authority:{aid}"
        graph.nodes[key] = Node(key=key, kind="authority", label=a.name, level=level, obj_id=aid, detail=a.level)
        if a.traces_to_id is not None and a.traces_to_id in placed:
            graph.edges.append(
                Edge(source=key, target=f"authority:{a.traces_to_id}", kind="traces_to", state=LinkState.STRUCTURAL)
            )
        elif a.level == ExternalAuthority.Level.NATIONAL:
            graph.edges.append(Edge(source=key, target="si", kind="realises", state=LinkState.STRUCTURAL))
            si_level = max(si_level, level + 1)
    _raise_levels(graph)
    if si_level:
        top = max(n.level for n in graph.nodes.values())
        graph.nodes["si"] = Node(key="si", kind="si", label="SI", level=top + 1, detail=_("国际单位制"))
    return graph


def _raise_levels(graph: Graph) -> None:
    """Make every link climb: a node sits at least one level above every node that traces to it (longest path
    from the standard), so an issuer reached from two heights is drawn above both. Loop edges are left out."""
    loops = set(graph.cycles)
    upward = []
    for e in graph.edges:
        if not e.target or (e.source, e.target) in loops:
            continue
        upward.append((e.target, e.source) if e.kind == "part" else (e.source, e.target))
    for _pass in range(len(graph.nodes) + 1):
        moved = False
        for lower, upper in upward:
            if upper in graph.nodes and graph.nodes[upper].level <= graph.nodes[lower].level:
                graph.nodes[upper].level = graph.nodes[lower].level + 1
                moved = True
        if not moved:
            break


def _is_cycle(graph: Graph, source: str, target: str) -> bool:
    """Whether ``target`` is below ``source`` in the graph, i.e. following the edge would loop back."""
    up: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges:
        if e.kind == "part":  # a standard climbs through its equipment
            up[e.target].append(e.source)
        elif e.target:
            up[e.source].append(e.target)
    # target loops back if source is reachable upward from target.
    stack, visited = [target], set()
    while stack:
        node = stack.pop()
        if node == source:
            return True
        if node in visited:
            continue
        visited.add(node)
        stack.extend(up.get(node, []))
    return False


# ---- Reverse traceability -------------------------------------------------------------------------------------


@dataclass
class ReverseWalk:
    """What the reverse walk found: the suspect equipment certificates and, for every suspect standard, the day
    from which its own output is suspect and the standard through which it was reached.

    ``start``: standard id → first suspect day (the standard asked about: ``date_from``; a standard certified
    through it: the issue date of the earliest suspect certificate of its equipment). ``via``: standard id →
    the standard that certified it (absent for the standard asked about), so a path can be spelt out.
    ``certificates``: equipment certificate id → issue date.
    """

    standard_id: int
    date_from: date
    date_to: date
    start: dict[int, date] = field(default_factory=dict)
    via: dict[int, int] = field(default_factory=dict)
    certificates: dict[int, date] = field(default_factory=dict)

    @property
    def certificate_ids(self) -> list[int]:
        """In issue date order (then id)."""
        return sorted(self.certificates, key=lambda cert_id: (self.certificates[cert_id], cert_id))

    def path(self, standard_id: int) -> list[int]:
        """The standards from the one asked about down to ``standard_id`` (both included)."""
        path = [standard_id]
        while path[-1] in self.via and len(path) <= MAX_LEVELS + 1 and self.via[path[-1]] not in path:
            path.append(self.via[path[-1]])
        return path[::-1]


def reverse_walk(standard: Standard, date_from: date, date_to: date) -> ReverseWalk:
    """The walk behind :func:`reverse_trace` (see the rule there): one query per level, ids and dates only."""
    walk = ReverseWalk(standard_id=standard.pk, date_from=date_from, date_to=date_to)
    if date_to < date_from:
        return walk
    # Standard id → from which date its certificates are suspect.
    start = walk.start
    start[standard.pk] = date_from
    frontier = {standard.pk: date_from}
    found = walk.certificates
    for _level in range(MAX_LEVELS):
        if not frontier:
            break
        # order_by(): the model's default ordering would join equipment → standard → organization just to sort.
        rows = (
            EquipmentCertificate.objects.filter(
                issuer_standard_id__in=list(frontier),
                issued_on__gte=min(frontier.values()),
                issued_on__lte=date_to,
            )
            .order_by()
            .values_list("id", "issuer_standard_id", "issued_on", "equipment__standard_id")
        )
        next_frontier: dict[int, date] = {}
        for cert_id, issuer_id, issued_on, holder_standard_id in rows:
            if issued_on < frontier[issuer_id]:
                continue
            found[cert_id] = issued_on
            # The certified standard's own certificates are suspect from this issue date on.
            known = start.get(holder_standard_id)
            if known is None or issued_on < known:
                start[holder_standard_id] = issued_on
                walk.via[holder_standard_id] = issuer_id
                if holder_standard_id not in next_frontier or issued_on < next_frontier[holder_standard_id]:
                    next_frontier[holder_standard_id] = issued_on
        frontier = next_frontier
    return walk


def reverse_trace_ids(standard: Standard, date_from: date, date_to: date) -> list[int]:
    """The ids of the equipment certificates :func:`reverse_trace` returns, in the same order (issue date, id):
    the walk alone, one query per level, so a page can count them all and load one page."""
    return reverse_walk(standard, date_from, date_to).certificate_ids


def reverse_windows(standard: Standard, date_from: date, date_to: date) -> dict[int, date]:
    """Every suspect standard (the one asked about and those certified through it) → the first day from which
    its own output is suspect, up to ``date_to``. Empty for an inverted range."""
    return dict(reverse_walk(standard, date_from, date_to).start)


def load_certificates(ids: list[int]) -> list[EquipmentCertificate]:
    """The certificates ``ids`` with what a recall list shows (equipment, its standard and holder, issuer), in
    the order of ``ids``."""
    # Every certificate reverse traceability finds was issued by a standard: no join to external authorities.
    qs = EquipmentCertificate.objects.select_related("equipment__standard__holder", "issuer_standard").order_by()
    by_id: dict[int, EquipmentCertificate] = {}
    # Chunks keep every IN list under SQLite's limit on bound variables (32,766 since 3.32).
    for i in range(0, len(ids), 10_000):
        by_id.update((c.pk, c) for c in qs.filter(id__in=ids[i : i + 10_000]))
    return [by_id[i] for i in ids]


def reverse_trace(standard: Standard, date_from: date, date_to: date) -> list[EquipmentCertificate]:
    """Every equipment certificate issued with ``standard`` from ``date_from`` to ``date_to`` (inclusive), and
    recursively every certificate whose values came from one of those.

    The rule: level 1 is the certificates ``standard`` issued in the range. If one of them certified a piece of
    equipment of standard T on date d, then T's own certificates issued from d to ``date_to`` are suspect too
    (T carried the suspect value from d on); T's window starts at the earliest such d. The same rule applies
    level after level. ``date_to`` bounds every level: it is the horizon of the recall the user asks for. Loops
    (A certifies B, B certifies A) end because a standard is walked again only when its window starts earlier.
    One query per level (on the issuer/date index), then one to load the certificates, ordered by issue date.
    """
    return load_certificates(reverse_trace_ids(standard, date_from, date_to))


# ---- scoped reads for the traceability pages --------------------------------------------------------------------

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
    """Reverse traceability (see :func:`reverse_trace` for the rule): the equipment certificates issued with the
    standard in the range, recursively down the chain, that ``user`` reads in full (:class:`RecallReader`). The
    standard must be visible to ``user``. The others are counted by
    :func:`jiliang.verification.selectors.recall.recall_for`."""
    standard = trace_standard_get(user, standard_id)
    ids = reverse_walk(standard, date_from, date_to).certificate_ids
    listed, _others = split_equipment_certificates(recall_reader(user), ids)
    return load_certificates(listed)
