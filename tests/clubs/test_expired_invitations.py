"""Expired invitations are shown as expired, not as open (issue 16, item 5)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clubs.models import Invitation, Role


def test_expired_invitation_is_marked_expired_with_a_way_to_send_it_again(client, personas):
    now = timezone.now()
    Invitation.objects.create(
        club=personas.club, email="alt@example.org", role=Role.MEMBER, expires_at=now - timedelta(days=1)
    )
    Invitation.objects.create(
        club=personas.club, email="neu@example.org", role=Role.MEMBER, expires_at=now + timedelta(days=3)
    )
    client.force_login(personas.admin)
    html = client.get(reverse("clubs:members", kwargs={"club_slug": personas.club.slug})).content.decode()
    expired = html.split("alt@example.org")[1].split("</li>")[0]
    current = html.split("neu@example.org")[1].split("</li>")[0]
    assert "abgelaufen" in expired and "gültig bis" not in expired and "offen" not in expired
    assert "Erneut senden" in expired
    assert "offen" in current and "gültig bis" in current and "abgelaufen" not in current
