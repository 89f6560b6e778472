"""Time zones, daylight-saving changes and weekly recurrence of scheduled meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from dateutil import rrule

from events import occurrences
from events.models import ScheduledMeeting
from events.occurrences import (
    NonexistentLocalTime,
    first_occurrences,
    local_to_utc,
    local_tz,
    next_occurrence,
    occurrences_overlapping,
)
from tests.events.helpers import plan

WEEKLY = ScheduledMeeting.Recurrence.WEEKLY


def test_local_time_is_stored_as_utc_in_winter_and_summer():
    assert local_to_utc(date(2027, 1, 12), time(19, 0)) == datetime(2027, 1, 12, 18, 0, tzinfo=UTC)
    assert local_to_utc(date(2027, 7, 13), time(19, 0)) == datetime(2027, 7, 13, 17, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_spring_change_is_refused():
    with pytest.raises(NonexistentLocalTime, match="Zeitumstellung"):
        local_to_utc(date(2027, 3, 28), time(2, 30))


def test_the_repeated_autumn_hour_is_read_as_summer_time():
    assert local_to_utc(date(2026, 10, 25), time(2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_weekly_course_keeps_19_local_across_the_last_sunday_of_october(personas, room):
    course = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=date(2026, 10, 13),
        recurrence=WEEKLY,
        repeat_until=date(2026, 11, 3),
        title="Yoga",
    )
    occurrences = first_occurrences(course, datetime(2026, 10, 1, tzinfo=UTC), 10)
    assert [o.local_start.strftime("%Y-%m-%d %H:%M") for o in occurrences] == [
        "2026-10-13 19:00",
        "2026-10-20 19:00",
        "2026-10-27 19:00",
        "2026-11-03 19:00",
    ]
    assert [o.local_end.strftime("%H:%M") for o in occurrences] == ["20:30"] * 4
    # Summer time (UTC+2) before the change, winter time (UTC+1) after it.
    assert [o.start.astimezone(UTC).hour for o in occurrences] == [17, 17, 18, 18]
    assert all(o.end - o.start == timedelta(minutes=90) for o in occurrences)


def test_weekly_course_keeps_19_local_across_the_last_sunday_of_march(personas, room):
    course = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=date(2027, 3, 16),
        recurrence=WEEKLY,
        repeat_until=date(2027, 4, 6),
        title="Chorprobe",
    )
    occurrences = first_occurrences(course, datetime(2027, 3, 1, tzinfo=UTC), 10)
    assert [o.local_start.strftime("%d.%m. %H:%M") for o in occurrences] == [
        "16.03. 19:00",
        "23.03. 19:00",
        "30.03. 19:00",
        "06.04. 19:00",
    ]
    assert [o.start.hour for o in occurrences] == [18, 18, 17, 17]


def test_repeat_until_is_inclusive_and_ends_the_series(personas, room):
    course = plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=date(2027, 1, 5),
        recurrence=WEEKLY,
        repeat_until=date(2027, 1, 19),
    )
    assert len(first_occurrences(course, datetime(2027, 1, 1, tzinfo=UTC), 50)) == 3


def test_a_series_without_end_goes_on(personas, room):
    course = plan(club=personas.club, room=room, by=personas.admin, day=date(2027, 1, 5), recurrence=WEEKLY)
    occurrences = first_occurrences(course, datetime(2027, 1, 1, tzinfo=UTC), 60)
    assert len(occurrences) == 60
    assert occurrences[-1].local_start.date() == date(2027, 1, 5) + timedelta(weeks=59)
    assert {o.local_start.time() for o in occurrences} == {time(19, 0)}


def test_occurrences_overlapping_a_window_include_one_that_is_running(personas, room):
    course = plan(club=personas.club, room=room, by=personas.admin, day=date(2027, 1, 5), recurrence=WEEKLY)
    during = local_to_utc(date(2027, 1, 12), time(19, 45))
    found = occurrences_overlapping(course, during, during + timedelta(days=8))
    assert [o.local_start.date() for o in found] == [date(2027, 1, 12), date(2027, 1, 19)]
    running = next_occurrence(course, during)
    assert running.is_running(during)


def test_a_single_meeting_has_one_occurrence(personas, room):
    meeting = plan(club=personas.club, room=room, by=personas.admin, day=date(2027, 2, 1))
    assert len(first_occurrences(meeting, datetime(2027, 1, 1, tzinfo=UTC), 10)) == 1
    assert next_occurrence(meeting, local_to_utc(date(2027, 2, 1), time(21, 0))) is None


def test_a_course_meeting_for_twenty_years_is_not_walked_week_by_week(monkeypatch):
    """The room page asks a long-running series for its next date on every view: the weekly rule begins
    at the series' last date before the moment asked about, not at its first (same dates, DST included)."""
    started = local_to_utc(date(2007, 1, 2), time(19, 0))
    course = ScheduledMeeting(start_at=started, end_at=started + timedelta(minutes=90), recurrence=WEEKLY)
    rule_starts = []

    def recorded(*args, **kwargs):
        rule_starts.append(kwargs["dtstart"])
        return rrule.rrule(*args, **kwargs)

    monkeypatch.setattr(occurrences, "rrule", SimpleNamespace(rrule=recorded, WEEKLY=rrule.WEEKLY))
    now = local_to_utc(date(2027, 1, 13), time(12, 0))
    assert next_occurrence(course, now).local_start == datetime(2027, 1, 19, 19, 0, tzinfo=local_tz())
    summer = occurrences_overlapping(course, local_to_utc(date(2027, 7, 1), time(0, 0)), now + timedelta(days=200))
    assert {(o.local_start.weekday(), o.local_start.time()) for o in summer} == {(1, time(19, 0))}
    assert summer[0].start == datetime(2027, 7, 6, 17, 0, tzinfo=UTC)  # 19:00 summer time
    next_rule, summer_rule = rule_starts
    assert next_rule.date() == date(2027, 1, 12) and summer_rule.date() == date(2027, 6, 29)  # not 2007-01-02
