"""The Celery app. The beat schedule lives in code, beside the tasks it names."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herzdigital.settings")

app = Celery("herzdigital")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["herzdigital", "accounts", "clubs", "rooms"])

# Cleanup and mail go to their own queue so that they never delay the meeting sync.
app.conf.task_queues = (Queue("default"), Queue("maintenance"))
app.conf.task_routes = {"rooms.tasks.recordings_cleanup_run": {"queue": "maintenance"}}


def build_beat_schedule() -> dict:
    from django.conf import settings

    return {
        "heartbeat": {
            "task": "herzdigital.tasks.heartbeat",
            "schedule": float(settings.HEARTBEAT_INTERVAL),
            "options": {"expires": settings.HEARTBEAT_INTERVAL},
        },
    }


@app.on_after_finalize.connect
def _setup_beat(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = build_beat_schedule()
