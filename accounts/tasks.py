"""Account housekeeping: stored sessions are personal data (a waiting guest's name, a login)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab
from django.contrib.sessions.models import Session
from django.utils import timezone

SESSIONS_CLEAR_TASK = "accounts.tasks.sessions_clear_expired"


@shared_task(name=SESSIONS_CLEAR_TASK, ignore_result=True)
def sessions_clear_expired() -> int:
    """Delete every expired session (Django never does on its own). Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def beat_schedule() -> dict:
    return {
        "sessions-clear-expired": {
            "task": SESSIONS_CLEAR_TASK,
            "schedule": crontab(hour=4, minute=40),
            "options": {"queue": "maintenance"},
        }
    }
