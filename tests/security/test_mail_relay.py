"""Finding 7: one form post cannot make the operator's mail server send unbounded attacker text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clubs.mail_budget import club_mails_today
from events import services
from events.models import Invitee, ScheduledMeeting
from tests.events.helpers import plan
from tests.factories import RoomFactory


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vereinsheim")


def _guests(n: int, prefix: str = "gast") -> list[str]:
    return [f"{prefix}{i}@example.org" for i in range(n)]


def _day() -> date:
    return timezone.localdate() + timedelta(days=10)


def test_a_form_post_with_a_thousand_guests_is_refused_with_a_clear_message(personas, room, client):
    client.force_login(personas.admin)
    data = {
        "title": "Spam",
        "room": room.pk,
        "date": _day().isoformat(),
        "start_time": "19:00",
        "end_time": "20:00",
        "description": "Kaufen Sie jetzt!",
        "recurrence": "none",
        "audience": "none",
        "guest_emails": "\n".join(_guests(1000)),
    }
    response = client.post(reverse("events:create", kwargs={"club_slug": personas.club.slug}), data)
    assert response.status_code == 200
    assert "höchstens 250 Personen" in response.content.decode()
    assert not ScheduledMeeting.objects.exists() and not Invitee.objects.exists()


def test_mails_per_club_and_day_are_limited(personas, room, settings):
    settings.MAIL_DAILY_LIMIT_PER_CLUB = 30
    plan(club=personas.club, room=room, by=personas.admin, day=_day(), guest_emails=_guests(20))
    assert club_mails_today(personas.club) == 20
    with pytest.raises(ValidationError, match="heute noch 10 E-Mails"):
        plan(club=personas.club, room=room, by=personas.admin, day=_day(), guest_emails=_guests(20, "b"))
    assert ScheduledMeeting.objects.count() == 1


def test_staff_can_raise_the_budget_of_one_club(personas, room, settings):
    settings.MAIL_DAILY_LIMIT_PER_CLUB = 10
    personas.club.mail_daily_limit = 100
    personas.club.save()
    plan(club=personas.club, room=room, by=personas.admin, day=_day(), guest_emails=_guests(40))
    assert club_mails_today(personas.club) == 40


def test_an_update_is_charged_for_everybody_it_mails(personas, room, settings):
    settings.MAIL_DAILY_LIMIT_PER_CLUB = 15
    scheduled = plan(club=personas.club, room=room, by=personas.admin, day=_day(), guest_emails=_guests(10))
    Invitee.objects.update(notified_sequence=0)  # the invitations went out
    with pytest.raises(ValidationError, match="heute noch 5 E-Mails"):
        services.scheduled_meeting_update(
            scheduled=scheduled, changed_by=personas.admin, member_ids=[], guest_emails=_guests(10), title="Neu"
        )
    scheduled.refresh_from_db()
    assert scheduled.title == "Mitgliederversammlung" and scheduled.sequence == 0


def test_a_cancellation_goes_out_even_over_the_budget(personas, room, settings):
    settings.MAIL_DAILY_LIMIT_PER_CLUB = 10
    scheduled = plan(club=personas.club, room=room, by=personas.admin, day=_day(), guest_emails=_guests(10))
    Invitee.objects.update(notified_sequence=0)
    assert services.scheduled_meeting_cancel(scheduled=scheduled, cancelled_by=personas.admin)
    assert club_mails_today(personas.club) == 20


def test_the_admin_lets_staff_set_the_club_limit(personas, client):
    client.force_login(personas.staff)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=personas.staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    page = client.get(reverse("admin:clubs_club_change", args=[personas.club.pk])).content.decode()
    assert 'name="mail_daily_limit"' in page
