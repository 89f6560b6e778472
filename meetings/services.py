"""BBB servers and meetings: choosing a server, joining and ending a meeting, its display state.

Cost rules (ARCHITECTURE rule 2): ``meeting_join_url`` signs locally (zero BBB calls) and
``meeting_state`` reads what is loaded; ``meeting_end`` makes exactly one BBB call (``end``).
Starting a meeting is a room's flow: ``rooms.services.meeting_start`` (one ``create``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from bbb import BBBError, BBBUnavailable
from clubs.audit import audit_log
from meetings.bbb_clients import client_for
from meetings.callbacks import returned_url
from meetings.models import Meeting, Server
from rooms.models import Room

logger = logging.getLogger(__name__)

MODERATOR = "MODERATOR"
VIEWER = "VIEWER"

# Server choice: a meeting younger than this counts as at least YOUNG_MEETING_EXPECTED_PARTICIPANTS,
# because its participants are still arriving and the last sync has not seen them yet. Without this,
# a burst of starts right after a sync would all land on the same "empty" server.
YOUNG_MEETING_SECONDS = 300
YOUNG_MEETING_EXPECTED_PARTICIPANTS = 20


class MeetingUnavailable(Exception):
    """BBB is down, too slow or refused (FAILED), or no server takes meetings. Nothing was written."""

    def __init__(self, message: str, *, server: Server | None = None):
        super().__init__(message)
        self.server = server


# -- servers -----------------------------------------------------------------------------------


def server_choose(*, room: Room | None = None, tag: str = "", now: datetime | None = None) -> Server:
    """The server for a new meeting of ``room`` (asking for the server pool ``tag``, if any).

    1. The server already running this room's meeting (an open Meeting row), whatever its load.
    2. Else among the servers that take meetings (enabled, healthy, not retired, not drained for a
       planned maintenance — see ``servers_taking_meetings``) the pool's: with a ``tag`` the servers
       carrying it; without one the untagged servers (a pool is kept for those who ask for it).
       Fallbacks when that pool has no such server: without a tag, any server; with a tag, any
       server when ``SERVER_TAG_FALLBACK`` is ``any`` (the default: the meeting happens, on a
       smaller server), none when it is ``none`` (``MeetingUnavailable``).
    3. Within the pool the least relative load wins, where load is the sync's last ``Server.load``
       plus, for each of our open meetings younger than YOUNG_MEETING_SECONDS,
       ``max(0, expected - participants)`` with expected = YOUNG_MEETING_EXPECTED_PARTICIPANTS
       (i.e. a young meeting counts as ``max(participants, expected)``). Relative = load / capacity.
       Ties go to the server with fewer open meetings, then by name.

    One query for the candidates, whatever the number of meetings. Raises ``MeetingUnavailable``
    when no server takes meetings.
    """
    if room is not None and room.pk:
        open_meeting = (
            Meeting.objects.filter(room=room, ended_at__isnull=True).select_related("server").only("server").first()
        )
        if open_meeting is not None:
            return open_meeting.server
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=YOUNG_MEETING_SECONDS)
    young = Q(meetings__ended_at__isnull=True, meetings__created_at__gte=cutoff)
    candidates = list(
        servers_taking_meetings(now=now).annotate(
            young_extra=Coalesce(
                Sum(
                    Greatest(Value(YOUNG_MEETING_EXPECTED_PARTICIPANTS) - F("meetings__participant_count"), Value(0)),
                    filter=young,
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            open_count=Count("meetings", filter=Q(meetings__ended_at__isnull=True)),
        )
    )
    tag = tag.strip().lower()
    pool = [s for s in candidates if (tag in s.tag_list if tag else not s.tag_list)]
    if not pool and candidates:
        if tag and settings.SERVER_TAG_FALLBACK == "none":
            raise MeetingUnavailable(f"no healthy server in pool {tag!r}")
        if tag:
            logger.warning("no healthy server in pool %r; the meeting goes to another server", tag)
        pool = candidates
    best = min(
        pool,
        key=lambda s: ((s.load + s.young_extra) / max(s.capacity, 1), s.open_count, s.name),
        default=None,
    )
    if best is None:
        raise MeetingUnavailable("no enabled healthy server")
    return best


def servers_taking_meetings(*, now: datetime | None = None) -> QuerySet[Server]:
    """Enabled, healthy, not retired, and not within a planned maintenance or the drain time before it."""
    now = now or timezone.now()
    drain_until = now + timedelta(minutes=settings.SERVER_MAINTENANCE_DRAIN_MINUTES)
    draining = Q(maintenance_starts_at__lte=drain_until) & (
        Q(maintenance_ends_at__isnull=True) | Q(maintenance_ends_at__gt=now)
    )
    return Server.objects.filter(enabled=True, healthy=True, retired=False).exclude(draining)


@transaction.atomic
def server_retire(*, server: Server, actor: Any) -> Server:
    """Retire ``server``: no new meetings (running ones end as usual and the sync keeps watching them),
    its recordings stay listed, and deleting one still goes through this server's API (rule 5)."""
    updated = Server.objects.filter(pk=server.pk, retired=False).update(retired=True, enabled=False)
    server.refresh_from_db(fields=["retired", "enabled"])
    if updated:
        audit_log(action="server.retire", actor=actor, target=server)
    return server


# -- meetings ----------------------------------------------------------------------------------


def meeting_unavailable(server: Server, room_pk: int | None, call: str, exc: Exception) -> MeetingUnavailable:
    logger.warning("BBB %s failed on server %s (room %s): %s", call, server.name, room_pk, exc)
    return MeetingUnavailable(f"{call} failed on {server.name}: {exc}", server=server)


def meeting_join_url(
    *, meeting: Meeting, name: str, role: str = VIEWER, guest: bool = False, user_id: str | None = None
) -> str:
    """A locally signed join URL: zero BBB calls.

    It carries the meeting's ``createTime``, so it only works for this session of the room's
    meetingID: once the meeting ended and the room starts anew, bbb-web refuses it with
    ``mismatchCreateTimeParam`` (ApiController.groovy join) -- a link handed to a member since removed,
    or to a guest before the access codes changed, does not open the next meeting. Refusals land on
    our page (``errorRedirectUrl``), which explains them.
    """
    if meeting.create_time is None:  # not known yet (create answered without it): BBB then skips the check
        logger.warning("meeting %s has no createTime; its join URL is not bound to the session", meeting.pk)
    return client_for(meeting.server).join_url(
        meeting.meeting_id,
        name,
        role=role,
        guest=guest,
        user_id=user_id,
        create_time=meeting.create_time,
        error_redirect_url=returned_url(friendly_id=meeting.room.friendly_id),
    )


def meeting_end(*, meeting: Meeting, actor: Any, reason: str = "ended_by_moderator") -> Meeting:
    """End the meeting on BBB (one ``end`` call), then mark it ended and write an audit entry.

    BBB answering ``notFound`` (a successful answer: the meeting is gone already) counts as ended.
    Any other failure raises ``MeetingUnavailable`` and changes nothing.
    """
    server = meeting.server
    try:
        client_for(server).end(meeting.meeting_id)
    except BBBError as exc:
        if exc.message_key != "notFound":
            raise meeting_unavailable(server, meeting.room_id, "end", exc)
    except BBBUnavailable as exc:
        raise meeting_unavailable(server, meeting.room_id, "end", exc)
    now = timezone.now()
    with transaction.atomic():
        ended = Meeting.objects.filter(pk=meeting.pk, ended_at__isnull=True).update(
            status=Meeting.Status.ENDED, ended_at=now, end_reason=reason
        )
        if ended:
            audit_log(action="meeting.end", actor=actor, club=meeting.club, target=meeting, reason=reason)
    meeting.refresh_from_db()
    return meeting


def meeting_state(meeting: Meeting | None) -> str:
    """``none``, ``starting``, ``running``, ``ended`` or ``unknown`` (server unhealthy: rule 4)."""
    if meeting is None:
        return "none"
    if meeting.ended_at is None and not meeting.server.healthy:
        return "unknown"
    return meeting.status
