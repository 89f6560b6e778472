"""Celery tasks for recordings: fetch after callbacks, the hourly sweep, the daily cleanup and notices.

Tasks take ids, call a service and are safe to run twice. Cleanup and notices run on the
``maintenance`` queue (see herzdigital/celery.py) so they never delay the meeting sync.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from bbb import BBBError, BBBUnavailable
from meetings.models import Meeting, PendingRecordingFetch, Server
from operations.counters import CLEANUP_DELETED, CLEANUP_FAILED, counter_add
from recordings import cleanup, services

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (BBBUnavailable,), "retry_backoff": 10, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(**RETRY)
def recording_fetch(server_id: int, record_id: str) -> int:
    """After a verified recording-ready callback: fetch that recording and upsert it."""
    server = Server.objects.filter(pk=server_id).first()
    if server is None:
        return 0
    try:
        return services.recording_fetch(server=server, record_id=record_id)
    except BBBError as exc:
        logger.warning("fetching recording %s from %s failed: %s", record_id, server, exc)
        return 0


@shared_task
def recordings_fetch_pending() -> int:
    """Fetch recordings whose recording-ready callback came while the task queue was down."""
    fetched = 0
    for pending in PendingRecordingFetch.objects.select_related("server").order_by("pk")[:100]:
        try:
            services.recording_fetch(server=pending.server, record_id=pending.record_id)
        except BBBUnavailable as exc:
            logger.info("pending fetch of recording %s still failing: %s", pending.record_id, exc)
            continue
        except BBBError as exc:  # BBB answered: nothing to fetch (deleted meanwhile)
            logger.warning("pending fetch of recording %s: %s", pending.record_id, exc)
        PendingRecordingFetch.objects.filter(pk=pending.pk).delete()
        fetched += 1
    return fetched


@shared_task(**RETRY)
def recordings_fetch_for_meeting(meeting_pk: int) -> int:
    """After a meeting ended: fetch its recordings (often still processing; the callback follows)."""
    meeting = Meeting.objects.select_related("server").filter(pk=meeting_pk).first()
    if meeting is None:
        return 0
    try:
        return services.recordings_fetch_for_meeting(meeting=meeting)
    except BBBError as exc:
        logger.warning("fetching recordings of meeting %s failed: %s", meeting_pk, exc)
        return 0


@shared_task
def recordings_sweep_server(server_id: int) -> dict:
    server = Server.objects.filter(pk=server_id).first()
    if server is None:
        return {"ok": False, "error": "no such server"}
    # One sweep per server at a time; the TTL frees the lock should a worker die mid-sweep.
    lock = f"rooms:recordings-sweep:{server_id}"
    if not cache.add(lock, "1", timeout=settings.RECORDING_SWEEP_INTERVAL):
        return {"ok": False, "error": "a sweep of this server is already running"}
    try:
        result = services.recordings_reconcile(server=server)
    finally:
        cache.delete(lock)
    return {"ok": result.ok, "seen": result.seen, "gone": result.gone, "error": result.error}


@shared_task
def recordings_sweep() -> int:
    """Hourly: one reconcile task per server (disabled servers still hold recordings)."""
    server_ids = list(Server.objects.values_list("pk", flat=True))
    for server_id in server_ids:
        transaction.on_commit(lambda sid=server_id: recordings_sweep_server.delay(sid))
    return len(server_ids)


@shared_task(
    time_limit=settings.RECORDING_CLEANUP_TIME_LIMIT, soft_time_limit=max(settings.RECORDING_CLEANUP_TIME_LIMIT - 30, 1)
)
def recordings_cleanup_run() -> dict:
    """Daily retention cleanup (capped per run by RECORDING_CLEANUP_MAX_PER_RUN)."""
    report = cleanup.recordings_cleanup(dry_run=False)
    counter_add(name=CLEANUP_DELETED, amount=report.deleted)
    counter_add(name=CLEANUP_FAILED, amount=report.failed)
    return {"selected": report.selected, "deleted": report.deleted, "failed": report.failed}


@shared_task
def recordings_deletion_notices() -> int:
    """Daily: tell club owners which recordings the cleanup deletes soon."""
    return cleanup.recordings_deletion_notices_send()


def beat_schedule() -> dict:
    return {
        "recordings-sweep": {
            "task": "recordings.tasks.recordings_sweep",
            "schedule": timedelta(seconds=settings.RECORDING_SWEEP_INTERVAL),
        },
        "recordings-fetch-pending": {
            "task": "recordings.tasks.recordings_fetch_pending",
            "schedule": timedelta(seconds=60),
        },
        "recordings-deletion-notices": {
            "task": "recordings.tasks.recordings_deletion_notices",
            "schedule": crontab(hour=2, minute=30),
            "options": {"queue": "maintenance"},
        },
        "recordings-cleanup": {
            "task": "recordings.tasks.recordings_cleanup_run",
            "schedule": crontab(hour=cleanup.CLEANUP_HOUR, minute=cleanup.CLEANUP_MINUTE),
            "options": {"queue": "maintenance"},
        },
    }
