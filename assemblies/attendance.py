"""Attendance of an assembly, built from what the sync already sees: the attendees of ``getMeetings``.

Each BBB attendee is keyed by its ``userID``. We pass ``hd-<user pk>`` on every member's join
(rooms/views/rooms.py), so a member is identified by the account they joined with; guests by the
name they gave. Resolution is the sync tick's: a presence starts at the first tick that lists the
attendee and ends at the first successful tick that no longer lists them (or when the meeting ends).
A failed poll sends no signal, so it neither ends nor starts a presence.

Constant queries per tick whatever the number of attendees: assemblies of the rooms seen, their open
presences, the users named, one bulk insert, one bulk update.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from assemblies.models import Assembly, Presence
from meetings.signals import poll_applied

USER_ID_PREFIX = "hd-"
# An assembly's meeting may open early and run late; its room's meeting counts within this window.
WINDOW_BEFORE = timedelta(hours=2)
WINDOW_AFTER = timedelta(hours=8)


def member_user_id(bbb_user_id: str) -> int | None:
    if bbb_user_id.startswith(USER_ID_PREFIX) and bbb_user_id[len(USER_ID_PREFIX) :].isdigit():
        return int(bbb_user_id[len(USER_ID_PREFIX) :])
    return None


def assemblies_in_session(*, room_ids: set[int], now: datetime) -> dict[int, Assembly]:
    """room id -> the assembly with attendance that runs in that room around ``now`` (one query)."""
    found = Assembly.objects.filter(
        attendance_enabled=True,
        attendance_deleted_at__isnull=True,
        scheduled_meeting__room_id__in=room_ids,
        scheduled_meeting__cancelled_at__isnull=True,
        scheduled_meeting__start_at__lte=now + WINDOW_BEFORE,
        scheduled_meeting__end_at__gte=now - WINDOW_AFTER,
    ).select_related("scheduled_meeting")
    return {a.scheduled_meeting.room_id: a for a in found}


@receiver(poll_applied)
def attendance_apply(sender: Any, *, listed: list, ended: list, now: datetime, **kwargs: Any) -> None:
    room_ids = {m.room_id for m, _item in listed if m.room_id} | {m.room_id for m in ended if m.room_id}
    if not room_ids:
        return
    by_room = assemblies_in_session(room_ids=room_ids, now=now)
    if not by_room:
        return
    open_rows = {
        (p.assembly_id, p.bbb_user_id): p
        for p in Presence.objects.filter(assembly__in=list(by_room.values()), left_at__isnull=True)
    }
    seen: dict[tuple[int, str], Any] = {}
    for meeting, item in listed:
        assembly = by_room.get(meeting.room_id)
        if assembly is None:
            continue
        for attendee in item.attendees:
            if attendee.user_id:
                seen.setdefault((assembly.pk, attendee.user_id), attendee)
    ended_assemblies = {by_room[m.room_id].pk for m in ended if m.room_id in by_room}
    listed_assemblies = {by_room[m.room_id].pk for m, _item in listed if m.room_id in by_room}
    wanted_users = {uid for (_a, key) in seen if (uid := member_user_id(key)) is not None}
    existing_users = (
        set(get_user_model().objects.filter(pk__in=wanted_users).values_list("pk", flat=True))
        if wanted_users
        else set()
    )
    new_rows: list[Presence] = []
    changed: list[Presence] = []
    for key, attendee in seen.items():
        row = open_rows.pop(key, None)
        if row is not None:
            row.last_seen_at = now
            changed.append(row)
            continue
        uid = member_user_id(key[1])
        new_rows.append(
            Presence(
                assembly_id=key[0],
                bbb_user_id=key[1][:100],
                user_id=uid if uid in existing_users else None,
                full_name=(attendee.full_name or "")[:200],
                joined_at=now,
                last_seen_at=now,
            )
        )
    for (assembly_pk, _key), row in open_rows.items():
        # Not listed by a successful poll of a meeting we saw, or the meeting ended: gone now.
        if assembly_pk in listed_assemblies or assembly_pk in ended_assemblies:
            row.left_at = now
            changed.append(row)
    if new_rows:
        Presence.objects.bulk_create(new_rows)
    if changed:
        Presence.objects.bulk_update(changed, ["last_seen_at", "left_at"])
