"""Planning helper shared by the scheduled-meeting tests."""

from __future__ import annotations

from datetime import date, datetime, time

from events import services
from events.models import ScheduledMeeting
from events.occurrences import local_to_utc


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
