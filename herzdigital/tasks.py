"""Service-wide housekeeping tasks."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from herzdigital import health

HEARTBEAT_TASK = "herzdigital.tasks.heartbeat"


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
