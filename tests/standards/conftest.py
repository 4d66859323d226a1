"""The standards tests' fixtures. The ``lab`` (a chain from NIM down to a county standard) is shared with other
directories: tests/conftest.py, built by tests/builders/standards.py."""

from __future__ import annotations

import pytest

from tests.builders.standards import SmallCity, build_small_city


@pytest.fixture
def small_city(city) -> SmallCity:
    """The small city whose 建标覆盖率 test_coverage computes by hand (the table is in ``build_small_city``)."""
    return build_small_city(city)
