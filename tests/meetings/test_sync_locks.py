"""The per-server lock of the sync (herzdigital.locks): database fallback and Redis."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from herzdigital.locks import Lock, locked
from herzdigital.models import Lock as LockRow
from tests.conftest import require_service

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"
RUN = secrets.token_hex(4)  # lock names unique per run: Redis outlives the test database


@pytest.fixture(params=["database", "redis"])
def backend(request, settings, db):
    if request.param == "redis":
        import redis

        url = settings.REDIS_URL or REDIS_TEST_URL
        try:
            redis.Redis.from_url(url).ping()
            available = True
        except redis.RedisError:
            available = False
        require_service(available, "Redis")
        settings.REDIS_URL = url
    else:
        settings.REDIS_URL = ""
    return request.param


def test_second_holder_cannot_take_a_held_lock(backend):
    first = Lock(f"test:held:{RUN}", ttl=30)
    second = Lock(f"test:held:{RUN}", ttl=30)
    assert first.backend == backend
    assert first.acquire()
    try:
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


def test_release_by_a_non_holder_keeps_the_lock(backend):
    holder = Lock(f"test:owner:{RUN}", ttl=30)
    assert holder.acquire()
    intruder = Lock(f"test:owner:{RUN}", ttl=30)
    intruder.acquired = True  # pretend, as a buggy caller might
    intruder.release()
    assert not Lock(f"test:owner:{RUN}", ttl=30).acquire()
    holder.release()


def test_an_expired_lock_can_be_taken_over(backend):
    if backend == "redis":
        crashed = Lock(f"test:ttl:{RUN}", ttl=0.2)
        assert crashed.acquire()
        import time

        time.sleep(0.4)
    else:
        LockRow.objects.create(
            name=f"test:ttl:{RUN}", token="crashed", expires_at=timezone.now() - timedelta(seconds=1)
        )
    taker = Lock(f"test:ttl:{RUN}", ttl=30)
    assert taker.acquire()
    taker.release()


def test_locked_context_releases_after_an_error(backend):
    with pytest.raises(RuntimeError), locked(f"test:ctx:{RUN}", ttl=30) as got:
        assert got
        raise RuntimeError
    with locked(f"test:ctx:{RUN}", ttl=30) as again:
        assert again


def test_database_lock_is_one_row_that_is_deleted_on_release(settings, db):
    settings.REDIS_URL = ""
    with locked(f"test:row:{RUN}", ttl=30) as got:
        assert got
        row = LockRow.objects.get(name=f"test:row:{RUN}")
        assert row.expires_at > timezone.now() + timedelta(seconds=25)
    assert not LockRow.objects.filter(name=f"test:row:{RUN}").exists()
