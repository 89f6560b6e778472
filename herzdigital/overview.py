"""The service's figures at a glance, for the staff dashboard on the admin index.

They span every app (clubs, meetings, servers, recordings), so they live here, in the project's
wiring, not in one of the apps.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from clubs.models import Club
from meetings.models import Meeting, Server
from meetings.stats import clubs_usage, local_tz, month_of, participant_hours
from recordings.models import Recording


def service_overview(*, now: datetime | None = None) -> dict:
    """Figures for the staff dashboard, in five aggregate queries.

    Keys: ``clubs`` (active/pending/suspended), ``meetings`` (running now, starting now, held this
    month, participants now, participant-hours this month), ``recordings`` (count, storage bytes),
    ``servers`` (one dict per server: health, load, capacity, counts) and ``top_clubs`` (this
    month's busiest clubs by participant-hours).
    """
    now = now or timezone.now()
    month = month_of(now)
    month_start = datetime(month.year, month.month, 1, tzinfo=local_tz())
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
    meetings["participant_hours_this_month"] = participant_hours(meetings.pop("participant_seconds_this_month"))
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
