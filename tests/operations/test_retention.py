"""Retention of personal data: unverified accounts, expired invitations, meeting names, audit log, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from clubs.models import AuditEntry, Club, Invitation, Role
from meetings.models import Meeting
from operations.retention import personal_data_purge
from tests.factories import ClubFactory, MeetingFactory, MembershipFactory, UserFactory


@pytest.fixture
def old_data(db, settings):
    """One item past each retention and one just within it."""
    settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS = 30
    settings.RETENTION_INVITATION_DAYS = 90
    settings.RETENTION_MEETING_NAMES_DAYS = 90
    settings.RETENTION_AUDIT_DAYS = 730
    now = timezone.now()
    data = {}
    # Accounts: an applicant who never confirmed (with the pending club only they belong to), a recent one,
    # an old verified one, and an unverified one who is the only owner of an active club.
    data["stale"] = UserFactory(verified=False, email="nie@example.org")
    data["stale_club"] = ClubFactory(name="Nie bestätigt", status=Club.Status.PENDING)
    MembershipFactory(club=data["stale_club"], user=data["stale"], role=Role.OWNER)
    data["fresh"] = UserFactory(verified=False)
    data["verified"] = UserFactory()
    data["owner"] = UserFactory(verified=False)
    data["active_club"] = ClubFactory(name="Aktiv")
    MembershipFactory(club=data["active_club"], user=data["owner"], role=Role.OWNER)
    User.objects.filter(pk__in=[data["stale"].pk, data["verified"].pk, data["owner"].pk]).update(
        date_joined=now - timedelta(days=31)
    )
    User.objects.filter(pk=data["fresh"].pk).update(date_joined=now - timedelta(days=29))
    club = data["active_club"]
    # Invitations.
    data["expired"] = Invitation.objects.create(club=club, email="a@example.org", expires_at=now - timedelta(days=91))
    data["revoked"] = Invitation.objects.create(
        club=club, email="b@example.org", expires_at=now + timedelta(days=9), revoked_at=now - timedelta(days=91)
    )
    data["recent"] = Invitation.objects.create(club=club, email="c@example.org", expires_at=now - timedelta(days=89))
    data["accepted"] = Invitation.objects.create(
        club=club, email="d@example.org", expires_at=now - timedelta(days=400), accepted_at=now - timedelta(days=401)
    )
    # Meetings.
    starter = data["verified"]
    data["old_meeting"] = MeetingFactory(
        started_by=starter, ended_at=now - timedelta(days=91), peak_participants=17, participant_seconds=3600
    )
    data["new_meeting"] = MeetingFactory(started_by=starter, ended_at=now - timedelta(days=89))
    data["open_meeting"] = MeetingFactory(started_by=starter)
    # Audit log.
    old_entry = AuditEntry.objects.create(action="room.create", actor_label="x")
    AuditEntry.objects.filter(pk=old_entry.pk).update(created_at=now - timedelta(days=731))
    data["old_entry"] = old_entry
    data["audit_before"] = AuditEntry.objects.count()
    # Sessions.
    expired, live = SessionStore(), SessionStore()
    expired["rooms:join:1"] = {"name": "Gast Müller"}
    expired.create()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=now - timedelta(seconds=1))
    data["live_session"] = live.session_key
    return data


def test_dry_run_counts_everything_and_changes_nothing(old_data):
    report = personal_data_purge(dry_run=True)
    assert report.counts == {
        "unverified_accounts": 1,  # the applicant; the unverified owner of an active club is skipped
        "invitations": 2,
        "meeting_names": 1,
        "audit_entries": 1,
        "sessions": 1,
    }
    assert User.objects.filter(pk=old_data["stale"].pk).exists()
    assert Invitation.objects.count() == 4
    assert Meeting.objects.filter(started_by__isnull=False).count() == 3
    assert AuditEntry.objects.count() == old_data["audit_before"]
    assert Session.objects.count() == 2
    assert report.skipped == [f"account {old_data['owner'].pk} (only owner of a club)"]
    assert report.summary().startswith("would purge: unverified_accounts 1, invitations 2")


def test_purge_applies_every_retention(old_data):
    report = personal_data_purge(dry_run=False)

    assert not User.objects.filter(pk=old_data["stale"].pk).exists()
    assert not Club.objects.filter(pk=old_data["stale_club"].pk).exists()
    assert User.objects.filter(pk__in=[old_data["fresh"].pk, old_data["verified"].pk]).count() == 2
    # Still the only owner of a club in use: a person decides.
    assert User.objects.filter(pk=old_data["owner"].pk).exists()
    assert report.skipped == [f"account {old_data['owner'].pk} (only owner of a club)"]

    assert set(Invitation.objects.values_list("email", flat=True)) == {"c@example.org", "d@example.org"}

    old = Meeting.objects.get(pk=old_data["old_meeting"].pk)
    assert old.started_by is None
    assert (old.peak_participants, old.participant_seconds) == (17, 3600)  # the counts stay
    assert Meeting.objects.get(pk=old_data["new_meeting"].pk).started_by == old_data["verified"]
    assert Meeting.objects.get(pk=old_data["open_meeting"].pk).started_by == old_data["verified"]

    assert not AuditEntry.objects.filter(pk=old_data["old_entry"].pk).exists()
    assert AuditEntry.objects.filter(action="club.application_expired").count() == 1
    assert AuditEntry.objects.filter(action="account.deleted").count() == 1

    assert list(Session.objects.values_list("session_key", flat=True)) == [old_data["live_session"]]
    assert report.counts["unverified_accounts"] == 1

    # Twice: nothing left to do.
    again = personal_data_purge(dry_run=False)
    assert again.counts == {
        "unverified_accounts": 0,
        "invitations": 0,
        "meeting_names": 0,
        "audit_entries": 0,
        "sessions": 0,
    }


def test_zero_days_keeps_a_kind_forever(old_data, settings):
    settings.RETENTION_AUDIT_DAYS = 0
    settings.RETENTION_MEETING_NAMES_DAYS = 0
    report = personal_data_purge(dry_run=False)
    assert report.kept_forever == ["meeting_names", "audit_entries"]
    assert AuditEntry.objects.filter(pk=old_data["old_entry"].pk).exists()
    assert Meeting.objects.filter(started_by__isnull=False).count() == 3
    assert "kept forever: meeting_names, audit_entries" in report.summary()


def test_the_defaults_are_cautious():
    from django.conf import settings

    from herzdigital import settings as module

    assert module.RETENTION_UNVERIFIED_ACCOUNT_DAYS == 30
    assert module.RETENTION_INVITATION_DAYS == 90
    assert module.RETENTION_MEETING_NAMES_DAYS == 90
    assert module.RETENTION_AUDIT_DAYS == 730
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def test_command_dry_run_prints_the_plan(old_data, capsys):
    call_command("purge_personal_data", "--dry-run")
    out = capsys.readouterr().out
    assert "would purge: unverified_accounts 1, invitations 2, meeting_names 1, audit_entries 1, sessions 1" in out
    assert User.objects.filter(pk=old_data["stale"].pk).exists()
