"""A member removed from the club leaves its coming meetings' invitee lists (issue 16, item 5)."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clubs.models import Membership
from events.models import Invitee
from tests.events.helpers import plan


def test_a_removed_member_is_uninvited_and_no_longer_listed_even_as_guest(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    club = personas.club
    member_ids = list(club.memberships.values_list("user_id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = plan(club=club, room=room, by=personas.owner, day=timezone.localdate() + timedelta(days=7),
                         member_ids=member_ids)  # fmt: skip
    past = plan(club=club, room=room, by=personas.owner, start_at=timezone.now() - timedelta(days=8),
                end_at=timezone.now() - timedelta(days=8) + timedelta(hours=1), member_ids=member_ids)  # fmt: skip
    leaving = personas.member
    mail.outbox.clear()

    client.force_login(personas.owner)
    membership = Membership.objects.get(club=club, user=leaving)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clubs:member_remove", kwargs={"club_slug": club.slug, "membership_id": membership.pk})
        )
    assert response.status_code == 302

    detail = client.get(reverse("events:detail", kwargs={"club_slug": club.slug, "scheduled_meeting_id": scheduled.pk}))
    html = detail.content.decode()
    assert leaving.email not in html
    assert personas.admin.email in html
    assert Invitee.objects.get(scheduled_meeting=scheduled, email=leaving.email).removed_at is not None
    assert Invitee.objects.get(scheduled_meeting=past, email=leaving.email).removed_at is None  # history stays
    assert [m.to for m in mail.outbox] == [[leaving.email]]  # told once that the invitation is withdrawn
