"""Data the tests of more than one directory build: standards and their chains, the verification workbench and its
certificates, the plans' snapshots and evaluation reports. Plain functions (and the dataclasses they return), one
module per app; the fixtures that call them are in tests/conftest.py.

Where a test's helpers go:

- a fixture: the directory's ``conftest.py``, or ``tests/conftest.py`` when more than one directory uses it;
- a function or constant a test module imports: the directory's ``conftest.py`` when only that directory uses it,
  a module here when more than one does;
- never in a test module for another test module to import (ruff's F811 then fires on every fixture argument).

Model instances without a story of their own come from ``tests/factories.py``.
"""
