"""Named locks with a TTL, shared by every web, worker and beat process.

With ``REDIS_URL`` set the lock is a Redis lock (``SET NX PX`` with a random token; released by a
Lua script only if the token is still ours). Without Redis (the embedded development setup with the
file broker) the lock is a row of ``herzdigital.Lock`` in the database, which every process already
shares: taking a free lock is an INSERT that the primary key lets exactly one process win; an
*expired* lock is taken over by a conditional UPDATE (``expires_at < now``) that also hits at most
one row. The Django file cache would be simpler but its ``add`` is check-then-write (two processes
can both "add" the same key), so it cannot be trusted as a mutex.

The TTL bounds how long a crashed holder blocks others; a holder that is still working keeps the lock
until it releases it (or the TTL runs out, so choose a TTL longer than the work's time limit).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

KEY_PREFIX = "herzdigital:lock:"


@cache
def _redis_client(url: str):  # noqa: ANN202 (redis is an optional runtime import)
    import redis

    return redis.Redis.from_url(url)


class Lock:
    """``lock = Lock("sync-server:3", ttl=60)``; ``if lock.acquire(): ... lock.release()``."""

    def __init__(self, name: str, *, ttl: float):
        self.name = name
        self.ttl = ttl
        self.token = secrets.token_hex(16)
        self.acquired = False
        self._redis_lock = None

    @property
    def backend(self) -> str:
        return "redis" if settings.REDIS_URL else "database"

    def acquire(self) -> bool:
        """Take the lock without waiting; False when somebody else holds it."""
        if self.backend == "redis":
            self.acquired = bool(self._redis().acquire(blocking=False, token=self.token))
        else:
            self.acquired = self._acquire_row()
        return self.acquired

    def release(self) -> None:
        """Give the lock back if it is still ours (after the TTL somebody else may hold it)."""
        if not self.acquired:
            return
        self.acquired = False
        if self.backend == "redis":
            from redis.exceptions import LockError

            lock = self._redis()
            lock.local.token = self.token.encode()
            try:
                lock.release()
            except LockError:
                logger.warning("lock %s expired before it was released", self.name)
        else:
            from herzdigital.models import Lock as LockRow

            LockRow.objects.filter(name=self.name, token=self.token).delete()

    def refresh(self) -> bool:
        """Push the expiry ``ttl`` seconds into the future again; False if the lock is no longer ours."""
        if not self.acquired:
            return False
        if self.backend == "redis":
            from redis.exceptions import LockError

            lock = self._redis()
            lock.local.token = self.token.encode()
            try:
                lock.reacquire()
            except LockError:
                self.acquired = False
        else:
            from herzdigital.models import Lock as LockRow

            expires_at = timezone.now() + timedelta(seconds=self.ttl)
            self.acquired = LockRow.objects.filter(name=self.name, token=self.token).update(expires_at=expires_at) == 1
        return self.acquired

    def _redis(self):  # noqa: ANN202
        if self._redis_lock is None:
            client = _redis_client(settings.REDIS_URL)
            self._redis_lock = client.lock(KEY_PREFIX + self.name, timeout=self.ttl, blocking=False)
        return self._redis_lock

    def _acquire_row(self) -> bool:
        from herzdigital.models import Lock as LockRow

        now = timezone.now()
        expires_at = now + timedelta(seconds=self.ttl)
        try:
            with transaction.atomic():
                LockRow.objects.create(name=self.name, token=self.token, expires_at=expires_at)
            return True
        except IntegrityError:
            pass
        taken_over = LockRow.objects.filter(name=self.name, expires_at__lt=now).update(
            token=self.token, expires_at=expires_at
        )
        return taken_over == 1


@contextmanager
def locked(name: str, *, ttl: float) -> Iterator[bool]:
    """``with locked("x", ttl=60) as got: if got: ...`` — released on exit, also after errors."""
    lock = Lock(name, ttl=ttl)
    got = lock.acquire()
    try:
        yield got
    finally:
        if got:
            lock.release()
