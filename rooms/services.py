"""Rooms: create/update/delete rooms, start a room's meeting, and the join flow (decide, codes).

Cost rules (ARCHITECTURE rule 2): nothing here is called on a page view except the pure functions
(``room_join_decide`` compares codes; ``room_join_target`` is one query). ``meeting_start`` makes
exactly one BBB call (``create``, idempotent on BBB). Choosing a server, ending a meeting and signing
join URLs are the meetings' business (``meetings.services``).
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from bbb import BBBError, BBBUnavailable
from clubs import permissions
from clubs.audit import audit_log
from clubs.models import Club, Membership
from herzdigital.db import fetchone_prepared
from meetings.bbb_clients import client_for
from meetings.callbacks import end_callback_url, recording_ready_url, returned_url
from meetings.models import Meeting, Server
from meetings.services import (
    MODERATOR,
    VIEWER,
    meeting_end,
    meeting_join_url,
    meeting_unavailable,
    server_choose,
)
from recordings.services import recordings_delete
from rooms import access_codes, presentations, presets, quotas
from rooms.models import Room, new_access_code, new_voice_bridge

logger = logging.getLogger(__name__)

ROOM_SETTINGS = frozenset(
    {
        "name",
        "welcome_text",
        "viewer_code",
        "moderator_code",
        "waiting_room",
        "anyone_can_start",
        "all_moderators",
        "members_can_start",
        "members_only",
        "mute_on_start",
        "record",
        "max_participants",
        "show_recordings_publicly",
        "preset",
        *presets.PRESET_FIELDS,
    }
)

DURATION_MAX_MINUTES = 24 * 60
NO_MODERATOR_DELAY_MAX_MINUTES = 60


# -- rooms -------------------------------------------------------------------------------------


def _clean_settings(settings_: dict[str, Any]) -> dict[str, Any]:
    unknown = set(settings_) - ROOM_SETTINGS
    if unknown:
        raise TypeError(f"unknown room settings: {sorted(unknown)}")
    duration = settings_.get("duration")
    if duration is not None and not 1 <= duration <= DURATION_MAX_MINUTES:
        raise ValueError("duration must be 1..1440 minutes or None")
    delay = settings_.get("end_when_no_moderator_delay")
    if delay is not None and not 1 <= delay <= NO_MODERATOR_DELAY_MAX_MINUTES:
        raise ValueError("end_when_no_moderator_delay must be 1..60 minutes")
    return settings_


def _set_hosts(room: Room, hosts: Iterable[Membership] | None) -> list[int]:
    """Name the room's hosts (memberships of its club); returns the sorted membership ids."""
    if hosts is None:
        return sorted(room.hosts.values_list("pk", flat=True))
    hosts = list(hosts)
    if any(membership.club_id != room.club_id for membership in hosts):
        raise ValueError("hosts must be memberships of the room's club")
    room.hosts.set(hosts)
    room._host_membership_ids = {membership.pk for membership in hosts}
    return sorted(room._host_membership_ids)


def _free_voice_bridge() -> str:
    """A telephone PIN no other room has (the unique constraint backs this up against races)."""
    for _attempt in range(50):
        candidate = new_voice_bridge()
        if not Room.objects.filter(voice_bridge=candidate).exists():
            return candidate
    raise RuntimeError("no free voice bridge found; the 90,000 PINs are nearly used up")


@dataclass(frozen=True)
class DialIn:
    number: str
    pin: str


def room_dial_in(*, room: Room, meeting: Meeting | None = None) -> DialIn | None:
    """The telephone number and PIN to show for ``room``, or None when no dial-in is configured.

    The PIN is the room's static voice bridge. The number belongs to a server: while a meeting runs,
    its server's; otherwise the number every enabled server with dial-in shares (one query). With
    servers of different numbers and no running meeting, nothing is promised.
    """
    if meeting is not None and meeting.ended_at is None:
        number = meeting.server.dial_number
    else:
        numbers = set(Server.objects.filter(enabled=True).exclude(dial_number="").values_list("dial_number", flat=True))
        number = numbers.pop() if len(numbers) == 1 else ""
    return DialIn(number=number, pin=room.voice_bridge) if number else None


@transaction.atomic
def room_create(*, club: Club, actor: Any, hosts: Iterable[Membership] | None = None, **settings_: Any) -> Room:
    """A new room of ``club``; settings not given come from the club's defaults.

    ``hosts`` are the members named to moderate the room (owners and admins always do).
    """
    _clean_settings(settings_)
    # Lock the club row so that two admins cannot both create the last allowed room.
    club = Club.objects.select_for_update().get(pk=club.pk)
    quotas.check_room_quota(club=club)
    values = {
        "mute_on_start": club.default_mute_on_start,
        "waiting_room": club.default_waiting_room,
        "anyone_can_start": club.default_anyone_can_start,
        "record": club.default_record and club.recording_allowed,
        **settings_,
    }
    quotas.check_room_settings(club=club, settings=values)
    room = Room.objects.create(
        club=club,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        voice_bridge=_free_voice_bridge(),
        **values,
    )
    host_ids = _set_hosts(room, hosts) if hosts is not None else []
    audit_log(action="room.create", actor=actor, club=club, target=room, details={"hosts": host_ids})
    return room


@transaction.atomic
def room_update(*, room: Room, actor: Any, hosts: Iterable[Membership] | None = None, **settings_: Any) -> Room:
    _clean_settings(settings_)
    quotas.check_room_settings(club=room.club, settings=settings_)
    changed = sorted(name for name, value in settings_.items() if getattr(room, name) != value)
    for name, value in settings_.items():
        setattr(room, name, value)
    room.save()
    before = sorted(room.hosts.values_list("pk", flat=True))
    if hosts is not None and _set_hosts(room, hosts) != before:
        changed.append("hosts")
    # Codes are secrets: the audit entry names the changed fields, never their values.
    audit_log(action="room.update", actor=actor, club=room.club, target=room, details={"changed": changed})
    return room


@transaction.atomic
def room_regenerate_codes(*, room: Room, actor: Any, viewer: bool = False, moderator: bool = False) -> Room:
    """Give the room fresh random access codes (old ones stop working at once)."""
    fields = []
    if viewer:
        room.viewer_code = new_access_code()
        fields.append("viewer_code")
    if moderator:
        room.moderator_code = new_access_code()
        while room.moderator_code == room.viewer_code:
            room.moderator_code = new_access_code()
        fields.append("moderator_code")
    if fields:
        room.save(update_fields=[*fields, "updated_at"])
        audit_log(action="room.regenerate_codes", actor=actor, club=room.club, target=room, details={"codes": fields})
        access_codes.access_codes_reset(room=room, actor=actor, reason="codes")
    return room


@transaction.atomic
def room_remove_codes(*, room: Room, actor: Any) -> Room:
    room.viewer_code = room.moderator_code = ""
    room.save(update_fields=["viewer_code", "moderator_code", "updated_at"])
    audit_log(action="room.remove_codes", actor=actor, club=room.club, target=room)
    access_codes.access_codes_reset(room=room, actor=actor, reason="codes")
    return room


def room_delete(*, room: Room, actor: Any, recordings: Literal["keep", "delete"]) -> None:
    """Delete a room: end its open meeting on BBB first, then deal with its recordings.

    ``keep``: the recordings stay with the club (their room link becomes empty, FK SET_NULL).
    ``delete``: the recordings service deletes them (on BBB first, rule 5).
    If BBB cannot end the meeting, ``MeetingUnavailable`` is raised and the room stays.
    """
    if recordings not in ("keep", "delete"):
        raise ValueError("recordings must be 'keep' or 'delete'")
    open_meeting = room.meetings.filter(ended_at__isnull=True).select_related("server").first()
    if open_meeting is not None:
        meeting_end(meeting=open_meeting, actor=actor, reason="room_deleted")
    with transaction.atomic():
        recording_count = room.recordings.count()
        if recordings == "delete" and recording_count:
            # Deleted on BBB first (rule 5); any recording BBB did not confirm stays with the club.
            recordings_delete(recordings=list(room.recordings.all()), actor=actor, reason="room_deleted")
        audit_log(
            action="room.delete",
            actor=actor,
            club=room.club,
            target=room,
            details={"recordings": recordings, "recording_count": recording_count},
        )
        room.delete()


# -- meetings ----------------------------------------------------------------------------------


def _create_params(
    *, room: Room, meeting: Meeting, server: Server, refusal: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    record = meeting.record
    params: dict[str, Any] = {
        "record": record,
        "autoStartRecording": False,
        "allowStartStopRecording": record,
        "muteOnStart": room.mute_on_start,
        "guestPolicy": "ASK_MODERATOR" if room.waiting_room else "ALWAYS_ACCEPT",
        "maxParticipants": quotas.effective_max_participants(room),
        # Leaving, and refused joins whose URL had no errorRedirectUrl, land on our page (bbb-web
        # ApiController.groovy respondWithRedirect falls back to the meeting's logoutURL).
        "logoutURL": returned_url(friendly_id=room.friendly_id),
    }
    # Lock settings apply to viewers from the moment they join (lockSettingsLockOnJoin defaults to
    # true); names from bbb-common-web ApiParams.java (lockSettingsDisableNotes since 2.6).
    params.update(
        {
            "lockSettingsDisableCam": room.lock_disable_cam,
            "lockSettingsDisableMic": room.lock_disable_mic,
            "lockSettingsDisablePrivateChat": room.lock_disable_private_chat,
            "lockSettingsDisablePublicChat": room.lock_disable_public_chat,
            "lockSettingsDisableNotes": room.lock_disable_notes,
            "lockSettingsHideUserList": room.lock_hide_user_list,
            "webcamsOnlyForModerator": room.webcams_only_for_moderator,
            "endWhenNoModerator": room.end_when_no_moderator,
        }
    )
    if room.end_when_no_moderator:
        params["endWhenNoModeratorDelayInMinutes"] = room.end_when_no_moderator_delay
    # A static PIN per room (unique across the service), so invitations can print it in advance.
    params["voiceBridge"] = room.voice_bridge
    if server.dial_number:
        params["dialNumber"] = server.dial_number
    if room.duration:
        params["duration"] = room.duration
    # The reason a wanted recording was refused (storage full) greets everybody in the meeting's chat.
    welcome = "\n\n".join(text for text in (refusal, room.welcome_text) if text)
    if welcome:
        params["welcome"] = welcome
    meta = {
        "bbb-origin": "herzdigital",
        "bbb-origin-server-name": urlsplit(settings.SITE_URL).hostname or "",
        "herzdigital-club-id": str(room.club_id),
        "herzdigital-room-id": str(room.pk),
        "herzdigital-meeting-id": str(meeting.pk),
        "endCallbackUrl": end_callback_url(meeting_pk=meeting.pk),
        "bbb-recording-ready-url": recording_ready_url(server_pk=server.pk),
    }
    return params, meta


def meeting_start(
    *,
    room: Room,
    actor: Any = None,
    display_name: str,
    role: str = MODERATOR,
    guest: bool = False,
    user_id: str | None = None,
) -> str:
    """Start (or re-confirm) the room's meeting and return a join URL for the starter.

    Three steps, so that no row lock is held during the BBB call (up to connect + read timeout):
    1. under the room lock (and, for a new meeting, the club lock guarding the concurrency quota)
       reserve: find the open Meeting or create one (status starting) and commit;
    2. ``create`` on its server, outside any transaction (BBB answers a repeat with a duplicate
       warning, so two starters of one room may both send it);
    3. commit the result with a conditional update.
    Two people pressing start at once produce one Meeting: the second waits only for the short
    reservation, then finds the reserved meeting. The unique constraint ``one_open_meeting_per_room``
    backs this up. Exactly one BBB call (``create``). If it fails, a reservation made by this call is
    removed again, so no Meeting row is left behind. The starter joins as moderator by default; the
    public join flow passes the role its access code grants.
    """
    try:
        room, meeting, reserved = _meeting_reserve(room=room, actor=actor)
    except IntegrityError:
        # Only reachable if a database without row locks let two starts through at once: the
        # constraint refused the second Meeting, so the first one stands; join it.
        meeting = Meeting.objects.select_related("server", "room").get(room=room, ended_at__isnull=True)
        return meeting_join_url(meeting=meeting, name=display_name, role=role, guest=guest, user_id=user_id)
    # A full storage quota refuses new recordings: the meeting runs with record=false and says why.
    refusal = "" if meeting.record else quotas.recording_refusal(room)
    server = meeting.server
    params, meta = _create_params(room=room, meeting=meeting, server=server, refusal=refusal)
    documents = [(d.url, d.filename, d.current) for d in presentations.presentations_for_create(room=room)]
    try:
        result = client_for(server).create(
            room.meeting_id, room.name, params=params, meta=meta, documents=documents or None
        )
    except (BBBUnavailable, BBBError) as exc:
        if reserved:
            # Nobody has seen this meeting on BBB (no internal id yet): take the reservation back.
            Meeting.objects.filter(pk=meeting.pk, internal_meeting_id="").delete()
        raise meeting_unavailable(server, room.pk, "create", exc)
    # A new internal id means BBB had forgotten the meeting (it ended between two syncs) and
    # created it afresh: the open row now describes the new session. Conditional on the id we read,
    # so that a concurrent start or sync that already wrote it is not overwritten.
    if result.internal_meeting_id != meeting.internal_meeting_id:
        Meeting.objects.filter(pk=meeting.pk, internal_meeting_id=meeting.internal_meeting_id).update(
            internal_meeting_id=result.internal_meeting_id,
            create_time=result.create_time,
            status=Meeting.Status.STARTING,
        )
        meeting.internal_meeting_id = result.internal_meeting_id
        meeting.create_time = result.create_time  # the join URL is bound to this session's createTime
        logger.info("meeting %s of room %s created on %s", meeting.pk, room.pk, server.name)
    meeting.room = room
    return meeting_join_url(meeting=meeting, name=display_name, role=role, guest=guest, user_id=user_id)


@transaction.atomic
def _meeting_reserve(*, room: Room, actor: Any) -> tuple[Room, Meeting, bool]:
    """The room's open meeting, or a new one reserved for it; ``(room, meeting, reserved_now)``."""
    room = Room.objects.select_for_update(of=("self",)).select_related("club").get(pk=room.pk)
    meeting = Meeting.objects.select_related("server").filter(room=room, ended_at__isnull=True).first()
    if meeting is not None:
        return room, meeting, False
    # Starts of different rooms of one club wait for each other here, so that two of them cannot
    # both pass the concurrency quota (lock order: room, then club).
    Club.objects.select_for_update().filter(pk=room.club_id).values_list("pk", flat=True).first()
    quotas.check_concurrent_meetings(club=room.club)
    meeting = Meeting.objects.create(
        room=room,
        club=room.club,
        server=server_choose(tag=room.server_tag),
        meeting_id=room.meeting_id,
        record=quotas.records(room) and not quotas.recording_refusal(room),
        status=Meeting.Status.STARTING,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return room, meeting, True


# -- join --------------------------------------------------------------------------------------

_JOIN_SQL: str | None = None


def _join_sql() -> str:
    """The join lookup as plain SQL (table names from the models), built once per process."""
    global _JOIN_SQL
    if _JOIN_SQL is None:
        q = connection.ops.quote_name
        room, club, meeting, server = (m._meta.db_table for m in (Room, Club, Meeting, Server))
        # Only quoted table names from our own models are interpolated; values are parameters.
        _JOIN_SQL = (
            "SELECT r.id, r.club_id, r.meeting_id, r.viewer_code, r.moderator_code, r.waiting_room,"  # noqa: S608
            " r.all_moderators, r.anyone_can_start, r.members_can_start, r.members_only, r.record,"
            " c.recording_allowed, m.id, m.status,"
            " m.create_time,"
            " s.id, s.api_url, s.secret, s.checksum_algorithm, s.healthy"
            f" FROM {q(room)} r INNER JOIN {q(club)} c ON c.id = r.club_id"
            f" LEFT JOIN {q(meeting)} m ON m.room_id = r.id AND m.ended_at IS NULL"
            f" LEFT JOIN {q(server)} s ON s.id = m.server_id"
            " WHERE r.friendly_id = %s AND c.status = %s"
        )
    return _JOIN_SQL


def room_join_target(*, friendly_id: str) -> tuple[Room, Meeting | None] | None:
    """The public room and its open meeting for the join view, in ONE lean query.

    Joining a running meeting is the hottest path of the site (a whole club clicking the link at
    19:00). Building the equivalent ORM query costs more than running it, so this one lookup is
    plain SQL (the room's open meeting is unique by ``one_open_meeting_per_room``). Measured with
    ``bench/join.py --compare-orm`` (one run, 2026-12-03, 200 guests x 5 rounds x 3 alternating
    repeats, 2 gunicorn workers x 4 threads on a shared 2-core machine): on PostgreSQL + Redis this
    lookup 587 join rps (p50 323 ms, 1903 CPU us/request) against 297 rps (p50 550 ms, 3003 us) for
    the same view with the ORM (``select_related("room", "server")`` + ``only(...)``): +97 %; on
    SQLite 624 against 391 rps, +59 %. Far above the 15 % that would keep it; so it stays.
    On PostgreSQL it is a prepared statement (``herzdigital.db.fetchone_prepared``): planned once per
    connection, not on every join. The instances returned are partial: enough for
    ``room_join_decide``, ``meeting_join_url`` and links, not for saving or rendering. None when the
    room does not exist or its club is inactive.
    """
    row = fetchone_prepared(_join_sql(), [friendly_id, Club.Status.ACTIVE.value])
    if row is None:
        return None
    room_pk, club_pk, meeting_id, viewer_code, moderator_code, waiting_room, all_moderators, anyone_can_start = row[:8]
    members_can_start, members_only, record, recording_allowed = row[8:12]
    room = _partial(
        Room,
        id=room_pk,
        club_id=club_pk,
        friendly_id=friendly_id,
        meeting_id=meeting_id,
        viewer_code=viewer_code,
        moderator_code=moderator_code,
        waiting_room=bool(waiting_room),  # SQLite answers 0/1
        all_moderators=bool(all_moderators),
        anyone_can_start=bool(anyone_can_start),
        members_can_start=bool(members_can_start),
        members_only=bool(members_only),
        record=bool(record),
    )
    # Enough of the club for quotas.records(room): whether the join needs the recording consent.
    room.club = _partial(Club, id=club_pk, recording_allowed=bool(recording_allowed))
    meeting_pk, status, create_time, server_pk, api_url, secret, algorithm, healthy = row[12:]
    if meeting_pk is None:
        return room, None
    server = _partial(
        Server, id=server_pk, api_url=api_url, secret=secret, checksum_algorithm=algorithm, healthy=bool(healthy)
    )
    if create_time is not None and connection.vendor == "sqlite":  # raw SQL skips the ORM's UTC conversion
        create_time = connection.ops.convert_datetimefield_value(create_time, None, connection)
    meeting = _partial(
        Meeting,
        id=meeting_pk,
        status=status,
        create_time=create_time,
        room_id=room_pk,
        meeting_id=meeting_id,
        server_id=server_pk,
    )
    meeting.room, meeting.server = room, server
    return room, meeting


def _partial(model: type[Model], **values: Any) -> Any:
    """An instance as loaded from the database with only ``values``; other fields are deferred.

    Built the way unpickling builds one (``__dict__`` and a loaded ``_state``), not through
    ``from_db``/``__init__``, which walk every one of the model's 20-30 fields and cost a quarter of
    this lookup's Python. A deferred field loads on access as usual; none of these models has
    init signals (no image fields, no pre_init/post_init receivers).
    """
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance.__dict__.update(values)
    return instance


@dataclass(frozen=True)
class JoinDecision:
    role: str
    guest: bool


def _same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def room_join_decide(
    *, room: Room, code: str = "", is_member: bool = False, is_host: bool = False
) -> JoinDecision | None:
    """Role and guest flag for a person joining ``room``; ``None`` when the access code is wrong.

    Club members need no code and never wait in the lobby; hosts join as moderators, other members
    as viewers unless the room says everyone moderates. The moderator code grants moderator. With a
    viewer code set, guests must give it (or the moderator code). Without one, guests leave the
    field empty; a non-empty code that matches nothing is wrong. The waiting room puts everybody
    but members and moderator-code holders in BBB's lobby (``guest=true``).
    """
    if is_member:
        return JoinDecision(role=MODERATOR if is_host or room.all_moderators else VIEWER, guest=False)
    code = code.strip()
    if _same(code, room.moderator_code):
        return JoinDecision(role=MODERATOR, guest=False)
    if room.viewer_code:
        if not _same(code, room.viewer_code):
            return None
    elif code:
        return None
    return JoinDecision(role=MODERATOR if room.all_moderators else VIEWER, guest=room.waiting_room)


def room_join_enter(
    *,
    room: Room,
    meeting: Meeting | None,
    actor: Any,
    name: str,
    decision: JoinDecision,
    may_start: bool,
    user_id: str | None,
) -> str | None:
    """Where a person admitted to ``room`` goes: the URL to redirect to, or None to wait.

    The open meeting: its locally signed join URL (zero BBB calls). No open meeting: a start when
    the person may start it (one ``create``; raises ``QuotaExceeded`` or ``MeetingUnavailable``),
    else None: they wait on the waiting page until someone starts it.
    """
    if meeting is not None:
        return meeting_join_url(meeting=meeting, name=name, role=decision.role, guest=decision.guest, user_id=user_id)
    if not may_start:
        return None
    return meeting_start(
        room=room, actor=actor, display_name=name, role=decision.role, guest=decision.guest, user_id=user_id
    )


def room_membership(*, room: Room, user: Any) -> Membership | None:
    """The user's membership in the room's club (None for guests), with the club loaded."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.select_related("club").filter(club_id=room.club_id, user=user).first()


def member_join_decision(*, room: Room, membership: Membership) -> JoinDecision:
    return room_join_decide(room=room, is_member=True, is_host=permissions.is_room_host(membership, room))


def display_name_for(user: Any) -> str:
    return (getattr(user, "name", "") or user.email).strip()


def consent_missing(*, room: Room, given: Any) -> bool:
    """A room that may record lets nobody in before they confirmed the notice (checked here, not in HTML)."""
    return quotas.records(room) and given not in ("1", "on", True)


def consent_message() -> str:
    return _("Bitte bestätigen Sie den Hinweis zur Aufzeichnung, um teilzunehmen.")


def quota_message(exc: quotas.QuotaExceeded) -> str:
    return exc.message or _("Das ist mit den Vorgaben Ihres Vereins nicht möglich.")


def friendly_id_normalise(*, friendly_id: str) -> str:
    """The room id as we store it, from how people type it: "KXM PQT WZB FHD", " kxm-pqt-wzb-fhd ", "kxmpqtwzbfhd"."""
    value = re.sub(r"[\s_.\-–]+", "-", friendly_id.strip().lower()).strip("-")
    if "-" not in value and len(value) == 12:
        value = "-".join(value[i : i + 3] for i in range(0, 12, 3))
    return value
