"""Finding 4 (invitations are not bearer tokens for logged-in accounts) and 7 (invitation limits)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from clubs.models import Invitation, Membership, Role


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner_invitation(personas):
    return Invitation.objects.create(
        club=personas.club,
        email="neue-inhaberin@example.org",
        role=Role.OWNER,
        invited_by=personas.owner,
        expires_at=timezone.now() + timedelta(days=14),
    )


def accept_url(invitation):
    return reverse("clubs:invitation_accept", kwargs={"token": invitation.token})


def test_another_account_holding_the_link_does_not_get_the_role(personas, client, owner_invitation):
    client.force_login(personas.outsider)
    client.post(accept_url(owner_invitation))
    assert not Membership.objects.filter(club=personas.club, user=personas.outsider).exists()
    owner_invitation.refresh_from_db()
    assert owner_invitation.accepted_at is None


def test_the_page_offers_to_add_and_verify_the_invited_address(
    personas, client, owner_invitation, django_capture_on_commit_callbacks
):
    client.force_login(personas.outsider)
    page = client.get(accept_url(owner_invitation)).content.decode()
    assert "neue-inhaberin@example.org hinzufügen und bestätigen" in page
    assert "Mit diesem Konto beitreten?" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept_url(owner_invitation), {"add_address": "1"})
    assert response.status_code == 302
    address = EmailAddress.objects.get(email="neue-inhaberin@example.org")
    assert address.user == personas.outsider and not address.verified
    assert [m.to for m in mail.outbox] == [["neue-inhaberin@example.org"]]
    assert not Membership.objects.filter(club=personas.club, user=personas.outsider).exists()


def test_after_verifying_the_address_the_invitation_is_accepted(personas, client, owner_invitation):
    EmailAddress.objects.create(user=personas.outsider, email="neue-inhaberin@example.org", verified=True)
    client.force_login(personas.outsider)
    assert "Mit diesem Konto beitreten?" in client.get(accept_url(owner_invitation)).content.decode()
    client.post(accept_url(owner_invitation))
    assert Membership.objects.get(club=personas.club, user=personas.outsider).role == Role.OWNER


def test_an_unverified_copy_of_the_address_is_not_enough(personas, client, owner_invitation):
    EmailAddress.objects.create(user=personas.outsider, email="neue-inhaberin@example.org", verified=False)
    client.force_login(personas.outsider)
    client.post(accept_url(owner_invitation))
    assert not Membership.objects.filter(club=personas.club, user=personas.outsider).exists()


def test_sending_invitations_is_rate_limited_per_person(personas, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "club_invite": "3/h/user"}
    client.force_login(personas.admin)
    url = reverse("clubs:invite", kwargs={"club_slug": personas.club.slug})
    for n in range(3):
        assert client.post(url, {"email": f"gast{n}@example.org", "role": "member"}).status_code == 302
    response = client.post(url, {"email": "gast9@example.org", "role": "member"}, follow=True)
    assert "sehr viele Einladungen" in response.content.decode()
    assert Invitation.objects.filter(club=personas.club).count() == 3


def test_invitations_count_against_the_clubs_daily_mail_budget(personas, client):
    personas.club.mail_daily_limit = 2
    personas.club.save()
    client.force_login(personas.admin)
    url = reverse("clubs:invite", kwargs={"club_slug": personas.club.slug})
    for n in range(2):
        assert client.post(url, {"email": f"gast{n}@example.org", "role": "member"}).status_code == 302
    response = client.post(url, {"email": "gast9@example.org", "role": "member"})
    assert "kann heute noch 0 E-Mails versenden" in response.content.decode()
    assert not Invitation.objects.filter(email="gast9@example.org").exists()


def test_accepting_is_rate_limited_per_address(personas, client, owner_invitation, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "invitation_accept": "2/h/ip"}
    for _ in range(2):
        client.post(accept_url(owner_invitation), {"name": ""})
    response = client.post(accept_url(owner_invitation), {"name": ""}, follow=True)
    assert "Zu viele Versuche" in response.content.decode()
