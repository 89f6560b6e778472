"""The reminder sweep through the real broker and a separate Celery worker process."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from events import tasks
from events.models import ReminderLog, ScheduledMeeting
from tests.events.helpers import plan
from tests.processes import celery_worker, require_broker, wait_for


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_each_reminder_once_although_the_sweep_arrives_twice(personas, room):
    require_broker()
    start = (timezone.now() + timedelta(minutes=50)).replace(second=0, microsecond=0)
    scheduled = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        start_at=start,
        end_at=start + timedelta(hours=1),
        guest_emails=["a@example.org", "b@example.org", "c@example.org"],
    )
    ScheduledMeeting.objects.filter(pk=scheduled.pk).update(created_at=start - timedelta(days=2))
    log_path = Path(settings.VAR_DIR) / "worker.log"
    offset = log_path.stat().st_size if log_path.exists() else 0

    def worker_log() -> str:
        with log_path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    with celery_worker(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend") as worker:
        tasks.reminders_send.apply_async(queue=tasks.MAIL_QUEUE)
        tasks.reminders_send.apply_async(queue=tasks.MAIL_QUEUE)
        finished = re.compile(rf"Task {re.escape(tasks.REMINDERS_TASK)}\[[^\]]+\] succeeded")
        done = wait_for(lambda: len(finished.findall(worker_log())) >= 2, timeout=90)
        assert done, worker_log()[-3000:]
        assert worker.poll() is None

    log = ReminderLog.objects.get()
    assert log.sent_at is not None and log.recipient_count == 3 and log.kind == "before-60m"
    assert worker_log().count("Subject: Erinnerung: ") == 3
