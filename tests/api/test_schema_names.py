"""django-ninja names an OpenAPI component after its schema class: two classes of the same name in different apps
collapse into one component, and one endpoint silently documents the other's shape (found by schemathesis when
GET /standards/{id} was validated against the verification app's CertificateOut). Names must be unique."""

from collections import defaultdict

from jiliang.api import api


def _schema_classes():
    from ninja import Schema

    seen, stack = set(), list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(cls.__subclasses__())
    return [c for c in seen if c.__module__.startswith("jiliang.")]


def test_schema_class_names_are_unique_across_apps():
    api.get_openapi_schema()  # imports every router's schemas
    by_name = defaultdict(set)
    for cls in _schema_classes():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}
