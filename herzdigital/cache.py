"""The Redis cache backend, with one redis-py client per connection pool instead of one per operation."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every cache operation. redis-py 8's constructor
    fills its response-callback table each time, ~60 µs, more than the GET itself on loopback: a join
    into a room with an access code makes ~9 cache operations, an authenticated page view reads its
    session from the cache (issue 20). A client holds no connection of its own (it borrows one from the
    pool per command) and is thread-safe, so one per pool is enough; the pool stays Django's, and
    redis-py's pools reset themselves in a forked worker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
