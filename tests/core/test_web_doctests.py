"""The examples in the web kit's docstrings (jiliang.core.web) hold. pytest collects doctests only under tests/ and
jiliang/metrology, so each module of the kit with examples is run here (routes in test_web_routes.py), and the
template tags of core."""

from __future__ import annotations

import doctest

import pytest

from jiliang.core.templatetags import tables
from jiliang.core.web import http, pdf, schemas, xlsx


@pytest.mark.parametrize("module", [http, schemas, xlsx, pdf, tables], ids=lambda m: m.__name__)
def test_the_examples_in_the_module_hold(module):
    result = doctest.testmod(module)
    assert result.attempted >= 1
    assert result.failed == 0
