"""Service-wide housekeeping tasks."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import beat_init, before_task_publish, worker_ready
from django.conf import settings
from django.utils import timezone

from herzdigital import health

HEARTBEAT_TASK = "herzdigital.tasks.heartbeat"
logger = logging.getLogger(__name__)


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    """Run by a worker: proves that the broker delivers and a worker executes."""
    health.heartbeat_record(role="worker", at=timezone.now())


def beat_schedule() -> dict:
    return {
        "heartbeat": {
            "task": HEARTBEAT_TASK,
            "schedule": float(settings.HEARTBEAT_INTERVAL),
            "options": {"expires": settings.HEARTBEAT_INTERVAL},
        },
    }


@before_task_publish.connect
def _stamp_beat(sender: str | None = None, **kwargs: Any) -> None:
    # Beat is the only regular publisher of the heartbeat, so publishing it proves beat is alive.
    if sender == HEARTBEAT_TASK:
        health.heartbeat_record(role="beat", at=timezone.now())


@beat_init.connect
def _heartbeat_at_start(sender: object = None, **kwargs: Any) -> None:
    # Beat's schedule first fires one interval after start: without this, /healthz would answer 503 for the
    # first HEARTBEAT_INTERVAL seconds of every start. Stamped directly, not published as a task: a standby
    # beat must send nothing, and every heartbeat task a worker runs is then one that the leader scheduled.
    health.heartbeat_record(role="beat", at=timezone.now())


@worker_ready.connect
def _announce_site_url(sender: object = None, **kwargs: Any) -> None:
    # A worker that is ready has its broker connection: it stamps itself at once (see _heartbeat_at_start).
    health.heartbeat_record(role="worker", at=timezone.now())
    # The worker sends most emails; an operator (and the make-run test) can see where their links point.
    logger.info("worker ready; links in emails point to %s", settings.SITE_URL)
