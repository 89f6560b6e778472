"""Celery tasks of assemblies: the daily deletion of attendance whose retention ran out."""

from __future__ import annotations

from celery import shared_task

from assemblies import services

ATTENDANCE_CLEANUP_TASK = "assemblies.tasks.attendance_cleanup"
MAINTENANCE_QUEUE = "maintenance"


@shared_task(name=ATTENDANCE_CLEANUP_TASK, ignore_result=True)
def attendance_cleanup() -> int:
    """Delete expired attendance lists (vote results stay); running it twice deletes nothing more."""
    return services.attendance_cleanup()


def beat_schedule() -> dict:
    return {
        "assemblies-attendance-cleanup": {
            "task": ATTENDANCE_CLEANUP_TASK,
            "schedule": 6 * 3600.0,
            "options": {"expires": 3600, "queue": MAINTENANCE_QUEUE},
        },
    }
