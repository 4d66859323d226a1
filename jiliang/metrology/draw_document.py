"""The published draw document of a 双随机 supervision task: a commitment before the seed, the result after it.

Sources: the project's reference notes on random inspections (double-random.md: "anyone holding the published seed
and roster hash can recompute the same draw"; exclusions applied before drawing and listed; at least two inspectors
per target, none with a conflict) and on supervision (supervision.md §1: publish, before the seed is known, the
frozen roster or its digest per stratum, k per stratum and the exclusions; take the seed from a source fixed in
advance; then publish the seed and the result; compare IETF RFC 3797). The algorithm is that of
``jiliang.metrology.draw``: ``hmac-sha256-v2`` for version 2 of the document, ``hmac-sha256-v1`` for version 1. A
standalone recomputation using only Python's standard library is ``docs/supervision/recompute_draw.py``.

This format leaves the system: it is versioned (``FORMAT``, ``VERSION``) and the committed examples
``tests/metrology/data/draw_document_v1.json`` and ``draw_document_v2.json`` are verified by tests for ever. A
change that alters a digest, a field or a result of a version needs a new version.

**Versions.** Both versions have the same fields, digests and draw of targets; they differ in the assignment of
inspectors only (``draw.assign_inspectors`` for version 1, ``draw.assign_inspectors_v2`` for version 2, described in
``jiliang.metrology.draw``). ``commitment`` writes version 2 (``VERSION``). ``run`` draws by the version its
commitment names, since the commitment fixed the algorithm before the seed was known: a commitment of version 1
published before version 2 existed gives a document of version 1. ``verify`` reads both versions, each with its
own algorithm (``ALGORITHMS``).

**Canonical JSON and digests.** ``canonical_json(obj)`` is
``json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` encoded in UTF-8; ``digest(obj)`` is
the SHA-256 of it in lower-case hex. A roster's digest is ``draw.roster_digest``: SHA-256 of its ids sorted by code
point and joined by ``"\\n"`` (no final newline). The conflicts' digest is the same over the lines
``inspector + "\\t" + target`` (ids never hold a tab, so the lines sort as the pairs do).

**Step 1, the commitment** (published before the seed is known), a JSON object:

- ``format``: ``"jiliang-draw"``; ``version``: ``2``; ``algorithm``: ``"hmac-sha256-v2"`` (version ``1``:
  ``"hmac-sha256-v1"``).
- ``task``: the task's name or number (text).
- ``strata``: one object per stratum (a risk class or an area), by name, each with
  ``roster_digest`` and ``size`` (the frozen roster of target ids), ``excluded`` (how many of them are excluded) and
  ``eligible`` (``size - excluded``), ``quota`` (as the plan set it: a whole number to draw, or a ratio as decimal
  text such as ``"0.03"``) and ``count``, the number drawn: the quota itself, or ``⌈ratio × eligible⌉``
  (``draw.stratum_count``).
- ``exclusions``: target id → reason code (text), the targets removed before drawing. Every excluded id must be in
  a stratum's roster: an exclusion naming no roster id is **refused** (``ValueError``), not listed as ignored, so
  that a published exclusion always removes someone.
- ``inspectors``: ``roster_digest`` and ``size`` of the inspector roster.
- ``per_target``: inspectors per target (default 2).
- ``conflicts``: ``digest`` and ``size`` of the set of conflicting (inspector, target) pairs.
- ``seed_source``: the seed's source announced in advance (free text, e.g. "福利彩票双色球 2026-12-10 开奖号码").
- ``seed_hash``: for a commit-reveal seed, the SHA-256 (hex) of the seed's UTF-8 bytes; ``""`` otherwise.
- ``digest``: ``digest()`` of this object without its ``digest`` field. This is the value to publish first.

**Step 2, the document** (published with the seed): ``format``, ``version``, ``algorithm``, ``task`` (as in the
commitment), ``commitment`` (the object above, with its ``digest``), ``seed`` (text), ``rosters`` (``strata``: name
→ ids sorted by code point; ``inspectors``: ids sorted; ``conflicts``: ``[inspector, target]`` pairs sorted),
``drawn`` (name → the drawn ids in rank order) and ``teams`` (target → its inspectors, in the order chosen).

**The draw.** In each stratum the excluded ids are removed and ``count`` ids drawn with ``draw.draw`` (rank by
HMAC-SHA256(seed, id)); then all drawn targets together get ``per_target`` inspectors each with the conflicts, by
``draw.assign_inspectors_v2`` (version 2) or ``draw.assign_inspectors`` (version 1). A commitment is refused when an eligible target of a stratum that
draws anyone has fewer than ``per_target`` inspectors free of conflicts, so every seed gives a complete result.

>>> c = commitment(task="2026-JL-01", strata={"A": ["E1", "E2", "E3"]}, quotas={"A": 2}, exclusions={"E3": "recent"},
...                inspectors=["I1", "I2", "I3"], conflicts=[("I1", "E1")], seed_source="双色球 2026-12-10")
>>> c["strata"]["A"]["count"], c["strata"]["A"]["eligible"]
(2, 2)
>>> document = run(c, strata={"A": ["E2", "E1", "E3"]}, inspectors=["I3", "I2", "I1"], conflicts=[("I1", "E1")],
...                seed="03 11 17 22 28 31 + 09")
>>> sorted(document["drawn"]["A"]), verify(document)
(['E1', 'E2'], [])
>>> len(document["teams"]["E1"]), "I1" in document["teams"]["E1"]
(2, False)
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeGuard

from .draw import (
    ALGORITHM_V1,
    ALGORITHM_V2,
    _check_ids,
    assign_inspectors,
    assign_inspectors_v2,
    draw,
    roster_digest,
    stratum_count,
)

FORMAT = "jiliang-draw"
ALGORITHMS = {1: ALGORITHM_V1, 2: ALGORITHM_V2}  # version → its algorithm; every version stays readable
VERSION = 2  # the version of new commitments
ALGORITHM = ALGORITHMS[VERSION]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_DECIMAL_RATIO = re.compile(r"0|1|0\.[0-9]+|1\.0+")
_CONTROL = re.compile("[\x00-\x1f]")


def canonical_json(obj: Any) -> bytes:
    """The canonical JSON bytes of ``obj``: sorted keys, no spaces, characters as themselves, UTF-8.

    >>> canonical_json({"b": 1, "a": "计量"}).decode()
    '{"a":"计量","b":1}'
    """
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(obj: Any) -> str:
    """SHA-256 of ``canonical_json(obj)`` in lower-case hex.

    >>> digest({}) == hashlib.sha256(b"{}").hexdigest()
    True
    """
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def seed_hash(seed: str) -> str:
    """The value to publish for a commit-reveal seed: SHA-256 of the seed's UTF-8 bytes in hex.

    >>> seed_hash("abc")
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def conflicts_digest(pairs: Iterable[Sequence[str]]) -> str:
    """SHA-256 of the conflicting pairs: the lines ``inspector\\ttarget`` sorted and joined by ``\\n``, in UTF-8.

    >>> conflicts_digest([("I2", "T1"), ("I1", "T9")]) == hashlib.sha256(b"I1\\tT9\\nI2\\tT1").hexdigest()
    True
    """
    lines = sorted(f"{inspector}\t{target}" for inspector, target in pairs)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------------------
# Checking inputs


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be non-empty text, got {value!r}")
    if _CONTROL.search(value):
        raise ValueError(f"{what} contains a control character: {value!r}")
    return value


def _rosters(strata: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Each stratum's ids sorted, refusing bad names, bad or repeated ids and an id in two strata."""
    if not isinstance(strata, Mapping) or not strata:
        raise ValueError("no strata given: a draw needs at least one stratum (a risk class or an area)")
    owner: dict[str, str] = {}
    rosters: dict[str, list[str]] = {}
    for name in sorted(strata):
        _text(name, "a stratum's name")
        if isinstance(strata[name], str):
            raise ValueError(f"the roster of stratum {name!r} must be a list of ids, not one text")
        ids = _check_ids(strata[name], f"roster of stratum {name!r}")
        for item in ids:
            if item in owner:
                raise ValueError(f"id {item!r} is in both stratum {owner[item]!r} and stratum {name!r}")
            owner[item] = name
        rosters[name] = sorted(ids)
    return rosters


def _staff(inspectors: Iterable[str]) -> list[str]:
    if isinstance(inspectors, str):
        raise ValueError("the inspector roster must be a list of ids, not one text")
    staff = sorted(_check_ids(inspectors, "inspector roster"))
    if not staff:
        raise ValueError("the inspector roster is empty")
    return staff


def _pairs(conflicts: Iterable[tuple[str, str]], staff: Iterable[str], targets: Iterable[str]) -> list[list[str]]:
    """The conflicting pairs as sorted unique ``[inspector, target]`` lists; both ids must be on the rosters."""
    known_staff, known_targets = set(staff), set(targets)
    pairs: set[tuple[str, str]] = set()
    for given in conflicts:
        pair: tuple[object, ...] = () if isinstance(given, str) or not isinstance(given, Iterable) else tuple(given)
        if len(pair) != 2 or not all(isinstance(item, str) for item in pair):
            raise ValueError(f"a conflict must be a pair (inspector id, target id), got {given!r}")
        inspector, target = str(pair[0]), str(pair[1])
        if inspector not in known_staff:
            raise ValueError(f"conflict ({inspector!r}, {target!r}) names an inspector who is not on the roster")
        if target not in known_targets:
            raise ValueError(f"conflict ({inspector!r}, {target!r}) names a target that is in no stratum's roster")
        pairs.add((inspector, target))
    return [list(pair) for pair in sorted(pairs)]


def _count(quota: object, eligible: int, name: str) -> int:
    """The number to draw from a stratum with ``eligible`` ids for the plan's ``quota`` (a count or a ratio)."""
    if isinstance(quota, bool) or not isinstance(quota, int | str):
        raise ValueError(
            f"the quota of stratum {name!r} must be a whole number or a ratio as decimal text (e.g. '0.03'), "
            f"got {quota!r}"
        )
    if isinstance(quota, str):
        if not _DECIMAL_RATIO.fullmatch(quota):
            raise ValueError(
                f"the ratio of stratum {name!r} must be decimal text between 0 and 1 such as '0.03', got {quota!r}"
            )
        return stratum_count(quota, eligible)
    if quota < 0:
        raise ValueError(f"the quota of stratum {name!r} is negative: {quota}")
    if quota > eligible:
        raise ValueError(f"stratum {name!r} cannot draw {quota}: it has {eligible} eligible ids after the exclusions")
    return quota


def _per_target(value: object, staff_size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"per_target must be a whole number of at least 1, got {value!r}")
    if value > staff_size:
        raise ValueError(f"per_target is {value} but the inspector roster has only {staff_size} inspectors")
    return value


# --------------------------------------------------------------------------------------------------------------
# Step 1: the commitment


def commitment(
    *,
    task: str,
    strata: Mapping[str, Iterable[str]],
    quotas: Mapping[str, int | str],
    exclusions: Mapping[str, str],
    inspectors: Iterable[str],
    conflicts: Iterable[tuple[str, str]],
    per_target: int = 2,
    seed_source: str,
    seed_hash: str = "",
) -> dict[str, Any]:
    """The commitment to publish before the seed is known (fields in the module docstring), with its ``digest``.

    ``quotas``: per stratum, a whole number to draw or a ratio as decimal text (``"0.03"``), turned into a count by
    ``stratum_count`` on the stratum's eligible ids. ``exclusions``: target id → reason code. ``conflicts``:
    (inspector id, target id) pairs; a pair given twice counts once. ``seed_hash``: SHA-256 hex of a commit-reveal
    seed (``seed_hash()``), or ``""`` for a public source such as a lottery draw.

    Raises ``ValueError`` (an English message naming the problem) for: an empty task or seed source; no strata; a
    bad stratum name, a bad or repeated id, an id in two strata; a stratum without a quota or a quota for an unknown
    stratum; a quota that is not a whole number or decimal ratio text in [0, 1], or a count above the eligible ids;
    an exclusion naming no roster id or with an empty reason; an empty inspector roster; a conflict naming an
    unknown inspector or target; a ``per_target`` below 1 or above the inspector roster; a malformed ``seed_hash``;
    an eligible target (in a stratum that draws anyone) with fewer than ``per_target`` inspectors free of conflicts.

    >>> commitment(task="T", strata={"A": ["E1"]}, quotas={"A": 1}, exclusions={"E9": "recent"}, inspectors=["I1"],
    ...            conflicts=[], per_target=1, seed_source="lottery")
    Traceback (most recent call last):
    ...
    ValueError: exclusion 'E9' names no id of any stratum's roster
    """
    task = _text(task, "task")
    seed_source = _text(seed_source, "seed_source")
    rosters = _rosters(strata)
    if not isinstance(quotas, Mapping):
        raise ValueError("quotas must be a mapping from stratum name to a count or a ratio")
    missing = sorted(set(rosters) - set(quotas))
    if missing:
        raise ValueError(f"no quota given for stratum {', '.join(map(repr, missing))}")
    unknown = sorted(set(quotas) - set(rosters), key=str)
    if unknown:
        raise ValueError(f"quota given for unknown stratum {', '.join(map(repr, unknown))}")
    owner = {item: name for name, ids in rosters.items() for item in ids}
    if not isinstance(exclusions, Mapping):
        raise ValueError("exclusions must be a mapping from target id to a reason code")
    excluded: dict[str, str] = {}
    for item, reason in sorted(exclusions.items(), key=lambda entry: str(entry[0])):
        if item not in owner:
            raise ValueError(f"exclusion {item!r} names no id of any stratum's roster")
        excluded[item] = _text(reason, f"the reason of exclusion {item!r}")
    staff = _staff(inspectors)
    per_target = _per_target(per_target, len(staff))
    pairs = _pairs(conflicts, staff, owner)
    if not isinstance(seed_hash, str) or (seed_hash and not _HEX64.fullmatch(seed_hash)):
        raise ValueError(f"seed_hash must be 64 lower-case hexadecimal digits (SHA-256) or empty, got {seed_hash!r}")

    strata_doc: dict[str, dict[str, Any]] = {}
    for name, ids in rosters.items():
        eligible = [item for item in ids if item not in excluded]
        count = _count(quotas[name], len(eligible), name)
        strata_doc[name] = {
            "roster_digest": roster_digest(ids),
            "size": len(ids),
            "excluded": len(ids) - len(eligible),
            "eligible": len(eligible),
            "quota": quotas[name],
            "count": count,
        }
        if count:
            _check_staffing(eligible, staff, pairs, per_target)

    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": ALGORITHM,
        "task": task,
        "strata": strata_doc,
        "exclusions": excluded,
        "inspectors": {"roster_digest": roster_digest(staff), "size": len(staff)},
        "per_target": per_target,
        "conflicts": {"digest": conflicts_digest(pairs), "size": len(pairs)},
        "seed_source": seed_source,
        "seed_hash": seed_hash,
    }
    doc["digest"] = digest(doc)
    return doc


def _check_staffing(eligible: list[str], staff: list[str], pairs: list[list[str]], per_target: int) -> None:
    """Refuse a commitment that some seed could not staff: every drawable target needs enough free inspectors."""
    blocked: dict[str, int] = {}
    for _, target in pairs:
        blocked[target] = blocked.get(target, 0) + 1
    short = [(item, len(staff) - blocked[item]) for item in eligible if len(staff) - blocked.get(item, 0) < per_target]
    if short:
        listed = ", ".join(f"{item!r} has {free}" for item, free in short[:10])
        more = f" and {len(short) - 10} more" if len(short) > 10 else ""
        raise ValueError(
            f"not enough inspectors free of conflicts: each target needs {per_target}, but {listed}{more}; "
            "exclude these targets with a reason or widen the inspector roster"
        )


def _known_version(version: object) -> TypeGuard[int]:
    return isinstance(version, int) and not isinstance(version, bool) and version in ALGORITHMS


def _versions() -> str:
    return " or ".join(map(str, sorted(ALGORITHMS)))


def _commitment_problems(c: object) -> list[str]:
    """What is wrong with a commitment on its own: its format and its digest."""
    if not isinstance(c, Mapping):
        return ["the commitment is not a JSON object"]
    problems = []
    version = c.get("version")
    if c.get("format") != FORMAT or not _known_version(version):
        problems.append(f"the commitment is not {FORMAT} version {_versions()}")
    elif c.get("algorithm") != ALGORITHMS[version]:
        problems.append(f"the commitment's algorithm is {c.get('algorithm')!r}, not {ALGORITHMS[version]!r}")
    body = {key: value for key, value in c.items() if key != "digest"}
    if c.get("digest") != digest(body):
        problems.append(
            "the commitment's digest does not match its content: a field was changed after the digest was computed"
        )
    return problems


def _roster_problems(
    c: Mapping[str, Any], rosters: Mapping[str, list[str]], staff: list[str], pairs: list[list[str]]
) -> list[str]:
    """What differs between the commitment and the full rosters: digests, sizes, exclusions and counts."""
    problems: list[str] = []
    committed = c["strata"]
    if set(committed) != set(rosters):
        problems.append(
            f"the strata {sorted(rosters)} are not the published strata {sorted(committed)}",
        )
    owner = {item: name for name, ids in rosters.items() for item in ids}
    for item in c["exclusions"]:
        if item not in owner:
            problems.append(f"exclusion {item!r} names no id of any stratum's roster")
    for name in sorted(set(committed) & set(rosters)):
        entry, ids = committed[name], rosters[name]
        if roster_digest(ids) != entry["roster_digest"]:
            # the root cause: the sizes and counts that follow from the roster would only repeat it
            problems.append(f"the roster of stratum {name!r} does not match its published digest")
            continue
        if len(ids) != entry["size"]:
            problems.append(f"the roster of stratum {name!r} has {len(ids)} ids, the commitment says {entry['size']}")
        eligible = sum(1 for item in ids if item not in c["exclusions"])
        if (entry["excluded"], entry["eligible"]) != (len(ids) - eligible, eligible):
            problems.append(
                f"stratum {name!r}: the commitment says {entry['excluded']} excluded and {entry['eligible']} "
                f"eligible, the roster gives {len(ids) - eligible} and {eligible}"
            )
        try:
            count = _count(entry["quota"], eligible, name)
        except ValueError as error:
            problems.append(str(error))
        else:
            if count != entry["count"]:
                problems.append(f"stratum {name!r}: the quota {entry['quota']!r} gives {count}, not {entry['count']}")
    if roster_digest(staff) != c["inspectors"]["roster_digest"]:
        problems.append("the inspector roster does not match its published digest")
    if len(staff) != c["inspectors"]["size"]:
        problems.append(f"the inspector roster has {len(staff)} ids, the commitment says {c['inspectors']['size']}")
    if conflicts_digest(pairs) != c["conflicts"]["digest"] or len(pairs) != c["conflicts"]["size"]:
        problems.append("the conflicts do not match their published digest")
    try:
        _per_target(c["per_target"], len(staff))
    except ValueError as error:
        problems.append(str(error))
    return problems


# --------------------------------------------------------------------------------------------------------------
# Step 2: the draw


def run(
    commitment_doc: Mapping[str, Any],
    *,
    strata: Mapping[str, Iterable[str]],
    inspectors: Iterable[str],
    conflicts: Iterable[tuple[str, str]],
    seed: str,
) -> dict[str, Any]:
    """Draw with the published ``seed`` from the full rosters of a commitment, and return the whole document.

    The rosters must be those committed: each stratum's, the inspectors' and the conflicts' digests are checked
    (``ValueError`` "the roster of stratum 'A' does not match its published digest", …), and so are the
    commitment's own digest and, when it has one, its ``seed_hash`` ("the seed does not match the published seed
    hash"). Then each stratum draws its ``count`` after the exclusions (``draw.draw``) and all drawn targets get
    their inspectors by the algorithm of the commitment's version (``draw.assign_inspectors_v2`` for version 2). The
    document has the commitment's version.
    """
    problems = _commitment_problems(commitment_doc)
    if problems:
        raise ValueError("; ".join(problems))
    c: dict[str, Any] = json.loads(canonical_json(commitment_doc))
    rosters = _rosters(strata)
    staff = _staff(inspectors)
    owner = {item: name for name, ids in rosters.items() for item in ids}
    pairs = _pairs(conflicts, staff, owner)
    problems = _roster_problems(c, rosters, staff, pairs)
    if problems:
        raise ValueError("; ".join(problems))
    if not isinstance(seed, str) or not seed:
        raise ValueError(f"the seed must be non-empty text, got {seed!r}")
    if c["seed_hash"] and seed_hash(seed) != c["seed_hash"]:
        raise ValueError("the seed does not match the published seed hash")
    version = c["version"]
    drawn, teams = _draw(c, rosters, staff, pairs, seed, version)
    return {
        "format": FORMAT,
        "version": version,
        "algorithm": ALGORITHMS[version],
        "task": c["task"],
        "commitment": c,
        "seed": seed,
        "rosters": {"strata": rosters, "inspectors": staff, "conflicts": pairs},
        "drawn": drawn,
        "teams": teams,
    }


def _draw(
    c: Mapping[str, Any],
    rosters: Mapping[str, list[str]],
    staff: list[str],
    pairs: list[list[str]],
    seed: str,
    version: int,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The drawn ids per stratum and the teams by ``version``'s algorithm, for rosters checked against the commitment."""
    exclude = set(c["exclusions"])
    drawn = {
        name: draw(seed, ids, c["strata"][name]["count"], exclude=exclude) if ids else []
        for name, ids in sorted(rosters.items())
    }
    blocked: dict[str, set[str]] = {}
    for inspector, target in pairs:
        blocked.setdefault(inspector, set()).add(target)
    targets = [item for name in sorted(drawn) for item in drawn[name]]
    assign = assign_inspectors if version == 1 else assign_inspectors_v2
    teams = assign(seed, targets, staff, per_target=c["per_target"], conflicts=blocked) if targets else {}
    return drawn, teams


# --------------------------------------------------------------------------------------------------------------
# Verification


def verify(document: Mapping[str, Any]) -> list[str]:
    """Recompute a document from its own content; the list of discrepancies, empty when everything matches.

    Checked: the format and version (1 or 2, each recomputed by its own algorithm); the commitment's digest and
    version; the task and algorithm against the commitment; every
    roster's digest and size, the exclusions and each stratum's count against the commitment; the seed against a
    committed ``seed_hash``; the drawn ids of every stratum; every target's team.
    """
    try:
        return _verify(document)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        return [f"the document is malformed: {type(error).__name__}: {error}"]


def _verify(document: Mapping[str, Any]) -> list[str]:
    if not isinstance(document, Mapping):
        return ["the document is not a JSON object"]
    version = document.get("version")
    if document.get("format") != FORMAT or not _known_version(version):
        return [f"the document is not {FORMAT} version {_versions()} (format {document.get('format')!r}, "
                f"version {version!r})"]  # fmt: skip
    c = document["commitment"]
    problems = _commitment_problems(c)
    if document["algorithm"] != ALGORITHMS[version]:
        problems.append(f"the document's algorithm is {document['algorithm']!r}, not {ALGORITHMS[version]!r}")
    if c.get("version") != version:
        problems.append(f"the document is version {version} but its commitment version {c.get('version')!r}")
    if document["task"] != c["task"]:
        problems.append(f"the document's task {document['task']!r} is not the commitment's {c['task']!r}")
    given = document["rosters"]
    rosters = _rosters(given["strata"])
    staff = _staff(given["inspectors"])
    owner = {item: name for name, ids in rosters.items() for item in ids}
    pairs = _pairs([tuple(pair) for pair in given["conflicts"]], staff, owner)
    problems += _roster_problems(c, rosters, staff, pairs)
    seed = document["seed"]
    if not isinstance(seed, str) or not seed:
        return [*problems, f"the seed must be non-empty text, got {seed!r}"]
    if c["seed_hash"] and seed_hash(seed) != c["seed_hash"]:
        problems.append("the seed does not match the published seed hash")
    if problems:
        # The draw is recomputed from the rosters as given, with the counts their quotas give.
        c = copy.deepcopy(dict(c))
        for name in set(c["strata"]) & set(rosters):
            eligible = sum(1 for item in rosters[name] if item not in c["exclusions"])
            try:
                c["strata"][name]["count"] = _count(c["strata"][name]["quota"], eligible, name)
            except ValueError:
                return problems
        if set(c["strata"]) != set(rosters):
            return problems
    try:
        drawn, teams = _draw(c, rosters, staff, pairs, seed, version)
    except ValueError as error:  # e.g. conflicts that leave a drawn target short of inspectors
        return [*problems, f"the draw cannot be recomputed: {error}"]
    problems += _differences(document["drawn"], drawn, "the drawn ids of stratum")
    problems += _differences(document["teams"], teams, "the team of target")
    return problems


def _differences(published: Mapping[str, Any], recomputed: Mapping[str, list[str]], what: str) -> list[str]:
    problems = []
    for key in sorted(set(published) | set(recomputed), key=str):
        if key not in recomputed:
            problems.append(f"{what} {key!r}: published, but the recomputation has none")
        elif key not in published:
            problems.append(f"{what} {key!r}: missing, the recomputation gives {_short(recomputed[key])}")
        elif list(published[key]) != recomputed[key]:
            problems.append(f"{what} {key!r}: published {_short(published[key])}, recomputed {_short(recomputed[key])}")
    return problems


def _short(ids: Iterable[str]) -> str:
    listed = list(ids)
    return repr(listed) if len(listed) <= 8 else f"{repr(listed[:8])[:-1]}, …] ({len(listed)} ids)"
