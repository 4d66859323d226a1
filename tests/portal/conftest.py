"""The public check's tests use the verification workbench (``bench``) and issue certificates through the service.

Each test gets its own in-memory cache (the rate limiter's counters), an empty signature cache and no rendered
pages kept from another test.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from jiliang.portal.selectors import forget_signatures
from jiliang.portal.views import forget_pages
from tests.verification.conftest import bench, issue_certificate, lab  # noqa: F401  (bench and lab are fixtures)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
    cache.clear()
    forget_signatures()
    forget_pages()
    yield
    cache.clear()
    forget_signatures()
    forget_pages()
