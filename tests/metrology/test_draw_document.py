"""The published draw document (jiliang.metrology.draw_document) and its standalone recomputation.

Sources: the project's reference notes on random inspections (double-random.md: "anyone holding the published seed
and roster hash can recompute the same draw"; exclusions before drawing; at least two inspectors, none with a
conflict) and supervision.md §1 (publish the roster digests, k per stratum and the exclusions before the seed; a seed
source fixed in advance, or a committed value whose hash was published first). The script
docs/supervision/recompute_draw.py is the citizen's check: it must agree with the platform without importing it.
"""

import ast
import copy
import hashlib
import hmac
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jiliang.metrology import draw as dr
from jiliang.metrology import draw_document as dd

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "supervision" / "recompute_draw.py"
EXAMPLE_V1 = Path(__file__).parent / "data" / "draw_document_v1.json"
EXAMPLE_V2 = Path(__file__).parent / "data" / "draw_document_v2.json"

SEED = "2026-12-10 双色球 05 09 14 22 26 31 + 07"
STRATA = {
    "A": [f"A{i:03}" for i in range(60)],
    "B": [f"B{i:02}" for i in range(20)],
    "东城": ["E1", "E2", "E3"],
}
INSPECTORS = [f"I{i}" for i in range(6)]
CONFLICTS = [("I0", "A001"), ("I1", "B05"), ("I1", "E2"), ("I2", "E2")]


def make_commitment(**changes):
    arguments = {
        "task": "2026-JL-07",
        "strata": STRATA,
        "quotas": {"A": "0.05", "B": 4, "东城": "1"},
        "exclusions": {"A002": "inspected_within_window", "E3": "deregistered"},
        "inspectors": INSPECTORS,
        "conflicts": CONFLICTS,
        "per_target": 2,
        "seed_source": "福利彩票双色球 2026-12-10 开奖号码",
        "seed_hash": dd.seed_hash(SEED),
    }
    arguments.update(changes)
    return dd.commitment(**arguments)


def make_document():
    return dd.run(make_commitment(), strata=STRATA, inspectors=INSPECTORS, conflicts=CONFLICTS, seed=SEED)


def as_v1(c):
    """The commitment as one of version 1 would have been written (the same fields; another version, algorithm
    and digest): ``commitment`` writes version 2 only, and commitments of version 1 published before stay valid."""
    old = {key: value for key, value in c.items() if key != "digest"} | {"version": 1, "algorithm": "hmac-sha256-v1"}
    return {**old, "digest": dd.digest(old)}


def load_script():
    spec = importlib.util.spec_from_file_location("recompute_draw", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = load_script()


# --- the commitment


def test_the_commitment_publishes_digests_counts_and_exclusions_and_digests_itself():
    c = make_commitment()
    assert c["format"] == "jiliang-draw" and c["version"] == 2 and c["algorithm"] == "hmac-sha256-v2"
    assert c["strata"]["A"] == {
        "roster_digest": hashlib.sha256("\n".join(sorted(STRATA["A"])).encode()).hexdigest(),
        "size": 60,
        "excluded": 1,
        "eligible": 59,
        "quota": "0.05",
        "count": 3,  # ⌈0.05 × 59⌉ = ⌈2.95⌉, by hand
    }
    assert (c["strata"]["B"]["count"], c["strata"]["东城"]["count"], c["strata"]["东城"]["eligible"]) == (4, 2, 2)
    assert c["exclusions"] == {"A002": "inspected_within_window", "E3": "deregistered"}
    assert c["inspectors"] == {"roster_digest": dr.roster_digest(INSPECTORS), "size": 6}
    lines = "I0\tA001\nI1\tB05\nI1\tE2\nI2\tE2"
    assert c["conflicts"] == {"digest": hashlib.sha256(lines.encode()).hexdigest(), "size": 4}
    body = {key: value for key, value in c.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert c["digest"] == hashlib.sha256(canonical).hexdigest()
    assert "东城" in canonical.decode("utf-8")  # characters as themselves, not \u escapes


def test_the_commitment_does_not_depend_on_the_order_of_the_rosters_or_of_the_conflicts():
    reordered = make_commitment(
        strata={name: list(reversed(ids)) for name, ids in STRATA.items()},
        inspectors=list(reversed(INSPECTORS)),
        conflicts=[*reversed(CONFLICTS), CONFLICTS[0]],  # a pair given twice counts once
    )
    assert reordered == make_commitment()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strata": {}}, "no strata given"),
        ({"quotas": {"A": 1, "B": 1}}, "no quota given for stratum '东城'"),
        ({"quotas": {"A": 1, "B": 1, "东城": 1, "Z": 1}}, "quota given for unknown stratum 'Z'"),
        ({"quotas": {"A": 1, "B": 21, "东城": 1}}, "stratum 'B' cannot draw 21: it has 20 eligible ids"),
        ({"quotas": {"A": 1, "B": 1, "东城": 3}}, "stratum '东城' cannot draw 3: it has 2 eligible ids"),
        ({"quotas": {"A": 0.03, "B": 1, "东城": 1}}, "must be a whole number or a ratio as decimal text"),
        ({"quotas": {"A": "3%", "B": 1, "东城": 1}}, "must be decimal text between 0 and 1"),
        ({"quotas": {"A": "1.5", "B": 1, "东城": 1}}, "must be decimal text between 0 and 1"),
        ({"quotas": {"A": -1, "B": 1, "东城": 1}}, "is negative"),
        ({"quotas": {"A": True, "B": 1, "东城": 1}}, "must be a whole number or a ratio"),
        ({"exclusions": {"Z9": "recent"}}, "exclusion 'Z9' names no id of any stratum's roster"),
        ({"exclusions": {"A003": ""}}, "the reason of exclusion 'A003' must be non-empty text"),
        ({"strata": {**STRATA, "C": ["A001"]}}, "id 'A001' is in both stratum 'A' and stratum 'C'"),
        ({"strata": {**STRATA, "C": ["X", "X"]}}, "id 'X' appears twice"),
        ({"strata": {**STRATA, "C": ["X\n"]}}, "contains a control character"),
        ({"strata": {**STRATA, "C": "XYZ"}}, "must be a list of ids"),
        ({"inspectors": []}, "the inspector roster is empty"),
        ({"conflicts": [("I9", "A001")]}, "names an inspector who is not on the roster"),
        ({"conflicts": [("I1", "Z1")]}, "names a target that is in no stratum's roster"),
        ({"conflicts": [("I1",)]}, "a conflict must be a pair"),
        ({"per_target": 7}, "per_target is 7 but the inspector roster has only 6 inspectors"),
        ({"per_target": 0}, "per_target must be a whole number of at least 1"),
        ({"seed_hash": "ABC"}, "seed_hash must be 64 lower-case hexadecimal digits"),
        ({"seed_source": " "}, "seed_source must be non-empty text"),
        ({"task": ""}, "task must be non-empty text"),
        (
            {"conflicts": [(f"I{i}", "E1") for i in range(5)]},
            "not enough inspectors free of conflicts: each target needs 2, but 'E1' has 1",
        ),
    ],
)
def test_a_bad_commitment_is_refused_with_a_message_naming_the_problem(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make_commitment(**changes)


def test_a_target_short_of_inspectors_is_accepted_once_it_is_excluded_or_its_stratum_draws_nobody():
    everyone = [(f"I{i}", "E1") for i in range(5)]
    make_commitment(conflicts=everyone, exclusions={"E1": "no_free_inspectors"})
    make_commitment(conflicts=everyone, quotas={"A": "0.05", "B": 4, "东城": 0})


# --- the run and its verification


def test_a_run_draws_each_stratum_after_its_exclusions_and_staffs_every_target():
    document = make_document()
    assert document["drawn"] == {
        name: dr.draw(SEED, ids, document["commitment"]["strata"][name]["count"], exclude=["A002", "E3"])
        for name, ids in STRATA.items()
    }
    targets = [target for ids in document["drawn"].values() for target in ids]
    assert len(targets) == 3 + 4 + 2 and "E3" not in targets
    assert sorted(document["teams"]) == sorted(targets)
    for target, team in document["teams"].items():
        assert len(set(team)) == 2
        assert not {(inspector, target) for inspector in team} & set(CONFLICTS)
    assert document["rosters"]["conflicts"] == sorted([list(pair) for pair in CONFLICTS])
    assert document["commitment"] == make_commitment()
    assert dd.verify(document) == []
    json.dumps(document)  # plain JSON all through


def test_the_document_can_be_published_and_read_back_as_json_and_still_verifies():
    text = json.dumps(make_document(), ensure_ascii=False, indent=2)
    assert dd.verify(json.loads(text)) == []


def tampered(change):
    document = copy.deepcopy(make_document())
    change(document)
    return document


def swap_drawn(d):
    d["drawn"]["B"][0] = next(i for i in STRATA["B"] if i not in d["drawn"]["B"])


def change_roster(d):
    d["rosters"]["strata"]["A"] = sorted([*d["rosters"]["strata"]["A"][1:], "A999"])


def change_team(d):
    target = sorted(d["teams"])[0]
    d["teams"][target] = [next(i for i in INSPECTORS if i not in d["teams"][target]), d["teams"][target][1]]


def change_commitment(d):
    d["commitment"]["strata"]["B"]["quota"] = 5
    d["commitment"]["strata"]["B"]["count"] = 5


def change_order(d):
    d["drawn"]["A"] = list(reversed(d["drawn"]["A"]))


def relabel_as_v1(d):
    """Teams drawn by version 2 presented as version 1, every digest recomputed: only the teams can tell."""
    d["commitment"] = as_v1(d["commitment"])
    d.update(version=1, algorithm="hmac-sha256-v1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (swap_drawn, "the drawn ids of stratum 'B'"),
        (change_order, "the drawn ids of stratum 'A'"),
        (lambda d: d.update(seed=d["seed"] + " "), "the seed does not match the published seed hash"),
        (change_roster, "the roster of stratum 'A' does not match its published digest"),
        (lambda d: d["rosters"]["inspectors"].append("I9"), "the inspector roster does not match its published digest"),
        (lambda d: d["rosters"]["conflicts"].pop(), "the conflicts do not match their published digest"),
        (change_team, "the team of target"),
        (change_commitment, "the commitment's digest does not match its content"),
        (lambda d: d["commitment"].update(seed_source="another lottery"), "the commitment's digest does not match"),
        (lambda d: d.update(task="another task"), "the document's task 'another task' is not the commitment's"),
        (lambda d: d.update(version=3), "the document is not jiliang-draw version 1 or 2"),
        (lambda d: d.update(version=True), "the document is not jiliang-draw version 1 or 2"),
        (
            lambda d: d.update(algorithm="hmac-sha256-v1"),
            "the document's algorithm is 'hmac-sha256-v1', not 'hmac-sha256-v2'",
        ),
        (
            lambda d: d.update(version=1, algorithm="hmac-sha256-v1"),
            "the document is version 1 but its commitment version 2",
        ),
        (relabel_as_v1, "the team of target"),
        (lambda d: d.pop("teams"), "the document is malformed"),
        (
            lambda d: d["rosters"]["conflicts"].extend([f"I{i}", "E1"] for i in range(6)),
            "the draw cannot be recomputed: not enough inspectors free of conflicts",
        ),
    ],
)
def test_verify_finds_a_tampered_document(change, message):
    problems = dd.verify(tampered(change))
    assert problems
    assert any(message in problem for problem in problems), problems


def test_a_seed_changed_without_a_committed_hash_is_found_by_the_recomputation():
    c = make_commitment(seed_hash="")
    document = dd.run(c, strata=STRATA, inspectors=INSPECTORS, conflicts=CONFLICTS, seed=SEED)
    assert dd.verify(document) == []
    document["seed"] = "another seed"
    problems = dd.verify(document)
    assert any("the drawn ids of stratum" in problem for problem in problems), problems


def test_run_refuses_a_roster_changed_after_its_digest_was_published():
    late_entry = {**STRATA, "B": [*STRATA["B"], "B99"]}
    with pytest.raises(ValueError, match="the roster of stratum 'B' does not match its published digest"):
        dd.run(make_commitment(), strata=late_entry, inspectors=INSPECTORS, conflicts=CONFLICTS, seed=SEED)
    with pytest.raises(ValueError, match="the inspector roster does not match its published digest"):
        dd.run(make_commitment(), strata=STRATA, inspectors=[*INSPECTORS, "I9"], conflicts=CONFLICTS, seed=SEED)
    with pytest.raises(ValueError, match="the conflicts do not match their published digest"):
        dd.run(make_commitment(), strata=STRATA, inspectors=INSPECTORS, conflicts=CONFLICTS[1:], seed=SEED)


def test_run_refuses_a_seed_whose_hash_is_not_the_committed_one():
    with pytest.raises(ValueError, match="the seed does not match the published seed hash"):
        dd.run(make_commitment(), strata=STRATA, inspectors=INSPECTORS, conflicts=CONFLICTS, seed=SEED + "1")


def test_run_refuses_a_commitment_changed_after_its_digest_was_computed():
    c = make_commitment()
    c["per_target"] = 1
    with pytest.raises(ValueError, match="the commitment's digest does not match its content"):
        dd.run(c, strata=STRATA, inspectors=INSPECTORS, conflicts=CONFLICTS, seed=SEED)


# --- the standalone script


def run_script(document, tmp_path):
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_script_imports_nothing_but_the_standard_library():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name == "jiliang" or name.startswith("jiliang.") for name in imported)
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_the_script_says_ok_and_exits_0_for_a_published_document(tmp_path):
    result = run_script(make_document(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK: ")
    assert "stratum A: roster digest (60 ids)" in result.stdout


@pytest.mark.parametrize("change", [swap_drawn, change_team, change_commitment, change_roster, relabel_as_v1])
def test_the_script_says_mismatch_and_exits_1_for_a_tampered_document(tmp_path, change):
    result = run_script(tampered(change), tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("MISMATCH: ")


def test_the_script_reads_standard_input_and_reports_unreadable_input(tmp_path):
    text = json.dumps(make_document(), ensure_ascii=False)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "-"], input=text, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0 and result.stdout.splitlines()[-1].startswith("OK: ")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stdout.startswith("ERROR: ")


def test_the_script_reports_a_malformed_document_as_a_mismatch():
    assert script.main.__name__ == "main"
    done, bad = script.check({"format": "jiliang-draw", "version": 3})
    assert bad and not done


ids = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x9FFF), min_size=1, max_size=6)


@st.composite
def draws(draw):
    all_ids = draw(st.lists(ids, min_size=1, max_size=40, unique=True))
    names = draw(st.lists(st.sampled_from(["A", "B", "C", "区一"]), min_size=1, max_size=4, unique=True))
    strata = {name: [] for name in names}
    for item in all_ids:
        strata[draw(st.sampled_from(names))].append(item)
    excluded = draw(st.lists(st.sampled_from(all_ids), unique=True, max_size=len(all_ids) // 3))
    inspectors = draw(st.lists(ids.map(lambda s: "I" + s), min_size=2, max_size=10, unique=True))
    per_target = draw(st.integers(1, min(3, len(inspectors))))
    # conflicts leave every target at least per_target free inspectors
    conflicts = []
    for target in all_ids:
        barred = draw(st.lists(st.sampled_from(inspectors), unique=True, max_size=len(inspectors) - per_target))
        conflicts += [(inspector, target) for inspector in barred]
    quotas = {}
    for name, members in strata.items():
        eligible = len([item for item in members if item not in excluded])
        quotas[name] = draw(
            st.one_of(st.integers(0, eligible), st.sampled_from(["0", "0.1", "0.25", "0.5", "1", "0.333"]))
        )
    seed = draw(st.text(min_size=1, max_size=12))
    return strata, {item: "r" for item in excluded}, inspectors, conflicts, per_target, quotas, seed


@settings(max_examples=80, deadline=None)
@given(case=draws(), version=st.sampled_from([2, 1]))
def test_the_script_and_verify_agree_with_run_on_random_draws(case, version):
    strata, exclusions, inspectors, conflicts, per_target, quotas, seed = case
    c = dd.commitment(
        task="t",
        strata=strata,
        quotas=quotas,
        exclusions=exclusions,
        inspectors=inspectors,
        conflicts=conflicts,
        per_target=per_target,
        seed_source="s",
    )
    if version == 1:
        c = as_v1(c)
    document = dd.run(c, strata=strata, inspectors=inspectors, conflicts=conflicts, seed=seed)
    document = json.loads(json.dumps(document, ensure_ascii=False))
    assert (document["version"], document["commitment"]["version"]) == (version, version)
    assert dd.verify(document) == []
    assert script.recompute(document) == {"drawn": document["drawn"], "teams": document["teams"]}
    done, bad = script.check(document)
    assert bad == [] and done


# --- the committed example of version 1 (a format that leaves the system: read for ever)


def test_the_committed_v1_example_verifies_with_the_platform_and_with_the_script(tmp_path):
    document = json.loads(EXAMPLE_V1.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("jiliang-draw", 1)
    assert dd.verify(document) == []
    rerun = dd.run(
        document["commitment"],
        strata=document["rosters"]["strata"],
        inspectors=document["rosters"]["inspectors"],
        conflicts=[tuple(pair) for pair in document["rosters"]["conflicts"]],
        seed=document["seed"],
    )
    assert rerun == document
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(EXAMPLE_V1)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("OK: ")


def test_a_tampered_v1_document_is_found_by_verify_and_by_the_script(tmp_path):
    document = json.loads(EXAMPLE_V1.read_text(encoding="utf-8"))
    change_team(document)
    assert any("the team of target" in problem for problem in dd.verify(document))
    result = run_script(document, tmp_path)
    assert result.returncode == 1 and "MISMATCH  teams of 8 targets" in result.stdout, result.stdout


def test_a_commitment_of_version_1_is_drawn_by_version_1():
    # A commitment fixes the algorithm before the seed is known: one published before version 2 keeps version 1.
    document = dd.run(as_v1(make_commitment()), strata=STRATA, inspectors=INSPECTORS, conflicts=CONFLICTS, seed=SEED)
    assert (document["version"], document["algorithm"]) == (1, "hmac-sha256-v1")
    targets = [target for name in sorted(document["drawn"]) for target in document["drawn"][name]]
    blocked = {}
    for inspector, target in CONFLICTS:
        blocked.setdefault(inspector, set()).add(target)
    assert document["teams"] == dr.assign_inspectors(SEED, targets, INSPECTORS, per_target=2, conflicts=blocked)
    assert document["teams"] != make_document()["teams"]
    assert dd.verify(document) == []


def test_one_score_of_the_v1_example_is_what_openssl_computes():
    # The README's openssl line: printf %s '91350105MA31000001' | openssl dgst -sha256 -hmac '<seed>'
    document = json.loads(EXAMPLE_V1.read_text(encoding="utf-8"))
    seed = document["seed"]
    by_hand = hmac.new(seed.encode(), b"91350105MA31000001", hashlib.sha256).hexdigest()
    assert dr.score(seed, "91350105MA31000001") == by_hand


# --- the faster assign_inspectors gives the results of the plain sort of its docstring


def assign_by_plain_sort(seed, targets, inspectors, per_target, conflicts):
    """The implementation of assign_inspectors before it was made faster (sort every free inspector per target)."""
    key = seed.encode("utf-8")

    def hex_score(message):
        return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()

    if callable(conflicts):
        conflicting = conflicts
    else:
        table = {inspector: frozenset(targets) for inspector, targets in conflicts.items()}

        def conflicting(inspector, target):
            return target in table.get(inspector, frozenset())

    load = dict.fromkeys(inspectors, 0)
    teams = {}
    for target in sorted(targets, key=lambda t: (hex_score(t), t)):
        free = [inspector for inspector in inspectors if not conflicting(inspector, target)]
        ranked = sorted(free, key=lambda i: (load[i], hex_score(target + "\n" + i), i))
        teams[target] = ranked[:per_target]
        for inspector in teams[target]:
            load[inspector] += 1
    return {target: teams[target] for target in sorted(targets)}


@settings(max_examples=150, deadline=None)
@given(
    seed=st.text(min_size=1, max_size=80),  # seeds over 64 bytes are hashed into the HMAC key
    targets=st.lists(ids, min_size=1, max_size=40, unique=True),
    inspectors=st.lists(ids, min_size=3, max_size=15, unique=True),
    data=st.data(),
)
def test_the_faster_assignment_gives_the_same_teams_as_the_plain_sort(seed, targets, inspectors, data):
    per_target = data.draw(st.integers(1, 3))
    conflicts = {}
    for target in targets:
        barred = data.draw(st.lists(st.sampled_from(inspectors), unique=True, max_size=len(inspectors) - per_target))
        for inspector in barred:
            conflicts.setdefault(inspector, []).append(target)
    expected = assign_by_plain_sort(seed, targets, inspectors, per_target, conflicts)
    assert dr.assign_inspectors(seed, targets, inspectors, per_target=per_target, conflicts=conflicts) == expected
    as_callable = lambda i, t: t in conflicts.get(i, ())  # noqa: E731
    assert dr.assign_inspectors(seed, targets, inspectors, per_target=per_target, conflicts=as_callable) == expected


@given(seed=st.text(min_size=1, max_size=200), population=st.lists(ids, min_size=1, max_size=30, unique=True))
@example(seed="2026-12-10 " * 6, population=["A", "B", "C"])  # over 64 bytes: the HMAC key is its SHA-256
@example(seed="双随机" * 8, population=["A", "B", "C"])  # 72 bytes in UTF-8
def test_the_faster_ranking_gives_the_scores_of_the_plain_hmac(seed, population):
    expected = sorted((hmac.new(seed.encode(), i.encode(), hashlib.sha256).hexdigest(), i) for i in population)
    assert dr.ranking(seed, population) == [(i, score) for score, i in expected]


def test_the_large_draw_and_assignment_agree_with_the_plain_sort():
    targets = [f"91350100MA{i:08d}" for i in range(300)]
    inspectors = [f"ZF{i:04d}" for i in range(120)]
    conflicts = {inspector: targets[i::7] for i, inspector in enumerate(inspectors[:30])}
    fast = dr.assign_inspectors("seed", targets, inspectors, per_target=3, conflicts=conflicts)
    assert fast == assign_by_plain_sort("seed", targets, inspectors, 3, conflicts)


# --- the committed example of version 2


def test_the_committed_v2_example_verifies_with_the_platform_and_with_the_script():
    document = json.loads(EXAMPLE_V2.read_text(encoding="utf-8"))
    assert (document["format"], document["version"], document["algorithm"]) == ("jiliang-draw", 2, "hmac-sha256-v2")
    assert dd.verify(document) == []
    rerun = dd.run(
        document["commitment"],
        strata=document["rosters"]["strata"],
        inspectors=document["rosters"]["inspectors"],
        conflicts=[tuple(pair) for pair in document["rosters"]["conflicts"]],
        seed=document["seed"],
    )
    assert rerun == document
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(EXAMPLE_V2)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout
    assert "ok        algorithm hmac-sha256-v2" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("OK: ")


def test_the_v2_example_has_the_targets_of_the_v1_example_and_its_first_team_is_what_the_readme_computes():
    v1 = json.loads(EXAMPLE_V1.read_text(encoding="utf-8"))
    v2 = json.loads(EXAMPLE_V2.read_text(encoding="utf-8"))
    assert (v2["seed"], v2["rosters"], v2["drawn"]) == (v1["seed"], v1["rosters"], v1["drawn"])
    seed = v2["seed"]

    def number(text):  # printf %s "$text" | openssl dgst -sha256 -hmac "$seed", read in base 16
        return int(hmac.new(seed.encode(), text.encode(), hashlib.sha256).hexdigest(), 16)

    circle = sorted(v2["rosters"]["inspectors"], key=lambda i: number("inspector\n" + i))
    targets = [target for ids in v2["drawn"].values() for target in ids]
    first = min(targets, key=number)  # handled first: every load is 0, so each member is the next free on the circle
    barred = {inspector for inspector, target in v2["rosters"]["conflicts"] if target == first}
    x, n, team = number("team\n" + first), len(circle), []
    for j in range(2):
        offset = x // n**j % n
        team.append(next(i for i in circle[offset:] + circle[:offset] if i not in barred and i not in team))
    assert v2["teams"][first] == team
