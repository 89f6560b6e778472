"""Invitation attachments and updates, parsed back with the icalendar library."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from events import services
from events.ical import METHOD_CANCEL, METHOD_REQUEST, invitation_ics
from events.models import ScheduledMeeting
from events.occurrences import local_to_utc
from tests.events.helpers import plan


def _event(ics: bytes):
    cal = Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_invitation_ics_is_a_request_in_berlin_time_with_timezone(personas, room):
    scheduled = plan(club=personas.club, room=room, by=personas.admin, day=date(2027, 3, 10))
    cal, event = _event(invitation_ics(scheduled, method=METHOD_REQUEST, attendee="gast@example.org", description="x"))
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == scheduled.uid
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Berlin" and (start.hour, start.minute) == (19, 0)
    assert event.decoded("DTEND").astimezone(UTC) == scheduled.end_at
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert f"/r/{room.friendly_id}/" in str(event["LOCATION"])
    assert str(event["ATTENDEE"]) == "mailto:gast@example.org"


def test_weekly_rrule_has_utc_until_and_keeps_local_time(personas, room):
    scheduled = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=date(2027, 3, 16),
        recurrence=ScheduledMeeting.Recurrence.WEEKLY,
        repeat_until=date(2027, 4, 6),
    )
    _cal, event = _event(invitation_ics(scheduled, method=METHOD_REQUEST, attendee="a@example.org", description=""))
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    until = rule["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset().total_seconds() == 0
    assert until == datetime(2027, 4, 6, 21, 59, 59, tzinfo=UTC)


def test_update_keeps_uid_and_raises_sequence_and_cancel_is_method_cancel(personas, room):
    scheduled = plan(club=personas.club, room=room, by=personas.admin, day=date(2027, 3, 10))
    first = _event(invitation_ics(scheduled, method=METHOD_REQUEST, attendee="a@example.org", description=""))[1]

    services.scheduled_meeting_update(
        scheduled=scheduled,
        changed_by=personas.admin,
        member_ids=[],
        guest_emails=[],
        start_at=local_to_utc(date(2027, 3, 11), datetime(2000, 1, 1, 18, 0).time()),
        end_at=local_to_utc(date(2027, 3, 11), datetime(2000, 1, 1, 20, 0).time()),
    )
    second = _event(invitation_ics(scheduled, method=METHOD_REQUEST, attendee="a@example.org", description=""))[1]
    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART").hour == 18

    services.scheduled_meeting_cancel(scheduled=scheduled, cancelled_by=personas.admin)
    cal, third = _event(invitation_ics(scheduled, method=METHOD_CANCEL, attendee="a@example.org", description=""))
    assert cal["METHOD"] == "CANCEL"
    assert third["STATUS"] == "CANCELLED"
    assert str(third["UID"]) == str(first["UID"])
    assert third["SEQUENCE"] > second["SEQUENCE"]


def test_the_attached_vtimezone_alone_gives_the_right_offsets_on_both_sides_of_the_change(personas, room):
    """A calendar program without its own zone data uses our VTIMEZONE: 19:00 is 18:00 UTC, then 17:00 UTC."""
    scheduled = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=date(2027, 3, 16),
        recurrence=ScheduledMeeting.Recurrence.WEEKLY,
        repeat_until=date(2027, 4, 6),
    )
    cal = Calendar.from_ical(invitation_ics(scheduled, method=METHOD_REQUEST, attendee="a@example.org", description=""))
    (vtimezone,) = cal.walk("VTIMEZONE")
    zone = vtimezone.to_tz()
    before = datetime(2027, 3, 23, 19, 0).replace(tzinfo=zone)
    after = datetime(2027, 3, 30, 19, 0).replace(tzinfo=zone)
    assert before.astimezone(UTC).hour == 18
    assert after.astimezone(UTC).hour == 17
