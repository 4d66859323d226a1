#!/usr/bin/env python3
"""Recompute a published 双随机 draw (format "jiliang-draw", version 1 or 2) and say whether it matches.

Usage:
    python3 recompute_draw.py draw.json
    python3 recompute_draw.py https://example.org/draw.json
    python3 recompute_draw.py - < draw.json

Only Python's standard library is used: this is a second, independent implementation of the published algorithms
"hmac-sha256-v2" (documents of version 2) and "hmac-sha256-v1" (version 1), written from their description, so
that nobody has to trust the platform's own code. It is written to be read, not to be fast.

1. score(seed, text) = HMAC-SHA256 with the seed's UTF-8 bytes as key and the text's UTF-8 bytes as message, as 64
   lower-case hex digits.
2. In each stratum, the excluded ids are removed; the rest are sorted by (score(seed, id), id); the first `count`
   are drawn. (Both versions.)
3. All drawn targets are sorted by (score(seed, target), target) and get their `per_target` inspectors in turn.
   The load of an inspector is the number of targets given to them so far.

   Version 2: the inspectors are put on a circle in the order of (score(seed, "inspector\\n" + inspector),
   inspector), at positions 0 to n-1. For a target, X is score(seed, "team\\n" + target) as an integer (base 16);
   member j (j = 0, 1, ...) of its team gets the offset (X // n**j) % n. Member j is, among the inspectors free of
   conflicts with the target and not yet in its team, the first one of least load met going round the circle from
   position offset (included). Each member's load grows by one as they are chosen.

   Version 1: each target gets the `per_target` inspectors free of conflicts with the smallest (load,
   score(seed, target + "\\n" + inspector), inspector).

Digests: SHA-256 in hex. A roster's digest is over its ids sorted by code point and joined by "\\n"; the conflicts'
digest is over the lines "inspector<TAB>target", sorted and joined by "\\n"; the commitment's digest is over its
canonical JSON (keys sorted, no spaces, characters unescaped, UTF-8) without its "digest" field. The number drawn
from a stratum is its quota when the quota is a whole number, or ceil(ratio x eligible) when it is a ratio.

Prints what it checked, then "OK: ..." and exits 0, or "MISMATCH: ..." and exits 1. A file that cannot be read as
JSON gives "ERROR: ..." and exit status 2.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import sys
import urllib.request
from fractions import Fraction

ALGORITHMS = {1: "hmac-sha256-v1", 2: "hmac-sha256-v2"}  # document version -> its algorithm


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def score(seed: str, text: str) -> str:
    return hmac.new(seed.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def roster_digest(ids: list[str]) -> str:
    return sha256_hex("\n".join(sorted(ids)).encode("utf-8"))


def conflicts_digest(pairs: list[list[str]]) -> str:
    return sha256_hex("\n".join(sorted(f"{inspector}\t{target}" for inspector, target in pairs)).encode("utf-8"))


def count_for(quota: int | str, eligible: int) -> int:
    """The number to draw: a whole-number quota as it is, a ratio (decimal text) times eligible, rounded up."""
    if isinstance(quota, int):
        return quota
    return min(eligible, math.ceil(Fraction(quota) * eligible))


def draw(seed: str, ids: list[str], count: int) -> list[str]:
    return sorted(ids, key=lambda item: (score(seed, item), item))[:count]


def assign_v2(
    seed: str, targets: list[str], inspectors: list[str], per_target: int, conflicts: list[list[str]]
) -> dict[str, list[str]]:
    conflicting = {(inspector, target) for inspector, target in conflicts}
    circle = sorted(inspectors, key=lambda inspector: (score(seed, "inspector\n" + inspector), inspector))
    n = len(circle)
    load = {inspector: 0 for inspector in inspectors}
    teams = {}
    for target in sorted(targets, key=lambda item: (score(seed, item), item)):
        x = int(score(seed, "team\n" + target), 16)
        team: list[str] = []
        for j in range(per_target):
            offset = (x // n**j) % n
            round_the_circle = circle[offset:] + circle[:offset]
            free = [i for i in round_the_circle if (i, target) not in conflicting and i not in team]
            least = min(load[i] for i in free)
            chosen = next(i for i in free if load[i] == least)
            team.append(chosen)
            load[chosen] += 1
        teams[target] = team
    return teams


def assign_v1(
    seed: str, targets: list[str], inspectors: list[str], per_target: int, conflicts: list[list[str]]
) -> dict[str, list[str]]:
    conflicting = {(inspector, target) for inspector, target in conflicts}
    load = {inspector: 0 for inspector in inspectors}
    teams = {}
    for target in sorted(targets, key=lambda item: (score(seed, item), item)):
        free = [inspector for inspector in inspectors if (inspector, target) not in conflicting]
        free.sort(key=lambda inspector: (load[inspector], score(seed, target + "\n" + inspector), inspector))
        teams[target] = free[:per_target]
        for inspector in teams[target]:
            load[inspector] += 1
    return teams


def recompute(document: dict) -> dict:
    """The draw and the teams recomputed from the document's rosters, seed and commitment."""
    commitment = document["commitment"]
    seed = document["seed"]
    rosters = document["rosters"]
    excluded = set(commitment["exclusions"])
    drawn = {}
    for name, ids in sorted(rosters["strata"].items()):
        eligible = [item for item in ids if item not in excluded]
        drawn[name] = draw(seed, eligible, count_for(commitment["strata"][name]["quota"], len(eligible)))
    targets = [item for name in sorted(drawn) for item in drawn[name]]
    assign = assign_v1 if document["version"] == 1 else assign_v2
    teams = assign(seed, targets, rosters["inspectors"], commitment["per_target"], rosters["conflicts"])
    return {"drawn": drawn, "teams": teams}


def check(document: dict) -> tuple[list[str], list[str]]:
    """(what was checked, what does not match), line by line."""
    done: list[str] = []
    bad: list[str] = []

    def expect(ok: bool, what: str) -> None:
        (done if ok else bad).append(what)

    version = document.get("version") if isinstance(document, dict) else None
    if type(version) is not int or version not in ALGORITHMS or document.get("format") != "jiliang-draw":
        return done, ["not a jiliang-draw document of version 1 or 2"]
    algorithm = ALGORITHMS[version]
    commitment = document["commitment"]
    rosters = document["rosters"]
    body = {key: value for key, value in commitment.items() if key != "digest"}
    expect(sha256_hex(canonical_json(body)) == commitment["digest"], f"commitment digest {commitment['digest']}")
    expect(commitment.get("version") == version, f"version {version}")
    expect(commitment["algorithm"] == document["algorithm"] == algorithm, f"algorithm {algorithm}")
    expect(commitment["task"] == document["task"], f"task {document['task']}")
    expect(set(commitment["strata"]) == set(rosters["strata"]), f"strata {', '.join(sorted(rosters['strata']))}")
    all_targets = [item for ids in rosters["strata"].values() for item in ids]
    expect(len(all_targets) == len(set(all_targets)), "no target id twice in the rosters")
    excluded = commitment["exclusions"]
    expect(set(excluded) <= set(all_targets), f"{len(excluded)} exclusions name roster ids")
    for name, ids in sorted(rosters["strata"].items()):
        entry = commitment["strata"].get(name, {})
        eligible = [item for item in ids if item not in excluded]
        expect(roster_digest(ids) == entry.get("roster_digest"), f"stratum {name}: roster digest ({len(ids)} ids)")
        expect(
            (len(ids), len(ids) - len(eligible), len(eligible))
            == (entry.get("size"), entry.get("excluded"), entry.get("eligible")),
            f"stratum {name}: {len(ids)} ids, {len(ids) - len(eligible)} excluded, {len(eligible)} eligible",
        )
        quota = entry.get("quota", 0)
        count = count_for(quota, len(eligible))
        expect(
            count == entry.get("count")
            and 0 <= count <= len(eligible)
            and (isinstance(quota, int) or 0 <= Fraction(quota) <= 1),
            f"stratum {name}: quota {entry.get('quota')!r} gives {count}",
        )
    inspectors = rosters["inspectors"]
    expect(
        roster_digest(inspectors) == commitment["inspectors"]["roster_digest"]
        and len(inspectors) == len(set(inspectors)) == commitment["inspectors"]["size"],
        f"inspector roster digest ({len(inspectors)} inspectors)",
    )
    conflicts = rosters["conflicts"]
    expect(
        conflicts_digest(conflicts) == commitment["conflicts"]["digest"]
        and len(conflicts) == commitment["conflicts"]["size"],
        f"conflicts digest ({len(conflicts)} pairs)",
    )
    if commitment["seed_hash"]:
        expect(sha256_hex(document["seed"].encode("utf-8")) == commitment["seed_hash"], "seed matches seed_hash")
    result = recompute(document)
    for name in sorted(set(result["drawn"]) | set(document["drawn"])):
        mine, theirs = result["drawn"].get(name), document["drawn"].get(name)
        expect(mine == theirs, f"stratum {name}: drawn {len(mine or [])} ids in rank order")
    teams = document["teams"]
    per_target = commitment["per_target"]
    barred = {(inspector, target) for inspector, target in conflicts}
    expect(
        all(
            len(set(team)) == len(team) == per_target and not any((i, target) in barred for i in team)
            for target, team in teams.items()
        ),
        f"every team has {per_target} different inspectors, none with a conflict",
    )
    targets = set(result["teams"]) | set(teams)
    wrong = sorted(target for target in targets if result["teams"].get(target) != teams.get(target))
    differ = f" (differ: {', '.join(wrong[:5])})" if wrong else ""
    expect(not wrong, f"teams of {len(result['teams'])} targets{differ}")
    return done, bad


def load(source: str) -> dict:
    if source == "-":
        return json.load(sys.stdin)
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 (http and https only, above)
            return json.loads(response.read().decode("utf-8"))
    with open(source, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute a published jiliang-draw document.")
    parser.add_argument("source", help="a file path, an http(s) URL, or - for standard input")
    args = parser.parse_args(argv)
    try:
        document = load(args.source)
    except (OSError, ValueError) as error:
        print(f"ERROR: cannot read {args.source}: {error}")
        return 2
    try:
        done, bad = check(document)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        done, bad = [], [f"the document is malformed ({type(error).__name__}: {error})"]
    for line in done:
        print(f"ok        {line}")
    for line in bad:
        print(f"MISMATCH  {line}")
    if bad:
        task = document.get("task") if isinstance(document, dict) else None
        print(f"MISMATCH: {len(bad)} of {len(done) + len(bad)} checks failed for task {task!r}")
        return 1
    print(f"OK: the draw of task {document['task']!r} with seed {document['seed']!r} recomputes exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
