"""双随机、一公开: reproducible draws of inspection targets and inspectors, and the working-day clock.

Sources (confirmed): 国办发〔2015〕58号 (random inspection of market entities), 国发〔2019〕5号 and 国市监信〔2019〕38号:
targets are drawn at random from the register of market entities and inspectors at random from the register of
enforcement staff; the proportion is set locally and may rise with risk; results are published. The regulations do
not fix an algorithm. The one below is ours, and it is published so that anyone holding the seed and the roster can
recompute a draw.

There are two versions of the published algorithm. Both draw the targets the same way; they differ in how the drawn
targets get their inspectors. ``"hmac-sha256-v1"`` (``assign_inspectors``) scores every pair (target, inspector),
which costs about targets × inspectors / 2 HMACs: minutes at a city's scale. ``"hmac-sha256-v2"``
(``assign_inspectors_v2``, ``ALGORITHM``, used for every new draw) needs one HMAC per inspector and one per target.
A document says which version it is, and documents of version 1 stay verifiable with ``assign_inspectors``.

**The draw of targets** (both versions):

1. Remove the excluded ids from the roster (conflicts, entities inspected within the exclusion window, …).
2. Give every remaining id the score HMAC-SHA256(key = the seed's UTF-8 bytes, message = the id's UTF-8 bytes),
   written as 64 lower-case hexadecimal digits.
3. Sort the ids by score, smallest first (a tie would need a SHA-256 collision; it is broken by the id).
4. The first ``k`` ids are drawn, in that order.

The result depends only on the seed, the set of ids and ``k``: not on the order of the roster, and removing an id
that was not drawn changes nothing. One score can be recomputed with OpenSSL::

    printf %s 'QX-001' | openssl dgst -sha256 -hmac 'seed'

**The inspectors, version 2** (``assign_inspectors_v2``). ``score(text)`` is HMAC-SHA256 as above with the seed as
key; ``n`` is the number of inspectors; ``per_target`` the inspectors each target needs.

1. The circle: the inspectors sorted by ``score("inspector\\n" + inspector id)`` (then by id) get the positions
   0 … n-1; position n-1 is followed by position 0.
2. The drawn targets are handled one after the other in the order of ``score(target id)`` (then by id).
3. For a target, ``X`` is ``score("team\\n" + target id)`` read as a 256-bit integer (its 64 hex digits in base
   16). The ``j``-th member of its team (``j`` = 0, 1, …) gets the offset ``⌊X / n^j⌋ mod n``: the digits of
   ``X`` written in base ``n``, the least significant first. (Once ``n^j`` exceeds ``X``, for 1,000 inspectors
   from about the 27th member, the digits are 0: the teams stay correct, only less mixed.)
4. The ``j``-th member: among the inspectors free of conflicts with the target and not yet in its team, keep
   those with the least load (the number of targets given to them so far, this target's earlier members
   included); of these, take the first one met going round the circle from position ``offset`` (included).
   Its load grows by one.

So every team has ``per_target`` different inspectors, none with a conflict; when nobody conflicts the loads
never differ by more than one; the result depends only on the seed and the sets of ids (not their order). Each
member has its own offset so that two inspectors next to each other on the circle are not paired again and again.

>>> draw("2025-07-01 lottery 03 17 22", ["QX-003", "QX-001", "QX-002", "QX-004"], 2)
['QX-004', 'QX-002']
>>> draw("2025-07-01 lottery 03 17 22", ["QX-001", "QX-004", "QX-002", "QX-003"], 2)
['QX-004', 'QX-002']

Deadlines (publication within 20 working days of the inspection's end, unconfirmed: a setting of the caller) are
counted on the Chinese calendar of public holidays and adjusted workdays, kept as data in
``data/holidays_cn.json`` with each year's notice and confidence; the start day never counts:

>>> from datetime import date
>>> add_working_days(date(2025, 9, 30), 1)  # 1-8 October 2025 off
datetime.date(2025, 10, 9)
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import math
import re
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from .shipped import DATA_DIR, shipped

ALGORITHM_V1 = "hmac-sha256-v1"  # targets by score, inspectors by score of each (target, inspector) pair
ALGORITHM_V2 = "hmac-sha256-v2"  # targets by score, inspectors round a circle from one offset per target
ALGORITHM = ALGORITHM_V2  # the version of every new draw
CALENDAR_FILE = DATA_DIR / "holidays_cn.json"

Conflicts = Mapping[str, Iterable[str]] | Callable[[str, str], bool] | None


class InspectorShortage(ValueError):
    """Some targets have fewer inspectors free of conflicts than each target needs.

    ``shortages`` maps each such target to the number of inspectors it could have; ``needed`` is ``per_target``.
    """

    def __init__(self, shortages: Mapping[str, int], needed: int) -> None:
        self.shortages = dict(shortages)
        self.needed = needed
        listed = ", ".join(f"{target!r} has {free}" for target, free in self.shortages.items())
        super().__init__(f"not enough inspectors free of conflicts: each target needs {needed}, but {listed}")


class CalendarYearMissing(ValueError):
    """The working-day calendar has no data for ``year``: the count is refused rather than guessed."""

    def __init__(self, year: int, known: Iterable[int]) -> None:
        self.year = year
        self.known = sorted(known)
        super().__init__(
            f"the holiday calendar has no data for {year} (it covers {', '.join(map(str, self.known)) or 'no year'}); "
            "add that year's State Council holiday notice to the calendar data"
        )


# --------------------------------------------------------------------------------------------------------------
# Draws


def _seed_bytes(seed: str | bytes) -> bytes:
    if isinstance(seed, bytes):
        key = seed
    elif isinstance(seed, str):
        key = seed.encode("utf-8")
    else:
        raise ValueError(f"the seed must be text or bytes, got {type(seed).__name__}")
    if not key:
        raise ValueError("the seed is empty: a draw needs a published seed")
    return key


_CONTROL = re.compile("[\x00-\x1f]")  # the characters below U+0020, refused in ids


def _hmac_pads(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """The SHA-256 states after the inner and the outer padded key block of HMAC-SHA256 (RFC 2104)."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))


def _hmac_sha256(key: bytes) -> Callable[[bytes], bytes]:
    """HMAC-SHA256 keyed with ``key`` (RFC 2104), as a function of the message returning the 32-byte digest.

    The same value as ``hmac.new(key, message, hashlib.sha256).digest()``, with the two padded key blocks hashed
    once for all messages: a draw over 10^5 ids and an assignment over thousands of targets compute millions of
    scores. Comparing the digests as bytes orders them as their lower-case hex does (same length, order-preserving
    digits), so a rank computed on bytes is the published rank.
    """
    inner_pad, outer_pad = _hmac_pads(key)
    inner_copy, outer_copy = inner_pad.copy, outer_pad.copy

    def mac(message: bytes) -> bytes:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.digest()

    return mac


def _check_ids(ids: Iterable[str], what: str) -> list[str]:
    """The ids as a list, refusing non-text, empty or control-character ids and duplicates."""
    listed = list(ids)
    # Checked at once (rosters hold 10^5 ids); when a check fails, the loop below names the first id at fault.
    if (
        set(map(type, listed)) <= {str}
        and "" not in (unique := set(listed))
        and len(unique) == len(listed)
        and ((joined := "".join(listed)).isprintable() or not _CONTROL.search(joined))  # U+0000-U+001F: unprintable
    ):
        return listed
    seen: set[str] = set()
    result: list[str] = []
    search = _CONTROL.search
    for item in listed:
        if not isinstance(item, str) or not item:
            raise ValueError(f"every id in the {what} must be non-empty text, got {item!r}")
        if search(item):
            raise ValueError(f"id {item!r} in the {what} contains a control character")
        if item in seen:
            raise ValueError(f"id {item!r} appears twice in the {what}")
        seen.add(item)
        result.append(item)
    return result


def score(seed: str | bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` keyed with ``seed``, as lower-case hex: the rank key of the draw.

    >>> score("seed", "QX-001")
    '873a8e354610fe4c5fde8b4acaa72fad02af50113e7673a7e11de0bf498dcfbc'
    """
    return hmac.new(_seed_bytes(seed), message.encode("utf-8"), hashlib.sha256).hexdigest()


def ranking(seed: str | bytes, population: Iterable[str]) -> list[tuple[str, str]]:
    """Every id with its score, smallest score first: the full order from which a draw takes its first ``k``.

    Publishing this list lets anyone check a draw id by id.

    >>> [entity for entity, _ in ranking("2025-07-01 lottery 03 17 22", ["QX-001", "QX-002", "QX-003"])]
    ['QX-002', 'QX-003', 'QX-001']
    """
    return [(item, digest.hex()) for digest, item in _ranked(seed, _check_ids(population, "population"))]


def _ranked(seed: str | bytes, ids: list[str]) -> list[tuple[bytes, str]]:
    """(score as bytes, id) for checked ``ids``, smallest first: the order of ``ranking``."""
    mac = _hmac_sha256(_seed_bytes(seed))
    scored = [(mac(item.encode("utf-8")), item) for item in ids]
    scored.sort()
    return scored


def roster_digest(population: Iterable[str]) -> str:
    """SHA-256 of the roster, to publish with the seed: the ids sorted by code point, joined by ``\\n``, in UTF-8.

    The same set of ids gives the same digest whatever its order. With one id per line in ``ids.txt`` (and a final
    newline), ``LC_ALL=C sort ids.txt | head -c -1 | sha256sum`` gives the same digest.

    >>> roster_digest(["b", "a"]) == roster_digest(["a", "b"]) == hashlib.sha256(b"a\\nb").hexdigest()
    True
    """
    ids = sorted(_check_ids(population, "population"))
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()


def draw(seed: str | bytes, population: Iterable[str], k: int, *, exclude: Iterable[str] = ()) -> list[str]:
    """Draw ``k`` ids from ``population`` after removing ``exclude``, by the published algorithm of this module.

    Exclusions are applied before drawing; an excluded id that is not in the population is ignored. The drawn ids
    come back in rank order (smallest score first).

    Raises ``ValueError`` when the population is empty, has a duplicate or a bad id, the seed is empty, ``k`` is
    negative, or ``k`` is larger than what is left after the exclusions.

    >>> draw("s", ["A", "B", "C"], 3, exclude=["B"])
    Traceback (most recent call last):
    ...
    ValueError: cannot draw 3 from 2 eligible ids (3 in the population, 1 excluded)
    """
    ids = _check_ids(population, "population")
    if not ids:
        raise ValueError("the population is empty: there is nothing to draw from")
    if not isinstance(k, int) or isinstance(k, bool) or k < 0:
        raise ValueError(f"k must be a whole number of at least 0, got {k!r}")
    excluded = set(_check_ids(set(exclude), "exclusions")) & set(ids)
    eligible = [item for item in ids if item not in excluded]
    if k > len(eligible):
        raise ValueError(
            f"cannot draw {k} from {len(eligible)} eligible ids ({len(ids)} in the population, {len(excluded)} excluded)"
        )
    mac = _hmac_sha256(_seed_bytes(seed))
    # the first k of the ranking: heapq.nsmallest gives sorted(scored)[:k] without sorting all of them
    return [item for _, item in heapq.nsmallest(k, [(mac(item.encode("utf-8")), item) for item in eligible])]


def stratum_count(ratio: float | str | Fraction, eligible: int) -> int:
    """How many to draw from a stratum of ``eligible`` ids: ⌈ratio × eligible⌉, never more than ``eligible``.

    Rounded **up**, so that the share inspected is never below the ratio set by the plan (a ratio of 3 % of 34
    entities gives ⌈1.02⌉ = 2) and a stratum with a positive ratio is never skipped. The ratio is read from its
    decimal text (0.07 is exactly 7/100), so binary floating point cannot push an exact product up by one.

    >>> stratum_count(0.03, 34), stratum_count(0.07, 100), stratum_count(1, 12), stratum_count(0, 12)
    (2, 7, 12, 0)
    """
    exact = _ratio(ratio, "ratio")
    return min(eligible, math.ceil(exact * eligible))


def _ratio(value: float | str | Fraction, name: str) -> Fraction:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    try:
        exact = value if isinstance(value, Fraction) else Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}") from None
    if not 0 <= exact <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return exact


def draw_stratified(
    seed: str | bytes,
    strata: Mapping[str, Iterable[str]],
    ratios: Mapping[str, float | str | Fraction],
    *,
    exclude: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Draw from each stratum (risk class, area, …) its own share, by ``draw`` with the same seed.

    Per stratum: the excluded ids are removed, then ``stratum_count(ratio, eligible)`` ids are drawn (the ratio
    times the eligible count, rounded up). An id may belong to one stratum only. Strata come back sorted by name.

    Example (double-random notes: risk classes with rising ratios, e.g. A ≈ 3 % … D ≈ 100 %):

    >>> result = draw_stratified(
    ...     "seed-2025-Q3",
    ...     {"A": [f"A{i:02}" for i in range(40)], "D": ["D1", "D2"]},
    ...     {"A": 0.03, "D": 1},
    ... )
    >>> {name: len(ids) for name, ids in result.items()}
    {'A': 2, 'D': 2}
    """
    if not strata:
        raise ValueError("no strata given: there is nothing to draw from")
    missing = sorted(set(strata) - set(ratios))
    if missing:
        raise ValueError(f"no ratio given for stratum {', '.join(map(repr, missing))}")
    unknown = sorted(set(ratios) - set(strata))
    if unknown:
        raise ValueError(f"ratio given for unknown stratum {', '.join(map(repr, unknown))}")
    excluded = set(exclude)
    owner: dict[str, str] = {}
    result: dict[str, list[str]] = {}
    for name in sorted(strata):
        ids = _check_ids(strata[name], f"stratum {name!r}")
        for item in ids:
            if item in owner:
                raise ValueError(f"id {item!r} is in both stratum {owner[item]!r} and stratum {name!r}")
            owner[item] = name
        ratio = _ratio(ratios[name], f"the ratio of stratum {name!r}")
        eligible = [item for item in ids if item not in excluded]
        count = stratum_count(ratio, len(eligible))
        result[name] = draw(seed, eligible, count) if eligible else []
    return result


@dataclass(frozen=True)
class DrawRecord:
    """Everything to publish and to write to the audit log about one draw, so that it can be recomputed."""

    algorithm: str
    seed: str
    roster_digest: str
    population_size: int
    k: int
    excluded: tuple[str, ...]
    ignored_exclusions: tuple[str, ...]
    drawn: tuple[str, ...]


def draw_record(seed: str, population: Iterable[str], k: int, *, exclude: Iterable[str] = ()) -> DrawRecord:
    """Draw as ``draw`` does and return the record of it: the exclusions applied (sorted), the exclusions that named
    no entity of the roster (ignored), the roster's digest and the result.

    >>> record = draw_record("s", ["A", "B", "C"], 1, exclude=["B", "Z"])
    >>> record.excluded, record.ignored_exclusions, record.population_size
    (('B',), ('Z',), 3)
    """
    ids = _check_ids(population, "population")
    exclusions = set(_check_ids(set(exclude), "exclusions"))
    drawn = draw(seed, ids, k, exclude=exclusions)
    return DrawRecord(
        algorithm=ALGORITHM,
        seed=seed,
        roster_digest=roster_digest(ids),
        population_size=len(ids),
        k=k,
        excluded=tuple(sorted(exclusions & set(ids))),
        ignored_exclusions=tuple(sorted(exclusions - set(ids))),
        drawn=tuple(drawn),
    )


def _conflict_test(conflicts: Conflicts) -> Callable[[str, str], bool]:
    if conflicts is None:
        return lambda inspector, target: False
    if isinstance(conflicts, Mapping):
        table = {inspector: frozenset(targets) for inspector, targets in conflicts.items()}
        return lambda inspector, target: target in table.get(inspector, frozenset())
    if callable(conflicts):
        return conflicts
    raise ValueError(
        "conflicts must be a mapping (inspector id → target ids) or a callable (inspector, target) → bool, "
        f"got {type(conflicts).__name__}"
    )


def _blocked(conflicts: Conflicts, targets: list[str], inspectors: list[str]) -> dict[str, set[str]]:
    """For each target with a conflict, the inspectors of ``inspectors`` who must not inspect it."""
    blocked: dict[str, set[str]] = {}
    if conflicts is None:
        return blocked
    if isinstance(conflicts, Mapping):
        wanted, staff = set(targets), set(inspectors)
        for inspector, their_targets in conflicts.items():
            if inspector in staff:
                for target in frozenset(their_targets) & wanted:
                    blocked.setdefault(target, set()).add(inspector)
        return blocked
    conflicting = _conflict_test(conflicts)
    for target in targets:
        found = {inspector for inspector in inspectors if conflicting(inspector, target)}
        if found:
            blocked[target] = found
    return blocked


def _assignment_input(
    targets: Iterable[str], inspectors: Iterable[str], per_target: int, conflicts: Conflicts
) -> tuple[list[str], list[str], dict[str, set[str]]]:
    """The checked targets and inspectors and each target's blocked inspectors, or the error naming the problem."""
    target_ids = _check_ids(targets, "targets")
    inspector_ids = _check_ids(inspectors, "inspectors")
    if not isinstance(per_target, int) or isinstance(per_target, bool) or per_target < 1:
        raise ValueError(f"per_target must be a whole number of at least 1, got {per_target!r}")
    if not inspector_ids:
        raise ValueError("the list of inspectors is empty")
    blocked = _blocked(conflicts, target_ids, inspector_ids)
    free_count = {target: len(inspector_ids) - len(blocked.get(target, ())) for target in target_ids}
    shortages = {target: free_count[target] for target in sorted(target_ids) if free_count[target] < per_target}
    if shortages:
        raise InspectorShortage(shortages, per_target)
    return target_ids, inspector_ids, blocked


def assign_inspectors(
    seed: str | bytes,
    targets: Iterable[str],
    inspectors: Iterable[str],
    *,
    per_target: int = 2,
    conflicts: Conflicts = None,
) -> dict[str, list[str]]:
    """Assign ``per_target`` inspectors to every target by the algorithm of version 1 (``"hmac-sha256-v1"``).

    Kept to recompute documents of version 1; new draws use ``assign_inspectors_v2``, which needs one HMAC per
    inspector and per target where this one needs one per (target, inspector) pair.

    ``conflicts`` says which (inspector, target) pairs conflict (same organization, relative, recent business
    relation…): either a mapping from an inspector id to the target ids they must not inspect, or a callable
    ``(inspector, target) -> bool`` that answers True for a conflict.

    Algorithm (deterministic, recomputable, independent of the order of both lists):

    1. Targets are handled in the order of ``score(seed, target)``.
    2. For a target, each inspector free of conflicts gets the key (number of targets already given to this
       inspector, ``score(seed, target + "\\n" + inspector)``); the ``per_target`` smallest keys are assigned.

    The least-loaded inspectors are chosen first, so the counts differ by at most one when nobody conflicts.
    Raises ``InspectorShortage`` (a ``ValueError``) naming every target with too few inspectors free of conflicts.

    >>> teams = assign_inspectors("s", ["T1", "T2"], ["I1", "I2", "I3"], conflicts={"I1": ["T1", "T2"]})
    >>> sorted(teams["T1"]), sorted(teams["T2"])
    (['I2', 'I3'], ['I2', 'I3'])
    >>> assign_inspectors("s", ["T1"], ["I1", "I2"], conflicts={"I1": ["T1"]})
    Traceback (most recent call last):
    ...
    jiliang.metrology.draw.InspectorShortage: not enough inspectors free of conflicts: each target needs 2, but 'T1' has 1
    """
    key = _seed_bytes(seed)
    target_ids, inspector_ids, blocked = _assignment_input(targets, inspectors, per_target, conflicts)

    # Step 2 keeps the inspectors in buckets by load: the smallest keys are in the lowest bucket that has
    # inspectors free for the target, so only that bucket's scores are computed (and the next one's when it is
    # short), not every inspector's. The result is the sort of step 2 (tests compare it with the plain sort).
    mac = _hmac_sha256(key)
    inner_pad, outer_pad = _hmac_pads(key)
    outer_copy = outer_pad.copy
    encoded = {inspector: inspector.encode("utf-8") for inspector in inspector_ids}
    load = dict.fromkeys(inspector_ids, 0)
    by_load: dict[int, set[str]] = {0: set(inspector_ids)}
    nobody: frozenset[str] = frozenset()
    teams: dict[str, list[str]] = {}
    for _, target in sorted((mac(t.encode("utf-8")), t) for t in target_ids):
        excluded = blocked.get(target, nobody)
        # score(seed, target + "\n" + inspector), inlined from the inner state after the target's prefix
        inner = inner_pad.copy()
        inner.update((target + "\n").encode("utf-8"))
        inner_copy = inner.copy
        team: list[str] = []
        for level in sorted(by_load):
            scored = []
            for inspector in by_load[level]:
                if inspector not in excluded:
                    state = inner_copy()
                    state.update(encoded[inspector])
                    outer = outer_copy()
                    outer.update(state.digest())
                    scored.append((outer.digest(), inspector))
            team.extend(i for _, i in heapq.nsmallest(per_target - len(team), scored))
            if len(team) == per_target:
                break
        for inspector in team:
            level = load[inspector]
            by_load[level].discard(inspector)
            if not by_load[level]:
                del by_load[level]
            by_load.setdefault(level + 1, set()).add(inspector)
            load[inspector] = level + 1
        teams[target] = team
    return {target: teams[target] for target in sorted(target_ids)}


def inspector_circle(seed: str | bytes, inspectors: Iterable[str]) -> list[str]:
    """The inspectors in their order round the circle of version 2: by ``score(seed, "inspector\\n" + id)``.

    >>> staff = ["I1", "I2", "I3"]
    >>> inspector_circle("s", staff) == sorted(staff, key=lambda i: score("s", "inspector\\n" + i))
    True
    """
    mac = _hmac_sha256(_seed_bytes(seed))
    return [inspector for _, inspector in _circle(mac, _check_ids(inspectors, "inspectors"))]


def _circle(mac: Callable[[bytes], bytes], inspector_ids: list[str]) -> list[tuple[bytes, str]]:
    return sorted((mac(b"inspector\n" + inspector.encode("utf-8")), inspector) for inspector in inspector_ids)


def team_offsets(seed: str | bytes, target: str, n: int, per_target: int) -> list[int]:
    """The offsets on the circle of ``n`` inspectors of the members of ``target``'s team, by version 2: the base-``n``
    digits of ``score(seed, "team\\n" + target)`` read as an integer, the least significant first.

    >>> x = int(score("s", "team\\nT1"), 16)
    >>> team_offsets("s", "T1", 7, 3) == [x % 7, x // 7 % 7, x // 49 % 7]
    True
    """
    number = int.from_bytes(_hmac_sha256(_seed_bytes(seed))(b"team\n" + target.encode("utf-8")), "big")
    offsets = []
    for _ in range(per_target):
        number, offset = divmod(number, n)
        offsets.append(offset)
    return offsets


def assign_inspectors_v2(
    seed: str | bytes,
    targets: Iterable[str],
    inspectors: Iterable[str],
    *,
    per_target: int = 2,
    conflicts: Conflicts = None,
) -> dict[str, list[str]]:
    """Assign ``per_target`` inspectors to every target by the algorithm of version 2 (``"hmac-sha256-v2"``).

    The algorithm, step by step, is in the module's docstring: the inspectors stand on a circle in the order of
    their scores; each target, in the order of its score, takes its members one by one, each the first inspector
    of least load free of conflicts (and not yet in the team) going round the circle from that member's offset.
    ``conflicts`` is as for ``assign_inspectors``: a mapping from an inspector id to the target ids they must not
    inspect, or a callable ``(inspector, target) -> bool``. The teams come back by target id, each in the order
    its members were chosen.

    The least-loaded inspectors are chosen first, so the counts differ by at most one when nobody conflicts.
    Raises ``InspectorShortage`` (a ``ValueError``) naming every target with too few inspectors free of conflicts.

    >>> teams = assign_inspectors_v2("s", ["T1", "T2", "T3"], ["I1", "I2", "I3"], conflicts={"I1": ["T1", "T2"]})
    >>> sorted(teams["T1"]), sorted(teams["T2"]), "I1" in teams["T3"]
    (['I2', 'I3'], ['I2', 'I3'], True)
    >>> assign_inspectors_v2("s", ["T1"], ["I1", "I2"], conflicts={"I1": ["T1"]})
    Traceback (most recent call last):
    ...
    jiliang.metrology.draw.InspectorShortage: not enough inspectors free of conflicts: each target needs 2, but 'T1' has 1
    """
    key = _seed_bytes(seed)
    target_ids, inspector_ids, blocked = _assignment_input(targets, inspectors, per_target, conflicts)
    mac = _hmac_sha256(key)
    circle = [inspector for _, inspector in _circle(mac, inspector_ids)]
    n = len(circle)
    position = {inspector: p for p, inspector in enumerate(circle)}
    # The positions of the inspectors of each load, sorted: the first position at or after an offset is a bisection,
    # then those of the target's conflicts and team are stepped over.
    at_load: dict[int, list[int]] = {0: list(range(n))}
    teams: dict[str, list[str]] = {}
    for _, target in sorted((mac(t.encode("utf-8")), t) for t in target_ids):
        number = int.from_bytes(mac(b"team\n" + target.encode("utf-8")), "big")
        skip = {position[inspector] for inspector in blocked.get(target, ())}
        team: list[str] = []
        for _ in range(per_target):
            number, offset = divmod(number, n)
            chosen, load = _first_free(at_load, offset, skip)
            level = at_load[load]
            del level[bisect_left(level, chosen)]
            if not level:
                del at_load[load]
            insort(at_load.setdefault(load + 1, []), chosen)
            skip.add(chosen)
            team.append(circle[chosen])
        teams[target] = team
    return {target: teams[target] for target in sorted(target_ids)}


def _first_free(at_load: Mapping[int, list[int]], offset: int, skip: set[int]) -> tuple[int, int]:
    """(position, load) of the first inspector of least load not in ``skip`` going round the circle from ``offset``."""
    for load in sorted(at_load):
        level = at_load[load]
        size = len(level)
        start = bisect_left(level, offset)
        for step in range(size):
            candidate = level[(start + step) % size]
            if candidate not in skip:
                return candidate, load
    raise AssertionError("no inspector free: the shortage check lets no such target through")  # pragma: no cover


# --------------------------------------------------------------------------------------------------------------
# Working days


@dataclass(frozen=True)
class CalendarYear:
    """One year of the calendar, as announced by the State Council General Office's notice.

    ``holidays``: every day off in a holiday block (weekends inside it included); ``workdays``: the adjusted
    workdays (调休上班), weekend days that are working days. ``confidence`` uses the reference notes' tags
    (docs/reference/README.md).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    notice: str
    source: str
    confidence: str
    note: str = ""


MISSING = "missing"  # the confidence reported for a year the calendar does not hold


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar: a day is a working day when it is an adjusted workday, or a Monday to Friday
    that is not a holiday.

    A year the calendar does not hold raises ``CalendarYearMissing`` unless ``weekends_for_missing_years``: then
    its days are counted with weekends only (no holidays, no adjusted workdays) and the year's confidence is
    ``"missing"``, so that a caller can mark a deadline reaching it as provisional rather than refuse it.

    >>> WorkCalendar(weekends_for_missing_years=True).is_working_day(date(2030, 1, 1))  # a Tuesday
    True
    >>> WorkCalendar(weekends_for_missing_years=True).confidence(2030)
    'missing'
    """

    years: Mapping[int, CalendarYear] = field(default_factory=dict)
    weekends_for_missing_years: bool = False

    def year(self, year: int) -> CalendarYear:
        try:
            return self.years[year]
        except KeyError:
            raise CalendarYearMissing(year, self.years) from None

    def confidence(self, year: int) -> str:
        """The year's confidence; ``"missing"`` for a year not held (or ``CalendarYearMissing`` when strict)."""
        if year not in self.years and self.weekends_for_missing_years:
            return MISSING
        return self.year(year).confidence

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years and self.weekends_for_missing_years:
            return day.weekday() < 5
        entry = self.year(day.year)
        if day in entry.workdays:
            return True
        if day in entry.holidays:
            return False
        return day.weekday() < 5


def _parse_day(text: str, year: int, what: str) -> date:
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"calendar year {year}: {what} {text!r} is not a date (YYYY-MM-DD)") from None
    if day.year != year:
        raise ValueError(f"calendar year {year}: {what} {text} belongs to another year")
    return day


CONFIDENCES = ("confirmed", "recomputed", "unconfirmed", "conflict")


def calendar_from_data(data: Mapping[str, Any], *, weekends_for_missing_years: bool = False) -> WorkCalendar:
    """Build a calendar from data shaped like ``data/holidays_cn.json`` (for example the years an administrator
    maintains), checking it: dates inside their year, ranges in order, adjusted workdays on weekends only and
    never on a holiday, a known confidence. A check that fails raises ``ValueError`` naming the year and the date.

    >>> calendar_from_data({"years": {"2027": {"confidence": "unconfirmed", "workdays": ["2027-02-03"]}}})
    Traceback (most recent call last):
    ...
    ValueError: calendar year 2027: adjusted workday 2027-02-03 is not a Saturday or Sunday
    """
    years: dict[int, CalendarYear] = {}
    for key, entry in data.get("years", {}).items():
        year = int(key)
        holidays: set[date] = set()
        for block in entry.get("holidays", []):
            start = _parse_day(block["from"], year, "holiday start")
            end = _parse_day(block["to"], year, "holiday end")
            if end < start:
                raise ValueError(f"calendar year {year}: holiday {block.get('name', '')} ends before it starts")
            holidays.update(start + timedelta(days=i) for i in range((end - start).days + 1))
        workdays = {_parse_day(text, year, "adjusted workday") for text in entry.get("workdays", [])}
        for day in sorted(workdays):
            if day.weekday() < 5:
                raise ValueError(f"calendar year {year}: adjusted workday {day} is not a Saturday or Sunday")
            if day in holidays:
                raise ValueError(f"calendar year {year}: {day} is both a holiday and an adjusted workday")
        confidence = entry.get("confidence")
        if confidence not in CONFIDENCES:
            raise ValueError(f"calendar year {year}: unknown confidence {confidence!r}")
        years[year] = CalendarYear(
            year=year,
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            notice=entry.get("notice", ""),
            source=entry.get("seen_in", ""),
            confidence=confidence,
            note=entry.get("note", ""),
        )
    return WorkCalendar(years=years, weekends_for_missing_years=weekends_for_missing_years)


# The calendar shipped in ``data/holidays_cn.json`` (2017, 2025 and 2026 confirmed, 2027 provisional). The
# platform's clocks read the administrator's copy in the database (``jiliang.core.calendar``), seeded from this file.
default_calendar = shipped(CALENDAR_FILE.name, calendar_from_data)


def is_working_day(day: date, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``day`` is a working day in China.

    >>> is_working_day(date(2025, 9, 28)), is_working_day(date(2025, 10, 8))  # a Sunday worked; a Wednesday off
    (True, False)
    """
    return (calendar or default_calendar()).is_working_day(day)


def add_working_days(start: date, n: int, *, calendar: WorkCalendar | None = None) -> date:
    """The ``n``-th working day after ``start``; the start day itself **never counts**, working day or not.

    "Publish within 20 working days of the inspection's end" is ``add_working_days(end, 20)``: the last day still
    in time. ``n = 0`` gives ``start``; a negative ``n`` counts backwards (the ``|n|``-th working day before
    ``start``). Every day counted over must be in a year of the calendar, or ``CalendarYearMissing`` is raised.

    >>> add_working_days(date(2025, 9, 26), 20)  # a Friday; the inspection ended that day
    datetime.date(2025, 10, 30)
    >>> add_working_days(date(2025, 10, 9), -1)
    datetime.date(2025, 9, 30)
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise ValueError(f"n must be a whole number of working days, got {n!r}")
    work = calendar or default_calendar()
    step = timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if work.is_working_day(day):
            left -= 1
    return day


def working_days_between(a: date, b: date, *, calendar: WorkCalendar | None = None) -> int:
    """The number of working days from ``a`` to ``b``: the start day ``a`` does not count, the end day ``b`` does.

    For ``b`` after ``a`` this counts the working days in (a, b]; for ``b`` before ``a``, it is minus the count in
    [b, a). So ``working_days_between(a, add_working_days(a, n)) == n`` for every ``n``.

    >>> working_days_between(date(2025, 9, 26), date(2025, 10, 30))
    20
    >>> working_days_between(date(2025, 9, 30), date(2025, 10, 8))  # the whole National Day block
    0
    """
    work = calendar or default_calendar()
    if b >= a:
        days = (a + timedelta(days=i) for i in range(1, (b - a).days + 1))
        return sum(1 for day in days if work.is_working_day(day))
    days = (b + timedelta(days=i) for i in range((a - b).days))
    return -sum(1 for day in days if work.is_working_day(day))


def calendar_confidence(a: date, b: date, *, calendar: WorkCalendar | None = None) -> dict[int, str]:
    """The confidence of each calendar year between ``a`` and ``b`` (inclusive), to show next to a deadline.

    >>> calendar_confidence(date(2026, 12, 1), date(2027, 1, 31))
    {2026: 'confirmed', 2027: 'unconfirmed'}
    """
    work = calendar or default_calendar()
    low, high = min(a, b), max(a, b)
    return {year: work.confidence(year) for year in range(low.year, high.year + 1)}


def provisional_years(a: date, b: date, *, calendar: WorkCalendar | None = None) -> tuple[int, ...]:
    """The years between ``a`` and ``b`` (inclusive) whose notice is not confirmed (unconfirmed, or missing from a
    calendar that counts missing years by weekends only): a deadline counted over them is provisional, and may move
    when the year's State Council notice is entered.

    >>> provisional_years(date(2026, 12, 1), date(2027, 1, 31))
    (2027,)
    >>> provisional_years(date(2026, 1, 1), date(2026, 12, 31))
    ()
    """
    return tuple(
        year for year, confidence in calendar_confidence(a, b, calendar=calendar).items() if confidence != "confirmed"
    )
