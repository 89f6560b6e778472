"""Celery tasks of scheduled meetings: mailing a meeting's current version, and the reminder sweep."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.dispatch import receiver

from events import mail, services
from events.signals import scheduled_meeting_changed

NOTIFY_TASK = "events.tasks.scheduled_meeting_notify"
REMINDERS_TASK = "events.tasks.reminders_send"
# Reminders are looked for this often (seconds); they go out at most this late.
REMINDER_INTERVAL = 300
# Mail goes to the maintenance queue, so that it never delays the meeting sync.
MAIL_QUEUE = "maintenance"


@shared_task(
    name=NOTIFY_TASK,
    ignore_result=True,
    autoretry_for=(mail.MailSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def scheduled_meeting_notify(scheduled_meeting_id: int) -> int:
    """Mail invitations/updates/cancellations that are still owed; safe to run twice."""
    return services.scheduled_meeting_notify(scheduled_meeting_id=scheduled_meeting_id)


@shared_task(name=REMINDERS_TASK, ignore_result=True)
def reminders_send() -> int:
    """Send the reminders whose time has come, each exactly once (claimed under a unique constraint)."""
    return services.reminders_send()


def beat_schedule() -> dict:
    return {
        "events-reminders": {
            "task": REMINDERS_TASK,
            "schedule": float(REMINDER_INTERVAL),
            "options": {"expires": REMINDER_INTERVAL, "queue": MAIL_QUEUE},
        },
    }


def scheduled_meeting_notify_enqueue(scheduled_meeting_id: int) -> None:
    scheduled_meeting_notify.apply_async(args=[scheduled_meeting_id], queue=MAIL_QUEUE)


@receiver(scheduled_meeting_changed, dispatch_uid="events.tasks.notify")
def _queue_notify(sender: Any, scheduled_meeting_id: int, **kwargs: Any) -> None:
    scheduled_meeting_notify_enqueue(scheduled_meeting_id)
