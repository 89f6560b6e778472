"""The Celery app. The beat schedule lives in code, beside the tasks it names."""

from __future__ import annotations

import importlib
import importlib.util
import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herzdigital.settings")

app = Celery("herzdigital")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Cleanup and mail go to their own queue so that they never delay the meeting sync.
app.conf.task_queues = (Queue("default"), Queue("maintenance"))
app.conf.task_routes = {
    "recordings.tasks.recordings_cleanup_run": {"queue": "maintenance"},
    "recordings.tasks.recordings_deletion_notices": {"queue": "maintenance"},
    "accounts.tasks.sessions_clear_expired": {"queue": "maintenance"},
    "operations.tasks.personal_data_purge": {"queue": "maintenance"},
    "operations.tasks.staff_digest": {"queue": "maintenance"},
}


# Modules holding tasks; each may define ``beat_schedule() -> dict`` for its periodic tasks.
TASK_MODULES = [
    "herzdigital.tasks",
    "accounts.tasks",
    "meetings.tasks",
    "recordings.tasks",
    "events.tasks",
    "assemblies.tasks",
    "operations.tasks",
]


def _existing(module_name: str) -> bool:
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


app.conf.imports = [m for m in TASK_MODULES if _existing(m)]


def build_beat_schedule() -> dict:
    schedule: dict = {}
    for module_name in TASK_MODULES:
        if not _existing(module_name):
            continue
        module = importlib.import_module(module_name)
        if hasattr(module, "beat_schedule"):
            schedule.update(module.beat_schedule())
    every = _beat_every_seconds()
    if every:  # tests: every periodic task (the daily ones too) falls due every `every` seconds, never expires
        for entry in schedule.values():
            entry["schedule"] = every
            entry.get("options", {}).pop("expires", None)
    return schedule


def _beat_every_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "BEAT_EVERY_SECONDS", 0) or 0)


@app.on_after_finalize.connect
def _setup_beat(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = build_beat_schedule()
