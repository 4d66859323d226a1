"""Every named URL keeps its name and its address.

Templates, redirects, e-mails and bookmarks depend on ``reverse("namespace:name")`` giving the same path; moving views
between modules or regrouping URL modules must change neither. The test walks the whole resolver (namespaces
included, the admin's and the API's too), reverses every named pattern with sample arguments, and compares the result
with the committed snapshot ``tests/core/data/url_names.json``.

When an address really changes (a new page, a renamed URL), update the snapshot deliberately::

    JILIANG_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -p no:xdist tests/core/test_url_names.py

The run rewrites the file and fails on purpose; read ``git diff tests/core/data/``, commit the file with the code,
and run the test again without the variable.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

SNAPSHOT = Path(__file__).parent / "data" / "url_names.json"

# One sample value per converter: what matters is where the value lands in the path, not the value.
SAMPLES = {
    IntConverter: 7,
    StringConverter: "s",
    SlugConverter: "slug-1",
    PathConverter: "a/b",
    UUIDConverter: uuid.UUID("12345678-1234-5678-1234-567812345678"),
}
# Regex patterns (the admin's) name their groups; a group must get a value its regex accepts.
REGEX_SAMPLES = {"app_label": "core"}


def _arguments(pattern) -> tuple[list, dict]:
    if isinstance(pattern, RoutePattern):
        return [], {name: SAMPLES[type(converter)] for name, converter in pattern.converters.items()}
    assert isinstance(pattern, RegexPattern), pattern
    named = pattern.regex.groupindex
    if named:
        return [], {name: REGEX_SAMPLES.get(name, "7") for name in named}
    return ["7"] * pattern.regex.groups, {}


def _named_patterns(patterns, namespace=(), outer=([], {})):
    for entry in patterns:
        args, kwargs = _arguments(entry.pattern)
        args, kwargs = outer[0] + args, {**outer[1], **kwargs}
        if isinstance(entry, URLResolver):
            inner = namespace + ((entry.namespace,) if entry.namespace else ())
            yield from _named_patterns(entry.url_patterns, inner, (args, kwargs))
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join((*namespace, entry.name)), args, kwargs


def _reversed_names() -> dict[str, str | list[str]]:
    paths: dict[str, list[str]] = {}
    for name, args, kwargs in _named_patterns(get_resolver().url_patterns):
        paths.setdefault(name, []).append(reverse(name, args=args or None, kwargs=kwargs or None))
    # A name given to several patterns (none today) keeps every path, in order, so a merge cannot hide one.
    return {name: found[0] if len(found) == 1 else found for name, found in sorted(paths.items())}


def test_every_named_url_reverses_to_the_path_of_the_snapshot():
    paths = _reversed_names()
    assert len(paths) > 100  # the walk reached the apps' and the admin's patterns, not an empty list
    if os.environ.get("JILIANG_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(paths, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        pytest.fail(f"rewrote {SNAPSHOT.name}: review `git diff`, commit it, and run again without the variable")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(paths.keys() - expected.keys()) == [], "named URLs not in the snapshot"
    assert sorted(expected.keys() - paths.keys()) == [], "named URLs of the snapshot that no longer exist"
    assert {n: p for n, p in paths.items() if p != expected[n]} == {}, "named URLs whose path changed"


def test_the_snapshot_covers_every_app_and_its_namespaces():
    # A guard on the guard: an empty or truncated snapshot would let a move drop a whole URL module.
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    namespaces = {name.rpartition(":")[0] for name in expected}
    assert {
        "",
        "instruments",
        "people",
        "standards",
        "trace",
        "coverage",
        "requests",
        "records",
        "certificates",
        "notices",
        "plans",
        "evaluations",
        "warnings",
        "portal",
        "disclosure",
        "admin",
        "api",
    } <= namespaces
    assert expected["home"] == "/"
    assert expected["api:recall_list"] == "/api/v1/standards/s/recall"  # ninja's path parameters are str
