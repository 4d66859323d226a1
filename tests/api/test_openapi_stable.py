"""The published API document does not change by accident.

Clients generate code from /api/v1/openapi.json: an operation's id, path, method, tags and summary, and the names of
the component schemas, are part of the API. django-ninja would derive an operationId from the handler's module path
(``jiliang_standards_api_recall_recall_list``), so moving a handler to another module would rename the operation
without anyone noticing. ``jiliang/api.py`` therefore takes the ids from a table of the published ones (a new
operation is named after its handler), and this test compares the document with the committed snapshot
``tests/api/data/openapi_operations.json``.

When the API really changes (a new endpoint, a renamed summary), update the snapshot deliberately::

    JILIANG_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -p no:xdist tests/api/test_openapi_stable.py

The run rewrites the file and fails on purpose; read ``git diff tests/api/data/`` (every changed line is a change
clients see), commit the file with the code, and run the test again without the variable.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path

import pytest

from jiliang.api import api

SNAPSHOT = Path(__file__).parent / "data" / "openapi_operations.json"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def _published(document: dict) -> dict:
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "operationId": operation["operationId"],
            "tags": operation.get("tags", []),
            "summary": operation.get("summary", ""),
        }
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    operations.sort(key=lambda o: (o["path"], o["method"]))
    return {"operations": operations, "components": sorted(document.get("components", {}).get("schemas", {}))}


def _dump(published: dict) -> str:
    # One operation and one component per line: a change to the API is a changed line in `git diff`.
    lines = [json.dumps(o, ensure_ascii=False) for o in published["operations"]]
    names = [json.dumps(n) for n in published["components"]]
    return '{"operations": [\n ' + ",\n ".join(lines) + '\n],\n"components": [\n ' + ",\n ".join(names) + "\n]}\n"


def _compare_with_snapshot(actual: dict) -> None:
    if os.environ.get("JILIANG_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(_dump(actual), encoding="utf-8")
        pytest.fail(f"rewrote {SNAPSHOT.name}: review `git diff`, commit it, and run again without the variable")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    by_key = {(o["method"], o["path"]): o for o in actual["operations"]}
    was = {(o["method"], o["path"]): o for o in expected["operations"]}
    # The set differences first: a moved or renamed endpoint reads better as "gone" and "new" than as a list diff.
    assert sorted(by_key.keys() - was.keys()) == [], "operations not in the snapshot"
    assert sorted(was.keys() - by_key.keys()) == [], "operations of the snapshot no longer published"
    assert [by_key[k] for k in sorted(was)] == [was[k] for k in sorted(was)]
    assert sorted(set(actual["components"]) - set(expected["components"])) == [], "new component schemas"
    assert sorted(set(expected["components"]) - set(actual["components"])) == [], "component schemas gone"


def test_the_published_operations_and_components_equal_the_snapshot(db, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    published = _published(response.json())
    assert len(published["operations"]) >= 20  # the document lists the API, not an empty stub
    _compare_with_snapshot(published)


def test_an_operation_keeps_its_id_when_its_handler_moves_to_another_module(monkeypatch):
    # Ask for every id as if each handler lived elsewhere: the document must still equal the snapshot.
    own_rule = api.get_openapi_operation_id

    def as_if_moved(operation):
        moved = copy.copy(operation)
        moved.view_func = functools.wraps(operation.view_func)(lambda *args, **kwargs: None)
        moved.view_func.__module__ = "jiliang.elsewhere.api.moved"
        return own_rule(moved)

    monkeypatch.setattr(api, "get_openapi_operation_id", as_if_moved)
    published = _published(api.get_openapi_schema())
    assert len(published["operations"]) >= 20
    _compare_with_snapshot(published)
