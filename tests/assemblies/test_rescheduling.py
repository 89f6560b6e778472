"""Moving an assembly's date (events' edit form, or any service) keeps the club's notice period.

Earlier is a new invitation: the update mail that goes out now must come the full period ahead of the new
date. Later keeps the period counted from the invitation; the members get the update mail. Meetings that
are not assemblies are not judged at all.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assemblies.models import Assembly
from events import services as event_services
from events.models import Invitee, ScheduledMeeting
from events.occurrences import to_local

pytestmark = pytest.mark.django_db


def edit_url(scheduled: ScheduledMeeting) -> str:
    return reverse("events:edit", kwargs={"club_slug": scheduled.club.slug, "scheduled_meeting_id": scheduled.pk})


def moved_form(client, scheduled: ScheduledMeeting, *, start_at, **overrides) -> dict:
    """What the edit form posts when only the date and time are changed to ``start_at`` (two hours long)."""
    initial = client.get(edit_url(scheduled)).context["form"].initial
    start, end = to_local(start_at), to_local(start_at + timedelta(hours=2))
    data = {
        **{k: v for k, v in initial.items() if k not in ("members", "record")},
        "room": scheduled.room_id,
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "repeat_until": "",
        "members": initial["members"],
    }
    data.update(overrides)
    return data


def invited(assembly: Assembly, *, days_ago: float, starts_in: float) -> Assembly:
    """As if the assembly had been planned, and its invitations mailed, ``days_ago`` for ``starts_in`` days from now."""
    now = timezone.now()
    start = (now + timedelta(days=starts_in)).replace(second=0, microsecond=0)  # what the form can say
    ScheduledMeeting.objects.filter(pk=assembly.scheduled_meeting_id).update(
        start_at=start, end_at=start + timedelta(hours=2)
    )
    Invitee.objects.filter(scheduled_meeting_id=assembly.scheduled_meeting_id).update(
        notified_sequence=assembly.scheduled_meeting.sequence
    )
    Assembly.objects.filter(pk=assembly.pk).update(invited_at=now - timedelta(days=days_ago))
    return Assembly.objects.select_related("scheduled_meeting").get(pk=assembly.pk)


@pytest.fixture
def chair(client, personas):
    client.force_login(personas.admin)
    return client


def test_moving_an_assembly_earlier_than_the_notice_allows_is_refused_and_nothing_is_saved(
    chair, assembly, celery_eager, django_capture_on_commit_callbacks
):
    scheduled = assembly.scheduled_meeting
    before = (scheduled.start_at, scheduled.sequence, assembly.invited_at)
    new_start = timezone.now() + timedelta(days=10)
    data = moved_form(chair, scheduled, start_at=new_start, title="Vorgezogene Versammlung")
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(edit_url(scheduled), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Wird die Mitgliederversammlung vorverlegt" in page and "14 Tage" in page and "frühestens am" in page
    form = response.context["form"]
    assert "date" in form.errors  # said beside the date
    assert form["date"].value() == to_local(new_start).date().isoformat()  # the input is kept
    assert form["title"].value() == "Vorgezogene Versammlung"
    scheduled.refresh_from_db()
    assembly.refresh_from_db()
    assert (scheduled.start_at, scheduled.sequence, assembly.invited_at) == before
    assert scheduled.title == "Mitgliederversammlung 2025"
    assert mail.outbox == []


def test_moving_an_assembly_earlier_with_the_full_notice_is_accepted_and_restarts_the_period(
    chair, assembly, celery_eager, django_capture_on_commit_callbacks
):
    assembly = invited(assembly, days_ago=1, starts_in=30)
    new_start = timezone.now() + timedelta(days=15)
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(
            edit_url(assembly.scheduled_meeting), moved_form(chair, assembly.scheduled_meeting, start_at=new_start)
        )
    assert response.status_code == 302
    assembly.refresh_from_db()
    assert abs(assembly.scheduled_meeting.start_at - new_start) < timedelta(minutes=1)
    assert timezone.now() - assembly.invited_at < timedelta(minutes=1)  # the update mail is the invitation now
    assert len(mail.outbox) == 3
    assert all("so nehmen Sie elektronisch teil" in m.body for m in mail.outbox)


def test_moving_an_assembly_later_keeps_the_period_of_the_invitation_and_mails_the_update(
    chair, assembly, celery_eager, django_capture_on_commit_callbacks
):
    # Invited 20 days ago for five days from now; postponed by two days: still 22 days after the invitation.
    assembly = invited(assembly, days_ago=20, starts_in=5)
    invited_at = assembly.invited_at
    scheduled = assembly.scheduled_meeting
    new_start = scheduled.start_at + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(edit_url(scheduled), moved_form(chair, scheduled, start_at=new_start))
    assert response.status_code == 302
    assembly.refresh_from_db()
    assert assembly.invited_at == invited_at
    assert to_local(assembly.scheduled_meeting.start_at).date() == to_local(new_start).date()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        i.email for i in scheduled.invitees.filter(removed_at__isnull=True)
    )
    for message in mail.outbox:
        assert message.subject.startswith("Geändert: ") and "so nehmen Sie elektronisch teil" in message.body


def test_moving_later_is_refused_when_the_statutes_now_ask_more_than_the_invitation_gave(chair, assembly, set_rules):
    assembly = invited(assembly, days_ago=10, starts_in=5)
    set_rules(notice_days=30)
    scheduled = assembly.scheduled_meeting
    response = chair.post(
        edit_url(scheduled), moved_form(chair, scheduled, start_at=scheduled.start_at + timedelta(days=3))
    )
    assert response.status_code == 200
    assert "gerechnet ab der Einladung vom" in response.content.decode()
    assert ScheduledMeeting.objects.get(pk=scheduled.pk).start_at == scheduled.start_at


def test_a_change_that_keeps_the_date_is_not_judged_again(chair, assembly, set_rules):
    assembly = invited(assembly, days_ago=10, starts_in=5)
    set_rules(notice_days=30)  # the date would no longer do, but it is not moved
    scheduled = assembly.scheduled_meeting
    response = chair.post(edit_url(scheduled), moved_form(chair, scheduled, start_at=scheduled.start_at, title="MV"))
    assert response.status_code == 302
    assert ScheduledMeeting.objects.get(pk=scheduled.pk).title == "MV"


def test_an_assembly_cannot_become_a_weekly_series(chair, assembly):
    scheduled = assembly.scheduled_meeting
    response = chair.post(
        edit_url(scheduled), moved_form(chair, scheduled, start_at=scheduled.start_at, recurrence="weekly")
    )
    assert response.status_code == 200
    assert "keine Terminserie" in response.content.decode()
    assert not ScheduledMeeting.objects.get(pk=scheduled.pk).is_recurring


def test_the_service_refuses_the_move_too_whoever_calls_it(personas, assembly):
    scheduled = assembly.scheduled_meeting
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError, match="vorverlegt"):
        event_services.scheduled_meeting_update(
            scheduled=scheduled,
            changed_by=personas.admin,
            member_ids=list(scheduled.invitees.values_list("user_id", flat=True)),
            guest_emails=[],
            start_at=start,
            end_at=start + timedelta(hours=2),
        )
    assert ScheduledMeeting.objects.get(pk=scheduled.pk).start_at == scheduled.start_at


def test_a_meeting_that_is_not_an_assembly_moves_to_tomorrow(chair, meeting_in, celery_eager):
    scheduled = meeting_in(21, title="Vorstandssitzung")
    tomorrow = timezone.now() + timedelta(days=1)
    response = chair.post(edit_url(scheduled), moved_form(chair, scheduled, start_at=tomorrow, audience="none"))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert to_local(scheduled.start_at).date() == to_local(tomorrow).date() and scheduled.sequence == 1
