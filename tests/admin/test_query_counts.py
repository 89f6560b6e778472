"""Every admin changelist and change page costs the same number of queries with 1 and with 100 rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clubs.audit import audit_log
from clubs.models import Club, Invitation, Membership, Role
from tests.factories import (
    ClubFactory,
    MeetingFactory,
    MembershipFactory,
    RecordingFactory,
    RoomFactory,
    ServerFactory,
    UserFactory,
)


def _users(n: int, staff) -> object:
    users = UserFactory.create_batch(n)
    for club in ClubFactory.create_batch(n):
        MembershipFactory(club=club, user=users[0], role=Role.ADMIN)
    return users[0]


def _groups(n: int, staff) -> object:
    permissions = list(Permission.objects.all()[:5])
    groups = [Group.objects.create(name=f"Gruppe {i}") for i in range(n)]
    for group in groups:
        group.permissions.set(permissions)
    return groups[0]


def _email_addresses(n: int, staff) -> object:
    return UserFactory.create_batch(n)[0].emailaddress_set.get()


def _authenticators(n: int, staff) -> object:
    return [TOTP.activate(user, generate_totp_secret()).instance for user in UserFactory.create_batch(n)][0]


def _clubs(n: int, staff) -> object:
    clubs = ClubFactory.create_batch(n)
    club = clubs[0]
    MembershipFactory.create_batch(n, club=club)
    server = ServerFactory()
    for room in RoomFactory.create_batch(n, club=club):
        meeting = MeetingFactory(room=room, server=server, ended_at=timezone.now())
        RecordingFactory(room=room, server=server, meeting=meeting, size_bytes=10_000_000)
    return club


def _applications(n: int, staff) -> object:
    clubs = ClubFactory.create_batch(n, status=Club.Status.PENDING, approved_at=None)
    for club in clubs:
        MembershipFactory(club=club, role=Role.OWNER)
    return clubs[0]


def _memberships(n: int, staff) -> object:
    return MembershipFactory.create_batch(n)[0]


def _invitations(n: int, staff) -> object:
    club = ClubFactory()
    invitations = [
        Invitation.objects.create(
            club=club, email=f"gast{i}@example.org", invited_by=staff, expires_at=timezone.now() + timedelta(days=7)
        )
        for i in range(n)
    ]
    return invitations[0]


def _audit_entries(n: int, staff) -> object:
    club = ClubFactory()
    return [
        audit_log(action="club.approve", actor=staff, club=club, target=club, reason=f"Grund {i}") for i in range(n)
    ][0]


def _servers(n: int, staff) -> object:
    return ServerFactory.create_batch(n)[0]


def _rooms(n: int, staff) -> object:
    club = ClubFactory()
    rooms = RoomFactory.create_batch(n, club=club, created_by=staff)
    server = ServerFactory()
    for room in rooms:
        MeetingFactory(room=room, server=server)
    return rooms[0]


def _meetings(n: int, staff) -> object:
    server = ServerFactory()
    meetings = [MeetingFactory(server=server, started_by=staff) for _ in range(n)]
    for meeting in meetings[: n // 2]:
        meeting.ended_at = timezone.now()
        meeting.save()
    return meetings[0]


def _recordings(n: int, staff) -> object:
    server = ServerFactory()
    recordings = []
    for i in range(n):
        meeting = MeetingFactory(server=server, ended_at=timezone.now())
        recordings.append(
            RecordingFactory(room=meeting.room, meeting=meeting, server=server, protected=i % 2 == 0, size_bytes=i)
        )
    return recordings[0]


def _scheduled_meetings(n: int, staff) -> object:
    from events.models import Invitee, ReminderLog, ScheduledMeeting

    room = RoomFactory()
    start = timezone.now() + timedelta(days=3)
    meetings = [
        ScheduledMeeting.objects.create(
            club=room.club, room=room, title=f"Sitzung {i}", start_at=start, end_at=start + timedelta(hours=1)
        )
        for i in range(n)
    ]
    for i, user in enumerate(UserFactory.create_batch(n)):
        Invitee.objects.create(scheduled_meeting=meetings[0], email=user.email, user=user)
        ReminderLog.objects.create(
            scheduled_meeting=meetings[0], occurrence_start=start + timedelta(days=7 * i), kind="24h", claimed_at=start
        )
    return meetings[0]


def _maintenance_notices(n: int, staff) -> object:
    from operations.models import MaintenanceNotice

    start = timezone.now()
    return [
        MaintenanceNotice.objects.create(
            text=f"Wartung {i}", shows_from=start + timedelta(days=i), shows_until=start + timedelta(days=i, hours=2)
        )
        for i in range(n)
    ][0]


def _cleanup_runs(n: int, staff) -> object:
    from recordings.models import CleanupRun

    runs = [CleanupRun.objects.create(outcome=CleanupRun.Outcome.DONE, message=f"run {i}") for i in range(n)]
    return runs[0]


BUILDERS: dict[str, Callable[[int, object], object]] = {
    "operations.maintenancenotice": _maintenance_notices,
    "events.scheduledmeeting": _scheduled_meetings,
    "accounts.user": _users,
    "auth.group": _groups,
    "account.emailaddress": _email_addresses,
    "mfa.authenticator": _authenticators,
    "clubs.club": _clubs,
    "clubs.clubapplication": _applications,
    "clubs.membership": _memberships,
    "clubs.invitation": _invitations,
    "clubs.auditentry": _audit_entries,
    "meetings.server": _servers,
    "rooms.room": _rooms,
    "meetings.meeting": _meetings,
    "recordings.recording": _recordings,
    "recordings.cleanuprun": _cleanup_runs,
}

# Models with a fixed set of rows (no "100 rows" size exists); their admin is tested in their own area.
FIXED_ROWS = {"pages.legalpage": "three legal pages, seeded; tests/ui/test_legal.py"}

REGISTERED = sorted(
    model._meta.label_lower for model in admin.site._registry if model._meta.label_lower not in FIXED_ROWS
)


def test_every_registered_model_has_a_builder_here():
    assert set(REGISTERED) - set(BUILDERS) == set(), "add a builder for the new admin model"


def _queries(client, url: str) -> int:
    client.get(url)  # warm process-wide caches (content types, site) so that only the page is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _page_costs(staff_client, staff, label: str, size: int) -> tuple[int, int, int]:
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    obj = BUILDERS[label](size, staff)
    info = (model._meta.app_label, model._meta.model_name)
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    response = staff_client.get(changelist)
    rows = response.context["cl"].result_count
    assert rows >= size, (label, rows)
    return _queries(staff_client, changelist), _queries(staff_client, change), rows


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_pages_cost_the_same_number_of_queries_with_1_and_100_rows(label, staff, staff_client):
    one = _page_costs(staff_client, staff, label, 1)
    _wipe(staff)  # start the large size from an empty database (apart from the staff user)
    hundred = _page_costs(staff_client, staff, label, 100)
    assert hundred[2] >= 100
    assert hundred[0] == one[0], f"{label} changelist: {one[0]} queries with 1 row, {hundred[0]} with 100"
    assert hundred[1] == one[1], f"{label} change page: {one[1]} queries with 1 row, {hundred[1]} with 100"


def _wipe(staff) -> None:
    from allauth.mfa.models import Authenticator

    from accounts.models import User
    from clubs.models import AuditEntry
    from events.models import ScheduledMeeting
    from meetings.models import Meeting, Server
    from recordings.models import Recording
    from rooms.models import Room

    ScheduledMeeting.objects.all().delete()
    for model in (Recording, Meeting, Room, Server, AuditEntry, Invitation, Membership, Club, Group):
        model.objects.all().delete()
    Authenticator.objects.exclude(user=staff).delete()
    User.objects.exclude(pk=staff.pk).delete()
