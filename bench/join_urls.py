"""URLconf of bench/join.py's site (copied next to its settings as ``bench_join_urls``): the site, a trivial
view, and the join view once more with an ORM lookup instead of the raw SQL (``--compare-orm``)."""

from __future__ import annotations

import types

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from clubs.models import Club
from meetings.models import Meeting
from rooms import services
from rooms.models import Room
from rooms.views import rooms as views


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


ROOM_FIELDS = (
    "id",
    "club_id",
    "friendly_id",
    "meeting_id",
    "viewer_code",
    "moderator_code",
    "waiting_room",
    "all_moderators",
    "anyone_can_start",
    "members_can_start",
    "members_only",
)
SERVER_FIELDS = ("id", "api_url", "secret", "checksum_algorithm", "healthy")


def room_join_target_orm(*, friendly_id):
    """room_join_target with the ORM: select_related + only (one query when the meeting runs)."""
    active = {"club__status": Club.Status.ACTIVE.value}
    open_meeting = {"room__friendly_id": friendly_id, "room__club__status": Club.Status.ACTIVE.value}
    meetings = (
        Meeting.objects.select_related("room", "server")
        .only(
            "id",
            "status",
            "create_time",
            "room_id",
            "meeting_id",
            "server_id",
            *(f"room__{f}" for f in ROOM_FIELDS),
            *(f"server__{f}" for f in SERVER_FIELDS),
        )
        .filter(ended_at__isnull=True, **open_meeting)
        .order_by()[:1]
    )
    for meeting in meetings:
        return meeting.room, meeting
    rooms = Room.objects.only(*ROOM_FIELDS).filter(friendly_id=friendly_id, **active).order_by()[:1]
    for room in rooms:
        return room, None
    return None


def _join_with(lookup):
    """The site's join view, running the same code with another room_join_target."""
    inner = views.join
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    other = types.SimpleNamespace(**{**vars(services), "room_join_target": lookup})
    code = types.FunctionType(inner.__code__, {**inner.__globals__, "services": other}, inner.__name__)
    view = require_POST(code)
    view.access = "public"
    return view


trivial.access = "public"
urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/join-orm/<str:friendly_id>/", _join_with(room_join_target_orm)),
    path("", include("herzdigital.urls")),
]
