"""Attendance is deleted after the club's retention; the votes and their results stay with the record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assemblies import services
from assemblies.models import Motion, Presence
from tests.factories import PresenceFactory

pytestmark = pytest.mark.django_db


def test_retention_deletes_attendance_after_the_club_period_and_keeps_votes(assembly, closed_vote):
    PresenceFactory(assembly=assembly)
    motion = closed_vote(assembly)
    end = assembly.scheduled_meeting.end_at
    assert services.attendance_cleanup(now=end + timedelta(days=89)) == 0
    assert Presence.objects.exists()
    assert services.attendance_cleanup(now=end + timedelta(days=91)) == 1
    assert not Presence.objects.exists()
    assert Motion.objects.get(pk=motion.pk).state == Motion.State.CLOSED
    assembly.refresh_from_db()
    assert assembly.attendance_deleted_at is not None
    assert services.attendance_cleanup(now=end + timedelta(days=200)) == 0  # idempotent


def test_retention_follows_the_club_setting(assembly, set_rules):
    set_rules(attendance_retention_days=10)
    PresenceFactory(assembly=assembly)
    end = assembly.scheduled_meeting.end_at
    assert services.attendance_cleanup(now=end + timedelta(days=9)) == 0
    assert services.attendance_cleanup(now=end + timedelta(days=11)) == 1
