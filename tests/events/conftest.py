"""Fixtures for scheduled meetings: a room with an access code, eager Celery, planning helper."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from events import services
from events.models import ScheduledMeeting
from events.occurrences import local_to_utc
from tests.factories import RoomFactory


@pytest.fixture
def celery_eager():
    """Run tasks in-process (``.delay`` executes at once), so on_commit-enqueued mails are sent."""
    from herzdigital.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vereinsheim", viewer_code="482913")


def plan(
    *,
    club,
    room,
    by,
    day: date | None = None,
    start: time = time(19, 0),
    end: time = time(20, 30),
    title: str = "Mitgliederversammlung",
    recurrence: str = ScheduledMeeting.Recurrence.NONE,
    repeat_until: date | None = None,
    member_ids=(),
    guest_emails=(),
    description: str = "1. Begrüßung\n2. Bericht des Vorstands",
    record: bool = False,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
) -> ScheduledMeeting:
    """Plan through the service: at ``day`` ``start``-``end`` local time, or at exact UTC moments."""
    return services.scheduled_meeting_create(
        club=club,
        room=room,
        created_by=by,
        title=title,
        description=description,
        start_at=start_at or local_to_utc(day, start),
        end_at=end_at or local_to_utc(day, end),
        recurrence=recurrence,
        repeat_until=repeat_until,
        record=record,
        member_ids=member_ids,
        guest_emails=guest_emails,
    )
