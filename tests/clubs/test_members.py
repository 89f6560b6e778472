from __future__ import annotations

import pytest
from django.urls import reverse

from clubs.models import AuditEntry, Club, Invitation, Membership, Role
from tests.factories import MembershipFactory


def url(club, name, **kwargs):
    return reverse(f"clubs:{name}", kwargs={"club_slug": club.slug, **kwargs})


def membership(personas, user):
    return Membership.objects.get(club=personas.club, user=user)


def test_members_page_lists_everyone_and_managers_see_emails(personas, client):
    client.force_login(personas.member)
    page = client.get(url(personas.club, "members")).content.decode()
    assert personas.owner.name in page and personas.admin.name in page
    assert personas.admin.email not in page  # plain members do not see addresses
    assert "Person einladen" not in page
    client.force_login(personas.admin)
    page = client.get(url(personas.club, "members")).content.decode()
    assert personas.member.email in page and "Person einladen" in page


def test_admin_changes_a_members_role_with_audit(personas, client):
    target = membership(personas, personas.member)
    client.force_login(personas.admin)
    response = client.post(url(personas.club, "member_role", membership_id=target.pk), {"role": "admin"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.ADMIN
    entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.details["from"] == "member" and entry.details["to"] == "admin" and entry.actor == personas.admin


def test_admin_may_not_touch_owners(personas, client):
    owner = membership(personas, personas.owner)
    client.force_login(personas.admin)
    assert client.get(url(personas.club, "member_role", membership_id=owner.pk)).status_code == 403
    assert client.post(url(personas.club, "member_remove", membership_id=owner.pk)).status_code == 403
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_demoting_the_last_owner_is_refused(personas, client):
    owner = membership(personas, personas.owner)
    client.force_login(personas.owner)
    response = client.post(url(personas.club, "member_role", membership_id=owner.pk), {"role": "admin"})
    assert response.status_code == 200
    assert "Ein Verein braucht immer mindestens eine Inhaberin oder einen Inhaber." in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert not AuditEntry.objects.exists()


def test_demoting_an_owner_is_fine_when_another_owner_remains(personas, client):
    second = MembershipFactory(club=personas.club, role=Role.OWNER)
    client.force_login(personas.owner)
    client.post(url(personas.club, "member_role", membership_id=second.pk), {"role": "member"})
    second.refresh_from_db()
    assert second.role == Role.MEMBER


def test_removing_a_member_needs_confirmation_and_is_audited(personas, client):
    target = membership(personas, personas.member)
    client.force_login(personas.admin)
    confirm = client.get(url(personas.club, "member_remove", membership_id=target.pk))
    assert "aus dem Verein entfernen?" in confirm.content.decode()
    assert Membership.objects.filter(pk=target.pk).exists()
    client.post(url(personas.club, "member_remove", membership_id=target.pk))
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert AuditEntry.objects.get(action="membership.removed").details["user"] == personas.member.email
    client.force_login(personas.member)
    assert client.get(url(personas.club, "dashboard")).status_code == 404


def test_the_last_owner_cannot_be_removed_or_leave(personas, client):
    owner = membership(personas, personas.owner)
    client.force_login(personas.owner)
    response = client.post(url(personas.club, "member_remove", membership_id=owner.pk))
    assert "Ein Verein braucht immer mindestens eine Inhaberin oder einen Inhaber." in response.content.decode()
    response = client.post(url(personas.club, "leave"))
    assert "Ein Verein braucht immer mindestens eine Inhaberin oder einen Inhaber." in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk, role=Role.OWNER).exists()


def test_a_member_can_leave(personas, client):
    client.force_login(personas.member)
    response = client.post(url(personas.club, "leave"))
    assert response.status_code == 302
    assert not Membership.objects.filter(club=personas.club, user=personas.member).exists()
    assert AuditEntry.objects.filter(action="membership.left").exists()


def test_ownership_transfer_makes_the_old_owner_admin(personas, client, django_capture_on_commit_callbacks):
    target = membership(personas, personas.member)
    client.force_login(personas.owner)
    assert client.get(url(personas.club, "transfer")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(personas.club, "transfer"), {"membership": target.pk})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.OWNER
    assert membership(personas, personas.owner).role == Role.ADMIN
    assert AuditEntry.objects.filter(action="club.ownership_transferred").exists()
    from django.core import mail

    assert mail.outbox[-1].to == [personas.member.email]


def test_ownership_cannot_go_to_another_clubs_member(personas, client):
    foreign = Membership.objects.get(club=personas.other_club, user=personas.outsider)
    client.force_login(personas.owner)
    response = client.post(url(personas.club, "transfer"), {"membership": foreign.pk})
    assert "Bitte wählen Sie ein Mitglied aus der Liste." in response.content.decode()
    assert membership(personas, personas.owner).role == Role.OWNER
    foreign.refresh_from_db()
    assert foreign.club == personas.other_club


def test_closing_needs_the_exact_name(personas, client):
    client.force_login(personas.owner)
    response = client.post(url(personas.club, "close"), {"confirm_name": "falscher Name"})
    assert "Der Name stimmt nicht überein." in response.content.decode()
    personas.club.refresh_from_db()
    assert personas.club.status == Club.Status.ACTIVE


def test_closing_the_club_revokes_invitations_and_hides_it(personas, client):
    from datetime import timedelta

    from django.utils import timezone

    invitation = Invitation.objects.create(
        club=personas.club, email="x@example.org", expires_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(personas.owner)
    response = client.post(url(personas.club, "close"), {"confirm_name": personas.club.name})
    assert response.status_code == 302
    personas.club.refresh_from_db()
    assert personas.club.status == Club.Status.CLOSED
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEntry.objects.filter(action="club.closed").exists()
    assert client.get(url(personas.club, "dashboard")).status_code == 404


@pytest.mark.parametrize("persona", ["admin", "member"])
def test_only_owners_transfer_or_close(personas, client, persona):
    client.force_login(getattr(personas, persona))
    assert client.post(url(personas.club, "close"), {"confirm_name": personas.club.name}).status_code == 403
    assert client.post(url(personas.club, "transfer"), {}).status_code == 403
    personas.club.refresh_from_db()
    assert personas.club.status == Club.Status.ACTIVE


def test_club_switcher_lists_every_club_of_the_user(personas, client):
    MembershipFactory(club=personas.other_club, user=personas.member)
    client.force_login(personas.member)
    page = client.get(url(personas.club, "dashboard")).content.decode()
    assert url(personas.other_club, "dashboard") in page
    assert client.get(url(personas.other_club, "dashboard")).status_code == 200
