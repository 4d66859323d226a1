"""The portal tests' fixtures and helpers. The public check's tests use the verification workbench (``bench``,
tests/conftest.py) and issue certificates through the service (tests/builders/verification.py).

Each test gets its own in-memory cache (the rate limiter's counters), an empty signature cache and no rendered
pages kept from another test. The rate limit's tests (threads here, processes in ``test_rate_limit_processes``)
share the clock's noon and the Redis helpers below.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from jiliang.portal.selectors import forget_signatures
from jiliang.portal.views import forget_pages

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Noon in the city: a test's look-ups never straddle a minute or a day.
NOON = datetime(2026, 3, 10, 12, 0, 0, tzinfo=SHANGHAI).timestamp()
REDIS_URL = os.environ.get("JILIANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = LOCMEM
    cache.clear()
    forget_signatures()
    forget_pages()
    yield
    cache.clear()
    forget_signatures()
    forget_pages()


def redis_answers() -> bool:
    """Whether a Redis server answers PING at ``REDIS_URL`` (tests against Redis are skipped otherwise)."""
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def redis_cache(prefix: str, location: str = REDIS_URL) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }


def delete_redis_keys(prefix: str) -> None:
    """Only this test's keys: the Redis is shared (never FLUSHDB)."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}:*"))
    if keys:
        server.delete(*keys)
