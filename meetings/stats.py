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
from django.db.models import Count, F, Max, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.utils import timezone

from clubs.models import Club
from meetings.models import Meeting, Server
from recordings.models import Recording

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


def _local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _month_start(moment: datetime) -> date:
    local = timezone.localtime(moment, _local_tz())
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


def _hours(seconds: int | None) -> float:
    return round((seconds or 0) / 3600, 1)


def club_monthly_stats(*, club: Club, months: int = 12, now: datetime | None = None) -> list[MonthStats]:
    """Meetings held, participant-hours, peak and busiest rooms per month, newest month first.

    A meeting counts in the month (Europe/Berlin) it started; meetings nobody ever entered do not
    count. Two queries, whatever the number of meetings.
    """
    tz = _local_tz()
    month_starts = _months_back(_month_start(now or timezone.now()), months)
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
            RoomUsage(row["room_id"], row["room__name"], row["meetings"], _hours(row["seconds"]))
        )
    result = []
    for month in month_starts:
        row = by_month.get(month)
        result.append(
            MonthStats(
                month=month,
                meetings=row["meetings"] if row else 0,
                participant_hours=_hours(row["seconds"]) if row else 0.0,
                peak_participants=row["peak"] if row else 0,
                busiest_rooms=busiest.get(month, []),
            )
        )
    return result


def service_overview(*, now: datetime | None = None) -> dict:
    """Figures for the staff dashboard, in five aggregate queries.

    Keys: ``clubs`` (active/pending/suspended), ``meetings`` (running now, starting now, held this
    month, participants now, participant-hours this month), ``recordings`` (count, storage bytes),
    ``servers`` (one dict per server: health, load, capacity, counts) and ``top_clubs`` (this
    month's busiest clubs by participant-hours).
    """
    now = now or timezone.now()
    month = _month_start(now)
    month_start = datetime(month.year, month.month, 1, tzinfo=_local_tz())
    clubs = Club.objects.aggregate(
        active=Count("pk", filter=Q(status=Club.Status.ACTIVE)),
        pending=Count("pk", filter=Q(status=Club.Status.PENDING)),
        suspended=Count("pk", filter=Q(status=Club.Status.SUSPENDED)),
    )
    open_meeting = Q(ended_at__isnull=True)
    meetings = Meeting.objects.aggregate(
        running=Count("pk", filter=open_meeting & Q(status=Meeting.Status.RUNNING)),
        starting=Count("pk", filter=open_meeting & Q(status=Meeting.Status.STARTING)),
        held_this_month=Count("pk", filter=Q(started_at__gte=month_start)),
        participants_now=Coalesce(Sum("participant_count", filter=open_meeting), 0),
        participant_seconds_this_month=Coalesce(Sum("participant_seconds", filter=Q(started_at__gte=month_start)), 0),
    )
    meetings["participant_hours_this_month"] = _hours(meetings.pop("participant_seconds_this_month"))
    recordings = Recording.objects.filter(deleted_at__isnull=True).aggregate(
        count=Count("pk"), storage_bytes=Coalesce(Sum("size_bytes"), 0)
    )
    servers = list(
        Server.objects.order_by("name").values(
            "id",
            "name",
            "enabled",
            "healthy",
            "consecutive_failures",
            "last_success_at",
            "load",
            "capacity",
            "meeting_count",
            "participant_count",
            "foreign_meeting_count",
        )
    )
    for server in servers:
        server["load_percent"] = round(100 * server["load"] / server["capacity"]) if server["capacity"] else None
    top_clubs = clubs_usage(month=month, limit=10)
    return {"clubs": clubs, "meetings": meetings, "recordings": recordings, "servers": servers, "top_clubs": top_clubs}


def clubs_usage(*, month: date, limit: int | None = None) -> list[dict]:
    """Meetings and participant-hours per club in ``month`` (Europe/Berlin), busiest first: the
    dashboard's top clubs and the service-wide CSV export. One query."""
    tz = _local_tz()
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
            "participant_hours": _hours(row["seconds"]),
            "peak_participants": row["peak"] or 0,
        }
        for row in rows
    ]


def this_month(now: datetime | None = None) -> date:
    return _month_start(now or timezone.now())
