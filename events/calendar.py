"""Reading scheduled meetings: the next one of a room, the club calendar, its feed and feed token."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clubs.audit import audit_log
from clubs.models import Club
from events.ical import feed_ics
from events.models import ScheduledMeeting
from events.occurrences import (
    Occurrence,
    first_occurrences,
    merge_sorted,
    next_occurrence,
    occurrences_overlapping,
)
from meetings.models import Meeting
from rooms.models import Room

# A BBB meeting "belongs" to an occurrence when it overlaps the occurrence widened by this slack.
MEETING_MATCH_SLACK = timedelta(minutes=30)
# Upcoming dates of the next eight weeks are listed one by one (a weekly course would flood a year).
CALENDAR_UPCOMING_DAYS = 56
CALENDAR_PAST_DAYS = 90
CALENDAR_LIMIT = 100
FEED_PAST_DAYS = 180


def next_occurrence_for_room(room: Room, *, now: datetime | None = None) -> Occurrence | None:
    """The scheduled occurrence running now or coming next in a room (one query)."""
    now = now or timezone.now()
    # The room's own manager gives every candidate ``.room`` without a join; min() below needs no ORDER BY.
    candidates = room.scheduled_meetings.filter(
        Q(end_at__gt=now)
        | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__isnull=True)
        | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__gte=(now - timedelta(days=1)).date()),
        cancelled_at__isnull=True,
    ).order_by()
    found = [o for o in (next_occurrence(s, now) for s in candidates) if o is not None]
    return min(found, key=lambda o: (o.start, o.scheduled.pk), default=None)


@dataclass
class PastOccurrence:
    occurrence: Occurrence
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def took_place(self) -> bool:
        return bool(self.meetings)

    @property
    def peak_participants(self) -> int:
        return max((m.peak_participants for m in self.meetings), default=0)


@dataclass
class ClubCalendar:
    upcoming: list[Occurrence]
    past: list[PastOccurrence]


def _meeting_span(meeting: Meeting, now: datetime) -> tuple[datetime, datetime]:
    start = meeting.started_at or meeting.create_time or meeting.created_at
    return start, meeting.ended_at or now


def _upcoming_of(scheduled: ScheduledMeeting, now: datetime) -> list[Occurrence]:
    """Every date in the next weeks; a series or meeting further ahead shows at least its next date."""
    soon = now + timedelta(days=CALENDAR_UPCOMING_DAYS)
    occurrences = first_occurrences(scheduled, now, CALENDAR_LIMIT)
    within = [o for o in occurrences if o.start < soon]
    return within or occurrences[:1]


def club_calendar(*, club: Club, now: datetime | None = None) -> ClubCalendar:
    """Upcoming and past occurrences; past ones with the BBB meetings held then. Two queries, at any size."""
    now = now or timezone.now()
    past_start = now - timedelta(days=CALENDAR_PAST_DAYS)
    scheduled_list = list(
        club.scheduled_meetings.select_related("room").filter(
            Q(end_at__gte=past_start)
            | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__isnull=True)
            | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__gte=past_start.date())
        )
    )
    upcoming = merge_sorted(_upcoming_of(s, now) for s in scheduled_list)[:CALENDAR_LIMIT]
    past_occurrences = merge_sorted(
        (
            [o for o in occurrences_overlapping(s, past_start, now) if o.end <= now]
            for s in scheduled_list
            if not s.is_cancelled
        ),
        reverse=True,
    )[:CALENDAR_LIMIT]
    past = [PastOccurrence(occurrence=o) for o in past_occurrences]
    if past:
        earliest = min(p.occurrence.start for p in past) - MEETING_MATCH_SLACK
        by_room: dict[int, list[Meeting]] = defaultdict(list)
        meetings = club.meetings.filter(
            room_id__in={p.occurrence.scheduled.room_id for p in past},
            created_at__lte=now,
            created_at__gte=earliest - timedelta(days=1),
        ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=earliest))
        for meeting in meetings.order_by("created_at"):
            by_room[meeting.room_id].append(meeting)
        for entry in past:
            window_start = entry.occurrence.start - MEETING_MATCH_SLACK
            window_end = entry.occurrence.end + MEETING_MATCH_SLACK
            for meeting in by_room.get(entry.occurrence.scheduled.room_id, []):
                start, end = _meeting_span(meeting, now)
                if start < window_end and end > window_start:
                    entry.meetings.append(meeting)
    return ClubCalendar(upcoming=upcoming, past=past)


def club_feed(*, club: Club, now: datetime | None = None) -> bytes:
    """The club's subscribable calendar: every meeting not cancelled, from half a year back on.

    It carries the room links but no access codes: a feed URL tends to end up in third-party
    calendar services, so the codes stay in the invitation emails.
    """
    now = now or timezone.now()
    since = now - timedelta(days=FEED_PAST_DAYS)
    scheduled_list = list(
        club.scheduled_meetings.select_related("room", "club")
        .filter(cancelled_at__isnull=True)
        .filter(
            Q(end_at__gte=since)
            | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__isnull=True)
            | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__gte=since.date())
        )
    )
    return feed_ics(name=club.name, scheduled_meetings=scheduled_list, now=now)


def club_for_feed_token(token: str) -> Club | None:
    return (
        Club.objects.filter(calendar_token=token).exclude(status__in=[Club.Status.REJECTED, Club.Status.CLOSED]).first()
        if token
        else None
    )


@transaction.atomic
def club_calendar_token_regenerate(*, club: Club, actor: object) -> str:
    """Give the club a new secret feed URL; the old one stops working at once."""
    club.calendar_token = secrets.token_urlsafe(32)
    club.save(update_fields=["calendar_token", "updated_at"])
    audit_log(action="club.calendar_token_regenerate", actor=actor, club=club, target=club)
    return club.calendar_token
