"""The Redis cache backend (herzdigital/cache.py): one redis-py client per pool (issue 20)."""

from __future__ import annotations

import os

import redis

from herzdigital.cache import RedisCache
from tests.conftest import require_service


def test_the_redis_cache_builds_one_client_for_many_operations(monkeypatch):
    require_service(bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL=redis://...)")
    built = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"hd-test-{os.getpid()}"})
    cache.set("counter", 1, timeout=30)
    assert cache.add("counter", 5) is False
    assert cache.incr("counter") == 2
    assert cache.get("counter") == 2 and cache.has_key("counter")
    cache.delete("counter")
    assert cache.get("counter") is None
    assert len(built) == 1
