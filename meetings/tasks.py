"""Celery tasks of the meeting sync: thin doors to ``meetings.sync``.

``sync_tick`` (beat, every ``SYNC_INTERVAL`` seconds) fans out one ``sync_server`` per server. Each
expires after one interval (a stale task waiting in the queue is dropped: the next tick sends a fresh
one), has a time limit, and takes the per-server lock, so a slow server never piles up polls.
"""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings

from meetings import sync
from operations.counters import sync_observe

SYNC_TICK = "meetings.tasks.sync_tick"
SYNC_SERVER = "meetings.tasks.sync_server"


@shared_task(name=SYNC_TICK, ignore_result=True)
def sync_tick() -> int:
    """Send one sync task per server; returns how many were sent."""
    server_ids = sync.servers_to_sync()
    for server_id in server_ids:
        sync_server.apply_async(args=[server_id], expires=settings.SYNC_INTERVAL)
    return len(server_ids)


@shared_task(
    name=SYNC_SERVER,
    ignore_result=True,
    time_limit=settings.SYNC_TIME_LIMIT,
    soft_time_limit=max(settings.SYNC_TIME_LIMIT - 5, 1),
)
def sync_server(server_id: int) -> str:
    started = time.monotonic()
    result = sync.server_sync_locked(server_id=server_id)
    # Duration and failures for /metrics (operations/metrics.py), shared by every worker machine.
    sync_observe(server_id=server_id, seconds=time.monotonic() - started, ok=result.ok, skipped=result.skipped)
    return result.summary()


def beat_schedule() -> dict:
    return {
        "sync-tick": {
            "task": SYNC_TICK,
            "schedule": float(settings.SYNC_INTERVAL),
            "options": {"expires": settings.SYNC_INTERVAL},
        },
    }
