"""Attendance from the sync: presence intervals keyed by BBB's userID, members by account, guests by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assemblies import attendance, services
from assemblies.models import Assembly, Presence
from bbb.types import Attendee
from tests.factories import MeetingFactory, ServerFactory

pytestmark = pytest.mark.django_db


def attendee(user_id: str, name: str) -> Attendee:
    return Attendee(
        user_id=user_id,
        full_name=name,
        role="VIEWER",
        is_presenter=False,
        is_listening_only=False,
        has_joined_voice=False,
        has_video=False,
        client_type="HTML5",
    )


class Listed:
    """What the sync hands on for one meeting of a successful poll: its attendees."""

    def __init__(self, attendees: list[Attendee]) -> None:
        self.attendees = attendees


def in_session(assembly: Assembly):
    """The assembly runs now, and its room's meeting with it."""
    scheduled = assembly.scheduled_meeting
    now = timezone.now()
    scheduled.start_at, scheduled.end_at = now - timedelta(minutes=5), now + timedelta(hours=2)
    scheduled.save()
    return MeetingFactory(room=scheduled.room, server=ServerFactory())


def test_sync_builds_presence_intervals_keyed_by_bbb_user_id(personas, assembly):
    meeting = in_session(assembly)
    t0 = timezone.now()
    member = attendee(f"hd-{personas.member.pk}", "Mia Mitglied")
    guest = attendee("w_abc", "Gast Gerd")
    attendance.attendance_apply(None, listed=[(meeting, Listed([member, guest]))], ended=[], now=t0)
    attendance.attendance_apply(None, listed=[(meeting, Listed([member]))], ended=[], now=t0 + timedelta(seconds=30))
    rows = {p.bbb_user_id: p for p in Presence.objects.filter(assembly=assembly)}
    assert rows[member.user_id].user == personas.member and rows[member.user_id].left_at is None
    assert rows[member.user_id].last_seen_at == t0 + timedelta(seconds=30)
    assert rows["w_abc"].user is None and rows["w_abc"].left_at == t0 + timedelta(seconds=30)
    assert services.quorum_now(assembly=assembly).present == 1
    # Coming back opens a second interval; the meeting's end closes every open one.
    attendance.attendance_apply(
        None, listed=[(meeting, Listed([member, guest]))], ended=[], now=t0 + timedelta(seconds=60)
    )
    attendance.attendance_apply(None, listed=[], ended=[meeting], now=t0 + timedelta(seconds=90))
    assert Presence.objects.filter(assembly=assembly, bbb_user_id="w_abc").count() == 2
    assert not Presence.objects.filter(assembly=assembly, left_at__isnull=True).exists()


def test_attendance_is_not_recorded_when_the_assembly_did_not_opt_in(personas, assembly):
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=False)
    meeting = in_session(assembly)
    attendance.attendance_apply(None, listed=[(meeting, Listed([attendee("hd-1", "X")]))], ended=[], now=timezone.now())
    assert not Presence.objects.exists()
