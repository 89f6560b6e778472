"""iCalendar output (RFC 5545/5546) through the ``icalendar`` library: invitation attachments and the feed.

Invitations carry ``METHOD:REQUEST`` (new or updated) or ``METHOD:CANCEL``; the UID never changes
and SEQUENCE grows with every update, so calendar programs replace the entry they already hold.
Start and end are written in Europe/Berlin with a VTIMEZONE, so a weekly RRULE keeps the local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from events.links import room_public_url
from events.models import ScheduledMeeting
from events.occurrences import series_until, to_local

PRODID = "-//herzdigital//Termine//DE"
METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"


# A VTIMEZONE lists each DST change as an RDATE: cover the meetings' dates (with a year's margin),
# not the library's default 1970-2038, which makes every attachment kilobytes longer.
_TZ_MARGIN = timedelta(days=366)
_OPEN_END_YEARS = 12


def _timezone_span(scheduled_meetings: list[ScheduledMeeting]) -> tuple[date, date]:
    first = min(s.start_at for s in scheduled_meetings).date() - _TZ_MARGIN
    last = max(s.end_at for s in scheduled_meetings).date()
    for s in scheduled_meetings:
        if s.is_recurring:
            if s.repeat_until is None:
                last = max(last, s.start_at.date() + timedelta(days=365 * _OPEN_END_YEARS))
            else:
                last = max(last, s.repeat_until)
    return first, last + _TZ_MARGIN


def _add_timezones(cal: Calendar, scheduled_meetings: list[ScheduledMeeting]) -> None:
    if scheduled_meetings:
        first, last = _timezone_span(scheduled_meetings)
        cal.add_missing_timezones(first_date=first, last_date=last)


def _calendar(*, method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _organizer(scheduled: ScheduledMeeting) -> vCalAddress:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'noreply@localhost'}")
    organizer.params["cn"] = vText(scheduled.club.name)
    return organizer


def event_component(
    scheduled: ScheduledMeeting,
    *,
    cancelled: bool = False,
    attendee: str | None = None,
    description: str = "",
    now: datetime | None = None,
    url: str | None = None,
) -> Event:
    """The VEVENT of a scheduled meeting (the whole series when it repeats).

    ``url`` replaces the public room link (an invitee's personal link in their own attachment).
    """
    url = url or room_public_url(scheduled.room)
    event = Event()
    event.add("uid", scheduled.uid)
    event.add("sequence", scheduled.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("created", scheduled.created_at.astimezone(UTC))
    event.add("last-modified", scheduled.updated_at.astimezone(UTC))
    event.add("dtstart", to_local(scheduled.start_at))
    event.add("dtend", to_local(scheduled.end_at))
    if scheduled.is_recurring:
        rule: dict = {"freq": "weekly"}
        until = series_until(scheduled)
        if until is not None:
            rule["until"] = until.astimezone(UTC)  # RFC 5545: UNTIL is UTC when DTSTART has a TZID
        event.add("rrule", rule)
    event.add("summary", scheduled.title)
    if description:
        event.add("description", description)
    event.add("location", url)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer(scheduled))
    if attendee:
        address = vCalAddress(f"mailto:{attendee}")
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address)
    return event


def invitation_ics(
    scheduled: ScheduledMeeting,
    *,
    method: str,
    attendee: str,
    description: str,
    now: datetime | None = None,
    url: str | None = None,
) -> bytes:
    """The attachment of one invitation, update or cancellation email."""
    cal = _calendar(method=method)
    cal.add_component(
        event_component(
            scheduled,
            cancelled=method == METHOD_CANCEL,
            attendee=attendee,
            description=description,
            now=now,
            url=url,
        )
    )
    _add_timezones(cal, [scheduled])
    return cal.to_ical()


def feed_ics(*, name: str, scheduled_meetings: list[ScheduledMeeting], now: datetime | None = None) -> bytes:
    """A subscribable calendar of a club's scheduled meetings (no METHOD: it is a published calendar)."""
    cal = _calendar(method=None, name=name)
    for scheduled in scheduled_meetings:
        cal.add_component(
            event_component(scheduled, cancelled=scheduled.is_cancelled, description=scheduled.description, now=now)
        )
    _add_timezones(cal, scheduled_meetings)
    return cal.to_ical()
