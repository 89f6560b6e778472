"""Read-only queries for club pages, each a fixed number of queries whatever the club's size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from clubs.models import Club, Role


def month_start(now: datetime | None = None) -> datetime:
    """Midnight of the first day of the current month, Europe/Berlin."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def club_usage(*, club: Club, since: datetime) -> dict[str, int]:
    """Meetings held and participants (sum of each meeting's peak) since a moment; one query."""
    figures = club.meetings.filter(started_at__gte=since).aggregate(
        meetings=Count("id"), participants=Sum("peak_participants")
    )
    return {"meetings": figures["meetings"] or 0, "participants": figures["participants"] or 0}


def club_quota_usage(*, club: Club, room_count: int, running_count: int) -> list[dict[str, Any]]:
    from django.utils.translation import gettext as _

    return [
        {"label": _("Räume"), "used": room_count, "max": club.max_rooms},
        {"label": _("Gleichzeitige Besprechungen"), "used": running_count, "max": club.max_concurrent_meetings},
        {"label": _("Teilnehmende je Besprechung"), "used": None, "max": club.max_participants},
    ]


def club_dashboard(*, club: Club) -> dict[str, Any]:
    """Rooms with their live state (from the database), running meetings, latest recordings, usage."""
    open_meetings = club.meetings.filter(ended_at__isnull=True).order_by("-created_at")
    rooms = list(
        club.rooms.all().prefetch_related(Prefetch("meetings", queryset=open_meetings, to_attr="open_meetings"))
    )
    for room in rooms:
        room.live_meeting = room.open_meetings[0] if room.open_meetings else None
    running = [room.live_meeting for room in rooms if room.live_meeting is not None]
    recordings = list(
        club.recordings.filter(deleted_at__isnull=True).select_related("room").order_by("-started_at")[:5]
    )
    member_counts = club.memberships.aggregate(
        total=Count("id"), owners=Count("id", filter=Q(role=Role.OWNER)), admins=Count("id", filter=Q(role=Role.ADMIN))
    )
    since = month_start()
    return {
        "rooms": rooms,
        "running_meetings": running,
        "recordings": recordings,
        "usage": club_usage(club=club, since=since),
        "usage_since": since,
        "member_counts": member_counts,
        "quotas": club_quota_usage(club=club, room_count=len(rooms), running_count=len(running)),
    }
