"""Reminders go out before each start, at the configured offsets, exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from events import services, tasks
from events.models import Invitee, ReminderLog, ScheduledMeeting
from events.occurrences import local_to_utc, to_local
from tests.events.helpers import plan

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _planned(personas, room, *, start, guests=("gast@example.org",), members=(), created_before=2 * DAY, **kwargs):
    scheduled = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        start_at=start,
        end_at=start + HOUR,
        guest_emails=list(guests),
        member_ids=list(members),
        **kwargs,
    )
    ScheduledMeeting.objects.filter(pk=scheduled.pk).update(created_at=start - created_before)
    scheduled.refresh_from_db()
    return scheduled


def _future_start():
    # A round local time two days ahead, away from midnight so that start and end share a day.
    local = to_local(timezone.now() + 2 * DAY).replace(hour=18, minute=0, second=0, microsecond=0)
    return local_to_utc(local.date(), local.time())


def test_day_before_and_hour_before_reminders_each_go_out_once(personas, room):
    start = _future_start()
    _planned(personas, room, start=start, members=[personas.member.pk])

    assert services.reminders_send(now=start - DAY - 5 * timedelta(minutes=1)) == 0
    assert services.reminders_send(now=start - DAY + timedelta(minutes=2)) == 2
    assert services.reminders_send(now=start - DAY + timedelta(minutes=7)) == 0
    assert services.reminders_send(now=start - 2 * HOUR) == 0
    assert services.reminders_send(now=start - HOUR + timedelta(minutes=3)) == 2
    assert services.reminders_send(now=start - timedelta(minutes=30)) == 0
    assert services.reminders_send(now=start + timedelta(minutes=5)) == 0

    assert len(mail.outbox) == 4
    assert sorted(ReminderLog.objects.values_list("kind", flat=True)) == ["before-1440m", "before-60m"]
    reminder = next(m for m in mail.outbox if m.to == ["gast@example.org"])
    assert reminder.subject.startswith("Erinnerung: Mitgliederversammlung")
    assert f"/r/{room.friendly_id}/" in reminder.body and "482913" in reminder.body
    assert any(a.get_content_type() == "text/calendar" for a in reminder.attachments)


def test_after_an_outage_only_the_latest_due_reminder_is_sent(personas, room):
    start = _future_start()
    _planned(personas, room, start=start)
    assert services.reminders_send(now=start - timedelta(minutes=20)) == 1
    assert list(ReminderLog.objects.values_list("kind", flat=True)) == ["before-60m"]
    assert services.reminders_send(now=start - timedelta(minutes=10)) == 0


def test_no_reminder_whose_time_passed_before_the_meeting_was_planned(personas, room):
    start = _future_start()
    _planned(personas, room, start=start, created_before=3 * HOUR)
    # The day-before time was before planning: skipped; the hour-before one still comes.
    assert services.reminders_send(now=start - DAY + timedelta(minutes=1)) == 0
    assert services.reminders_send(now=start - HOUR + timedelta(minutes=1)) == 1


def test_cancelled_meetings_and_removed_invitees_get_no_reminder(personas, room):
    start = _future_start()
    cancelled = _planned(personas, room, start=start)
    services.scheduled_meeting_cancel(scheduled=cancelled, cancelled_by=personas.admin)
    kept = _planned(personas, room, start=start, guests=("bleibt@example.org", "geht@example.org"), title="Vorstand")
    Invitee.objects.filter(scheduled_meeting=kept, email="geht@example.org").update(removed_at=timezone.now())
    assert services.reminders_send(now=start - HOUR) == 1
    assert [m.to for m in mail.outbox] == [["bleibt@example.org"]]


def test_each_occurrence_of_a_weekly_series_is_reminded(personas, room):
    start = _future_start()
    _planned(personas, room, start=start, recurrence=ScheduledMeeting.Recurrence.WEEKLY)
    for week in range(3):
        occurrence = to_local(start) + timedelta(weeks=week)
        occurrence_utc = local_to_utc(occurrence.date(), occurrence.time())
        assert services.reminders_send(now=occurrence_utc - HOUR) == 1
        assert services.reminders_send(now=occurrence_utc - HOUR + timedelta(minutes=5)) == 0
    assert ReminderLog.objects.filter(kind="before-60m").count() == 3


def test_offsets_come_from_the_setting(personas, room, settings):
    settings.EVENT_REMINDER_OFFSETS = [30]
    start = _future_start()
    _planned(personas, room, start=start)
    assert services.reminders_send(now=start - HOUR) == 0
    assert services.reminders_send(now=start - timedelta(minutes=29)) == 1
    assert list(ReminderLog.objects.values_list("kind", flat=True)) == ["before-30m"]


def test_a_stale_claim_is_taken_over_but_a_fresh_one_is_left_alone(personas, room):
    start = _future_start()
    scheduled = _planned(personas, room, start=start)
    now = start - HOUR + timedelta(minutes=1)
    ReminderLog.objects.create(
        scheduled_meeting=scheduled, occurrence_start=start, kind="before-60m", claimed_at=now - timedelta(minutes=2)
    )
    assert services.reminders_send(now=now) == 0  # another worker is on it
    assert services.reminders_send(now=now + timedelta(minutes=20)) == 1  # that worker died
    log = ReminderLog.objects.get()
    assert log.sent_at is not None and log.recipient_count == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP down")


def test_when_nothing_could_be_sent_the_next_run_tries_again(personas, room, settings):
    start = _future_start()
    _planned(personas, room, start=start)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert services.reminders_send(now=start - HOUR) == 0
    assert ReminderLog.objects.count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.reminders_send(now=start - HOUR + timedelta(minutes=5)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_beat_runs_send_each_reminder_exactly_once(personas, room, celery_eager):
    """Concurrently in threads on PostgreSQL; one after the other on SQLite (which serialises writers)."""
    start = timezone.now() + timedelta(minutes=50)
    _planned(
        personas,
        room,
        start=start.replace(second=0, microsecond=0),
        guests=("a@example.org", "b@example.org"),
        members=[personas.member.pk, personas.owner.pk],
    )
    mail.outbox.clear()  # the invitations

    results: list[int] = []
    errors: list[BaseException] = []
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)

        def run():
            try:
                barrier.wait(timeout=10)
                results.append(tasks.reminders_send())
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        results = [tasks.reminders_send(), tasks.reminders_send()]

    assert errors == []
    assert sorted(results) == [0, 4]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["a@example.org", "b@example.org", personas.member.email, personas.owner.email]
    )
    assert ReminderLog.objects.count() == 1
    assert ReminderLog.objects.get().recipient_count == 4


def test_the_reminder_sweep_is_on_the_beat_schedule():
    from herzdigital.celery import build_beat_schedule

    entry = build_beat_schedule()["events-reminders"]
    assert entry["task"] == tasks.REMINDERS_TASK
    assert entry["schedule"] <= 600
