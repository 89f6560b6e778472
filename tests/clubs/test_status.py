"""Approve, reject, suspend, reactivate: status, audit entry, email to the owners in their language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clubs import permissions, services
from clubs.models import AuditEntry, Club, Membership, Role
from tests.factories import ClubFactory, MembershipFactory, UserFactory


@pytest.fixture
def pending_club(db):
    club = ClubFactory(status=Club.Status.PENDING, approved_at=None)
    MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="owner@example.org", language="de"))
    MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="owner-en@example.org", language="en"))
    MembershipFactory(club=club, role=Role.MEMBER, user=UserFactory(email="member@example.org"))
    return club


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_approval_activates_audits_and_mails_every_owner(pending_club, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.club_approve(club=pending_club, actor=staff)
    pending_club.refresh_from_db()
    assert pending_club.status == Club.Status.ACTIVE
    assert pending_club.approved_at is not None
    entry = AuditEntry.objects.get(action="club.approved")
    assert entry.actor == staff and entry.club == pending_club
    assert entry.details == {"from": "pending", "to": "active"}
    assert sorted(m.to[0] for m in mail.outbox) == ["owner-en@example.org", "owner@example.org"]
    german = next(m for m in mail.outbox if m.to == ["owner@example.org"])
    assert "freigeschaltet" in german.subject
    assert f"/c/{pending_club.slug}/" in german.body


def test_each_owner_mail_is_rendered_in_that_owners_language(pending_club, staff, monkeypatch):
    seen = {}
    real = services.render_to_string

    def spy(template, context):
        seen[context["user"].email] = translation.get_language()
        return real(template, context)

    monkeypatch.setattr(services, "render_to_string", spy)
    services.club_approve(club=pending_club, actor=staff)
    assert seen == {"owner@example.org": "de", "owner-en@example.org": "en"}


def test_rejection_keeps_the_reason_and_tells_the_owner(pending_club, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.club_reject(club=pending_club, actor=staff, reason="Kein Verein aus unserer Stadt.")
    pending_club.refresh_from_db()
    assert pending_club.status == Club.Status.REJECTED
    assert AuditEntry.objects.get(action="club.rejected").reason == "Kein Verein aus unserer Stadt."
    assert "Kein Verein aus unserer Stadt." in mail.outbox[0].body


def test_suspended_club_members_see_their_data_but_cannot_start_meetings(
    pending_club, staff, client, django_capture_on_commit_callbacks
):
    services.club_approve(club=pending_club, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.club_suspend(club=pending_club, actor=staff, reason="Beschwerde wird geprüft.")
    member = Membership.objects.get(club=pending_club, role=Role.MEMBER)
    assert not permissions.can_start_meetings(member)
    client.force_login(member.user)
    response = client.get(reverse("clubs:dashboard", kwargs={"club_slug": pending_club.slug}))
    assert response.status_code == 200
    assert "derzeit gesperrt" in response.content.decode()
    assert AuditEntry.objects.filter(action="club.suspended", reason="Beschwerde wird geprüft.").exists()
    assert any("gesperrt" in m.subject for m in mail.outbox)

    services.club_reactivate(club=pending_club, actor=staff)
    member.club.refresh_from_db()
    assert permissions.can_start_meetings(member)
    assert AuditEntry.objects.filter(action="club.reactivated").exists()


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Club.Status.ACTIVE, services.club_reactivate),
        (Club.Status.PENDING, services.club_reactivate),
        (Club.Status.CLOSED, services.club_approve),
    ],
)
def test_impossible_transitions_are_refused_without_a_trace(db, staff, status, action):
    club = ClubFactory(status=status)
    with pytest.raises(ValidationError) as excinfo:
        action(club=club, actor=staff)
    assert "diese Änderung ist nicht möglich" in excinfo.value.messages[0]
    club.refresh_from_db()
    assert club.status == status
    assert not AuditEntry.objects.exists()
    assert mail.outbox == []


def test_suspend_needs_an_active_club(pending_club, staff):
    with pytest.raises(ValidationError):
        services.club_suspend(club=pending_club, actor=staff, reason="x")
    pending_club.refresh_from_db()
    assert pending_club.status == Club.Status.PENDING
