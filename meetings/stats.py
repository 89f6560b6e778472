"""Statistics from the meeting history: every BBB session is a Meeting row.

All figures are aggregated by the database (GROUP BY, window functions); Python only arranges the
few result rows. Participant-hours come from ``Meeting.participant_seconds``, the participant
count integrated over the sync ticks.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, F, Max, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.utils import timezone

from clubs.models import Club
from meetings.models import Meeting

BUSIEST_ROOMS_PER_MONTH = 3


@dataclass
class RoomUsage:
    room_id: int | None
    name: str
    meetings: int
    participant_hours: float


@dataclass
class MonthStats:
    month: date
    meetings: int = 0
    participant_hours: float = 0.0
    peak_participants: int = 0
    busiest_rooms: list[RoomUsage] = field(default_factory=list)


def local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_of(moment: datetime) -> date:
    local = timezone.localtime(moment, local_tz())
    return date(local.year, local.month, 1)


def _months_back(first_of_this_month: date, months: int) -> list[date]:
    """The first days of the last ``months`` months, newest first."""
    result = []
    year, month = first_of_this_month.year, first_of_this_month.month
    for _ in range(months):
        result.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def participant_hours(seconds: int | None) -> float:
    return round((seconds or 0) / 3600, 1)


def club_monthly_stats(*, club: Club, months: int = 12, now: datetime | None = None) -> list[MonthStats]:
    """Meetings held, participant-hours, peak and busiest rooms per month, newest month first.

    A meeting counts in the month (Europe/Berlin) it started; meetings nobody ever entered do not
    count. Two queries, whatever the number of meetings.
    """
    tz = local_tz()
    month_starts = _months_back(month_of(now or timezone.now()), months)
    since = datetime(month_starts[-1].year, month_starts[-1].month, 1, tzinfo=tz)
    held = Meeting.objects.filter(club=club, started_at__gte=since).annotate(month=TruncMonth("started_at", tzinfo=tz))
    by_month = {
        _as_date(row["month"]): row
        for row in held.values("month").annotate(
            meetings=Count("pk"),
            seconds=Coalesce(Sum("participant_seconds"), 0),
            peak=Coalesce(Max("peak_participants"), 0),
        )
    }
    rooms = (
        held.filter(room__isnull=False)
        .values("month", "room_id", "room__name")
        .annotate(meetings=Count("pk"), seconds=Coalesce(Sum("participant_seconds"), 0))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("month")],
                order_by=[F("seconds").desc(), F("meetings").desc(), F("room__name").asc()],
            )
        )
        .filter(rank__lte=BUSIEST_ROOMS_PER_MONTH)
        .order_by("month", "rank")
    )
    busiest: dict[date, list[RoomUsage]] = {}
    for row in rooms:
        busiest.setdefault(_as_date(row["month"]), []).append(
            RoomUsage(row["room_id"], row["room__name"], row["meetings"], participant_hours(row["seconds"]))
        )
    result = []
    for month in month_starts:
        row = by_month.get(month)
        result.append(
            MonthStats(
                month=month,
                meetings=row["meetings"] if row else 0,
                participant_hours=participant_hours(row["seconds"]) if row else 0.0,
                peak_participants=row["peak"] if row else 0,
                busiest_rooms=busiest.get(month, []),
            )
        )
    return result


def clubs_usage(*, month: date, limit: int | None = None) -> list[dict]:
    """Meetings and participant-hours per club in ``month`` (Europe/Berlin), busiest first: the
    dashboard's top clubs and the service-wide CSV export. One query."""
    tz = local_tz()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    rows = (
        Meeting.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("club_id", "club__name", "club__slug")
        .annotate(meetings=Count("pk"), seconds=Coalesce(Sum("participant_seconds"), 0), peak=Max("peak_participants"))
        .order_by("-seconds", "-meetings", "club__name")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "club_id": row["club_id"],
            "name": row["club__name"],
            "slug": row["club__slug"],
            "meetings": row["meetings"],
            "participant_hours": participant_hours(row["seconds"]),
            "peak_participants": row["peak"] or 0,
        }
        for row in rows
    ]


def this_month(now: datetime | None = None) -> date:
    return month_of(now or timezone.now())
