from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clubs.models import AuditEntry, Invitation, Membership, Role
from tests.factories import UserFactory


def members_url(club, name="members", **kwargs):
    return reverse(f"clubs:{name}", kwargs={"club_slug": club.slug, **kwargs})


@pytest.fixture
def invitation(personas):
    return Invitation.objects.create(
        club=personas.club,
        email="neu@example.org",
        role=Role.MEMBER,
        invited_by=personas.admin,
        expires_at=timezone.now() + timedelta(days=14),
    )


def accept_url(invitation):
    return reverse("clubs:invitation_accept", kwargs={"token": invitation.token})


def new_account_data(**overrides):
    data = {
        "name": "Nora Neu",
        "language": "de",
        "password1": "sicheres-passwort-77",
        "password2": "sicheres-passwort-77",
    }
    data.update(overrides)
    return data


def test_admin_invites_by_email_and_the_link_arrives(personas, client, django_capture_on_commit_callbacks):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(members_url(personas.club, "invite"), {"email": "Neu@Example.org", "role": "admin"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(club=personas.club)
    assert invitation.email == "neu@example.org" and invitation.role == Role.ADMIN
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    assert mail.outbox[0].to == ["neu@example.org"]
    assert accept_url(invitation) in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="invitation.created", club=personas.club, actor=personas.admin).exists()
    page = client.get(members_url(personas.club)).content.decode()
    assert "neu@example.org" in page and "Die Einladung an neu@example.org ist verschickt." in page


def test_admin_cannot_invite_an_owner(personas, client):
    client.force_login(personas.admin)
    response = client.post(members_url(personas.club, "invite"), {"email": "boss@example.org", "role": "owner"})
    assert response.status_code == 200
    assert "Diese Rolle können Sie nicht vergeben." in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_or_an_already_invited_address_is_explained(personas, client, invitation):
    client.force_login(personas.owner)
    response = client.post(members_url(personas.club, "invite"), {"email": personas.member.email, "role": "member"})
    assert "Diese Person ist bereits Mitglied des Vereins." in response.content.decode()
    response = client.post(members_url(personas.club, "invite"), {"email": "NEU@example.org", "role": "member"})
    assert "An diese Adresse wurde bereits eine Einladung verschickt." in response.content.decode()
    assert Invitation.objects.count() == 1


def test_new_person_accepts_creates_account_and_is_logged_in(personas, client, invitation):
    response = client.post(accept_url(invitation), new_account_data())
    assert response.status_code == 302
    assert response["Location"] == members_url(personas.club, "dashboard")
    user = User.objects.get(email="neu@example.org")
    assert user.name == "Nora Neu"
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(club=personas.club, user=user).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    assert AuditEntry.objects.filter(action="invitation.accepted", actor=user).exists()
    assert client.get(response["Location"]).status_code == 200  # logged in


def test_accepting_twice_is_refused(personas, client, invitation):
    client.post(accept_url(invitation), new_account_data())
    client.logout()
    response = client.post(accept_url(invitation), new_account_data(name="Jemand anderes"))
    assert response.status_code == 410
    assert "Diese Einladung wurde bereits angenommen." in response.content.decode()
    assert Membership.objects.filter(club=personas.club, user__email="neu@example.org").count() == 1
    assert User.objects.filter(email="neu@example.org").get().name == "Nora Neu"


def test_expired_invitation_is_refused_and_writes_nothing(personas, client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    users = User.objects.count()
    response = client.post(accept_url(invitation), new_account_data())
    assert response.status_code == 410
    assert "Diese Einladung ist abgelaufen." in response.content.decode()
    assert User.objects.count() == users
    assert not Membership.objects.filter(user__email="neu@example.org").exists()


def test_revoked_invitation_is_refused(personas, client, invitation):
    client.force_login(personas.admin)
    url = members_url(personas.club, "invitation_revoke", invitation_id=invitation.pk)
    assert "Einladung zurückziehen?" in client.get(url).content.decode()  # confirmation page first
    client.post(url)
    assert AuditEntry.objects.filter(action="invitation.revoked").exists()
    client.logout()
    response = client.post(accept_url(invitation), new_account_data())
    assert response.status_code == 410
    assert "Diese Einladung wurde zurückgezogen." in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()


def test_unknown_token_is_404(db, client):
    response = client.get(reverse("clubs:invitation_accept", kwargs={"token": "gibt-es-nicht"}))
    assert response.status_code == 404
    assert "Diese Einladung gibt es nicht." in response.content.decode()


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    personas, client, invitation, django_capture_on_commit_callbacks
):
    old = accept_url(invitation)
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(members_url(personas.club, "invitation_resend", invitation_id=invitation.pk))
    invitation.refresh_from_db()
    assert accept_url(invitation) != old
    assert accept_url(invitation) in mail.outbox[-1].body
    assert AuditEntry.objects.filter(action="invitation.resent").exists()
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(accept_url(invitation)).status_code == 200


def test_weak_password_or_missing_name_keeps_the_invitation_open(personas, client, invitation):
    response = client.post(accept_url(invitation), new_account_data(password1="kurz", password2="kurz"))
    assert response.status_code == 200
    assert "Dieses Passwort ist zu kurz" in response.content.decode()
    response = client.post(accept_url(invitation), new_account_data(name=""))
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="neu@example.org").exists()


def test_logged_in_user_joins_with_their_existing_account(personas, client, invitation):
    invitation.email = personas.outsider.email  # the invitation went to this account's verified address
    invitation.save()
    client.force_login(personas.outsider)
    response = client.get(accept_url(invitation))
    assert "Mit diesem Konto beitreten?" in response.content.decode()
    client.post(accept_url(invitation))
    assert Membership.objects.get(club=personas.club, user=personas.outsider).role == Role.MEMBER
    assert personas.outsider.memberships.count() == 2  # belongs to both clubs now


def test_existing_account_must_log_in_first(personas, client, invitation):
    UserFactory(email="neu@example.org")
    response = client.get(accept_url(invitation))
    assert "gibt es bereits ein Konto" in response.content.decode()
    client.post(accept_url(invitation), new_account_data())
    assert not Membership.objects.filter(club=personas.club, user__email="neu@example.org").exists()


def test_member_already_in_the_club_cannot_use_an_invitation_twice(personas, client, invitation):
    client.force_login(personas.member)
    response = client.post(accept_url(invitation))
    assert response.status_code == 200
    assert "Sie sind bereits Mitglied dieses Vereins." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_only_active_clubs_invite(personas, client, status):
    personas.club.status = status
    personas.club.save()
    client.force_login(personas.owner)
    response = client.post(members_url(personas.club, "invite"), {"email": "neu@example.org", "role": "member"})
    assert "Einladungen sind möglich, sobald Ihr Verein freigeschaltet und aktiv ist." in response.content.decode()
    assert not Invitation.objects.exists()
