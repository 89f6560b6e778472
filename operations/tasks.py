"""Daily operations tasks: the staff digest and the personal-data purge (both on the maintenance queue)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from operations.digest import staff_digest_send
from operations.retention import personal_data_purge as _purge

DIGEST_TASK = "operations.tasks.staff_digest"
PURGE_TASK = "operations.tasks.personal_data_purge"


@shared_task(name=DIGEST_TASK, ignore_result=True)
def staff_digest() -> int:
    return staff_digest_send()


@shared_task(name=PURGE_TASK, ignore_result=True)
def personal_data_purge() -> dict:
    report = _purge(dry_run=False)
    return {"counts": report.counts, "skipped": report.skipped}


def beat_schedule() -> dict:
    return {
        "staff-digest": {
            "task": DIGEST_TASK,
            "schedule": crontab(hour=7, minute=0),
            "options": {"queue": "maintenance"},
        },
        "personal-data-purge": {
            "task": PURGE_TASK,
            "schedule": crontab(hour=4, minute=40),
            "options": {"queue": "maintenance"},
        },
    }
