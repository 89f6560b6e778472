"""How scheduled meetings read to people: dates and recurrences in the active language, local time."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from events.models import ScheduledMeeting
from events.occurrences import local_tz


def format_when(start: datetime, end: datetime) -> str:
    """'Dienstag, 27. Oktober 2026, 19:00–20:30 Uhr' in the active language, in local time."""
    start, end = start.astimezone(local_tz()), end.astimezone(local_tz())
    day = f"{formats.date_format(start, 'l')}, {formats.date_format(start, 'DATE_FORMAT')}"
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s Uhr") % {
            "day": day,
            "start": formats.time_format(start, "TIME_FORMAT"),
            "end": formats.time_format(end, "TIME_FORMAT"),
        }
    return _("%(day)s, %(start)s Uhr bis %(end_day)s, %(end)s Uhr") % {
        "day": day,
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end_day": formats.date_format(end, "DATE_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


def recurrence_text(scheduled: ScheduledMeeting) -> str:
    if not scheduled.is_recurring:
        return ""
    if scheduled.repeat_until:
        return _("wöchentlich bis %(date)s") % {"date": formats.date_format(scheduled.repeat_until, "DATE_FORMAT")}
    return _("wöchentlich, ohne Enddatum")
