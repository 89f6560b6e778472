"""Only one beat schedules: a leader lock for Celery beat (``CELERY_BEAT_SCHEDULER``).

With more than one machine, a beat may be started on each of them (or twice by mistake). Each one
runs this scheduler; only the holder of the ``beat-leader`` lock (Redis with ``REDIS_URL``, else a
database row: ``herzdigital.locks``) sends due tasks. It refreshes the lock on every tick; the others
stay idle, try to take the lock every few seconds, and report themselves as standby, which
``/healthz`` shows (``herzdigital.health``). If the leader dies, its lock expires after
``BEAT_LEADER_LOCK_TTL`` seconds and a standby takes over, catching up what fell due meanwhile
(every periodic task is safe to run twice).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings
from django.utils import timezone

from herzdigital import health
from herzdigital.locks import Lock

logger = logging.getLogger(__name__)

LEADER_LOCK_NAME = "beat-leader"


def beat_identity() -> str:
    """An opaque name of this beat process for /healthz (a hash of the host name, not the name itself)."""
    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
    return f"{host}-{os.getpid()}"


class LeaderScheduler(PersistentScheduler):
    """``PersistentScheduler`` that sends due tasks only while it holds the leader lock."""

    def __init__(self, *args: Any, **kwargs: Any):
        self.leader_lock = Lock(LEADER_LOCK_NAME, ttl=settings.BEAT_LEADER_LOCK_TTL)
        self.identity = beat_identity()
        self.leading = False
        self.standby = False
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self._lead():
            health.beat_role_record(identity=self.identity, leader=False, at=timezone.now())
            return self._standby_interval()
        health.beat_role_record(identity=self.identity, leader=True, at=timezone.now())
        # Never sleep longer than a third of the lock's life, so that it is refreshed in time.
        return min(super().tick(*args, **kwargs), self._standby_interval())

    def _standby_interval(self) -> float:
        return max(settings.BEAT_LEADER_LOCK_TTL / 3, 0.5)

    def _lead(self) -> bool:
        if self.leading and self.leader_lock.refresh():
            return True
        if self.leading:
            logger.warning("beat %s lost the leader lock; it stops scheduling", self.identity)
        was_standby = self.standby
        self.leading = self.leader_lock.acquire()
        self.standby = not self.leading
        if self.leading:
            logger.info("beat %s holds the leader lock and schedules", self.identity)
        elif not was_standby:
            logger.warning("beat %s is on standby: another beat holds the leader lock and schedules", self.identity)
        return self.leading

    def close(self) -> None:
        if self.leading:
            self.leader_lock.release()  # a standby takes over at once instead of after the TTL
            self.leading = False
        health.beat_role_forget(identity=self.identity)
        super().close()
