"""Occurrences of scheduled meetings, and the conversions between local wall-clock time and UTC.

A weekly series is expanded with ``dateutil.rrule`` on the *local* start time: rrule builds every
occurrence from the wall-clock fields of ``dtstart`` and keeps its ``tzinfo``, so 19:00 Europe/Berlin
stays 19:00 in winter and in summer. Only then do we convert to UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice

from dateutil import rrule
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import ScheduledMeeting


def local_tz() -> tzinfo:
    """The zone meetings are entered and shown in (settings.TIME_ZONE, Europe/Berlin)."""
    return timezone.get_default_timezone()


class NonexistentLocalTime(ValueError):
    """The wall-clock time falls into the gap of a daylight-saving change (e.g. 02:30 in late March)."""


def local_to_utc(day: date, at: time) -> datetime:
    """Combine a local date and time to an aware UTC datetime.

    Ambiguous times (the repeated hour in late October) take the first, summer-time reading; times
    that do not exist (the skipped hour in late March) raise ``NonexistentLocalTime``.
    """
    zone = local_tz()
    local = datetime.combine(day, at).replace(tzinfo=zone, fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(
            _(
                "Die Uhrzeit %(time)s gibt es am %(date)s wegen der Zeitumstellung nicht. "
                "Bitte wählen Sie eine andere Uhrzeit."
            )
            % {"time": at.strftime("%H:%M"), "date": day.strftime("%d.%m.%Y")}
        )
    return as_utc


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_tz())


@dataclass(frozen=True)
class Occurrence:
    """One concrete date of a scheduled meeting (the only one, or one of a weekly series)."""

    scheduled: ScheduledMeeting
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC

    @property
    def local_start(self) -> datetime:
        return to_local(self.start)

    @property
    def local_end(self) -> datetime:
        return to_local(self.end)

    @property
    def is_cancelled(self) -> bool:
        return self.scheduled.is_cancelled

    def is_running(self, now: datetime) -> bool:
        return self.start <= now < self.end

    @property
    def has_started(self) -> bool:
        return self.start <= timezone.now()


def series_until(scheduled: ScheduledMeeting) -> datetime | None:
    """The last moment a weekly series may start (end of the local ``repeat_until`` day), local and aware."""
    if not scheduled.is_recurring or scheduled.repeat_until is None:
        return None
    return datetime.combine(scheduled.repeat_until, time(23, 59, 59)).replace(tzinfo=local_tz())


def _rule(scheduled: ScheduledMeeting, near: datetime) -> rrule.rrule:
    """The weekly rule of a series, beginning at its last date on or before ``near`` (local, aware).

    It yields the same dates from ``near`` on as a rule beginning at the series' first date (both repeat
    the local wall-clock start; adding weeks to an aware datetime keeps it), but rrule does not walk
    every week since then: the room page asks a course that has met for years for its next date.
    """
    local_start = to_local(scheduled.start_at)
    weeks = (near.replace(tzinfo=None) - local_start.replace(tzinfo=None)).days // 7
    return rrule.rrule(
        rrule.WEEKLY, dtstart=local_start + timedelta(weeks=max(weeks, 0)), until=series_until(scheduled)
    )


def _make(scheduled: ScheduledMeeting, local_start: datetime) -> Occurrence:
    # The wall-clock duration, added in local time, keeps e.g. 19:00-20:30 on both sides of a DST change.
    local_end = to_local(scheduled.end_at)
    wall_duration = local_end.replace(tzinfo=None) - to_local(scheduled.start_at).replace(tzinfo=None)
    start_utc = local_start.astimezone(UTC)
    end_utc = (local_start.replace(tzinfo=None) + wall_duration).replace(tzinfo=local_tz()).astimezone(UTC)
    if end_utc <= start_utc:  # a meeting spanning the repeated hour: fall back to the absolute duration
        end_utc = start_utc + scheduled.duration
    return Occurrence(scheduled=scheduled, start=start_utc, end=end_utc)


def occurrences_overlapping(scheduled: ScheduledMeeting, after: datetime, before: datetime) -> list[Occurrence]:
    """Occurrences that are (partly) between ``after`` and ``before`` (aware datetimes), in order."""
    if not scheduled.is_recurring:
        if scheduled.end_at > after and scheduled.start_at < before:
            return [Occurrence(scheduled=scheduled, start=scheduled.start_at, end=scheduled.end_at)]
        return []
    # An occurrence overlapping ``after`` started at most one duration earlier (plus an hour of DST slack).
    window_start = to_local(after - scheduled.duration - timedelta(hours=1))
    window_end = to_local(before)
    result = []
    for local_start in _rule(scheduled, window_start).between(window_start, window_end, inc=True):
        occurrence = _make(scheduled, local_start)
        if occurrence.end > after and occurrence.start < before:
            result.append(occurrence)
    return result


def occurrences_starting(scheduled: ScheduledMeeting, after: datetime, before: datetime) -> list[Occurrence]:
    """Occurrences whose start lies in [after, before)."""
    return [o for o in occurrences_overlapping(scheduled, after, before) if after <= o.start < before]


def iter_occurrences(scheduled: ScheduledMeeting, after: datetime) -> Iterator[Occurrence]:
    """All occurrences ending after ``after``, lazily (a series without end date is infinite)."""
    if not scheduled.is_recurring:
        if scheduled.end_at > after:
            yield Occurrence(scheduled=scheduled, start=scheduled.start_at, end=scheduled.end_at)
        return
    first = to_local(after - scheduled.duration - timedelta(hours=1))
    for local_start in _rule(scheduled, first).xafter(first, inc=True):
        occurrence = _make(scheduled, local_start)
        if occurrence.end > after:
            yield occurrence


def next_occurrence(scheduled: ScheduledMeeting, now: datetime) -> Occurrence | None:
    """The occurrence running now or the next one to come."""
    return next(iter(iter_occurrences(scheduled, now)), None)


def first_occurrences(scheduled: ScheduledMeeting, after: datetime, limit: int) -> list[Occurrence]:
    return list(islice(iter_occurrences(scheduled, after), limit))


def merge_sorted(groups: Iterable[list[Occurrence]], *, reverse: bool = False) -> list[Occurrence]:
    merged = [o for group in groups for o in group]
    merged.sort(key=lambda o: (o.start, o.scheduled.pk), reverse=reverse)
    return merged
