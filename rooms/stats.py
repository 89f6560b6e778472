"""The service's figures at a glance (admin dashboard): aggregates only, a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from clubs.models import Club
from rooms.models import Meeting, Recording, Server


def service_overview() -> dict[str, Any]:
    """Figures for the staff dashboard, whatever the number of clubs, meetings or recordings.

    Keys:
      ``clubs``: ``{"active", "pending", "suspended", "total"}`` — clubs per status.
      ``meetings``: ``{"running", "this_month", "participants_now", "participants_this_month",
      "peak_this_month"}`` — ``running`` counts meetings not yet ended; ``this_month`` meetings
      created since the first of the month (local time); ``participants_now`` the sum of the
      running meetings' current participant counts; ``participants_this_month`` the sum of the
      month's peak participant counts; ``peak_this_month`` the largest of them.
      ``recordings``: ``{"count", "size_bytes", "protected", "processing"}`` — recordings not deleted.
      ``servers``: ``{"total", "enabled", "healthy", "unhealthy", "load", "capacity",
      "meetings", "participants"}`` — ``unhealthy`` counts enabled servers marked unreachable.
    """
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    clubs = Club.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Club.Status.ACTIVE)),
        pending=Count("pk", filter=Q(status=Club.Status.PENDING)),
        suspended=Count("pk", filter=Q(status=Club.Status.SUSPENDED)),
    )
    running = Q(ended_at__isnull=True)
    this_month = Q(created_at__gte=month_start)
    meetings = Meeting.objects.filter(running | this_month).aggregate(
        running=Count("pk", filter=running),
        this_month=Count("pk", filter=this_month),
        participants_now=Sum("participant_count", filter=running, default=0),
        participants_this_month=Sum("peak_participants", filter=this_month, default=0),
        peak_this_month=Max("peak_participants", filter=this_month, default=0),
    )
    recordings = Recording.objects.filter(deleted_at__isnull=True).aggregate(
        count=Count("pk"),
        size_bytes=Sum("size_bytes", default=0),
        protected=Count("pk", filter=Q(protected=True)),
        processing=Count("pk", filter=Q(state=Recording.State.PROCESSING)),
    )
    # Aliases must not shadow the fields they aggregate, hence the prefix.
    servers = {
        key.removeprefix("n_"): value
        for key, value in Server.objects.aggregate(
            n_total=Count("pk"),
            n_enabled=Count("pk", filter=Q(enabled=True)),
            n_healthy=Count("pk", filter=Q(enabled=True, healthy=True)),
            n_unhealthy=Count("pk", filter=Q(enabled=True, healthy=False)),
            n_load=Sum("load", filter=Q(enabled=True), default=0),
            n_capacity=Sum("capacity", filter=Q(enabled=True), default=0),
            n_meetings=Sum("meeting_count", default=0),
            n_participants=Sum("participant_count", default=0),
        ).items()
    }
    return {"clubs": clubs, "meetings": meetings, "recordings": recordings, "servers": servers}
