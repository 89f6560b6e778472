"""Planning through the pages: invitations to members and guests, updates, cancellations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clubs.models import AuditEntry
from events import services
from events.models import Invitee, ScheduledMeeting
from events.occurrences import to_local
from tests.factories import MembershipFactory, RoomFactory, UserFactory

FUTURE = (timezone.now() + timedelta(days=20)).astimezone(timezone.get_default_timezone()).date()


def _form(room, **overrides):
    data = {
        "title": "Mitgliederversammlung 2027",
        "room": room.pk,
        "date": FUTURE.isoformat(),
        "start_time": "19:00",
        "end_time": "21:00",
        "description": "TOP 1: Begrüßung\nTOP 2: Wahlen",
        "recurrence": "none",
        "repeat_until": "",
        "audience": "all",
        "guest_emails": "",
    }
    data.update(overrides)
    return data


def _ics(message):
    attachment = next(a for a in message.attachments if a.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(attachment.get_payload(decode=True))
    return attachment, cal, cal.walk("VEVENT")[0]


def _create_url(personas):
    return reverse("events:create", kwargs={"club_slug": personas.club.slug})


def test_admin_invites_all_members_and_guests_with_personal_link_and_ics(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks, settings
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_create_url(personas), _form(room, guest_emails="Gerda Gast <gerda@example.org>\n"))
    scheduled = ScheduledMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "events:detail", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk}
    )
    recipients = sorted(m.to[0] for m in mail.outbox)
    members = [personas.owner.email, personas.admin.email, personas.member.email]
    assert recipients == sorted([*members, "gerda@example.org"])
    assert personas.outsider.email not in recipients

    message = next(m for m in mail.outbox if m.to == ["gerda@example.org"])
    assert message.subject.startswith("Einladung: Mitgliederversammlung 2027")
    assert message.reply_to == [personas.club.contact_email]  # answers reach the club, not noreply
    invitee = scheduled.invitees.select_related("personal_link").get(email="gerda@example.org")
    link = invitee.personal_link
    room_url = f"{settings.SITE_URL}/l/{link.token}/"
    assert f"Ihr persönlicher Link (bitte nicht weitergeben): {room_url}" in message.body
    assert "482913" not in message.body  # the personal link replaces the shared code
    assert f"/r/{room.friendly_id}/" not in message.body
    assert (link.room, link.role, link.name, link.email) == (room, "VIEWER", "", "gerda@example.org")
    assert link.expires_at == scheduled.end_at + timedelta(hours=12)
    assert "TOP 2: Wahlen" in message.body
    attachment, cal, event = _ics(message)
    assert attachment.get_param("method") == "REQUEST"
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == scheduled.uid and event["SEQUENCE"] == 0
    assert to_local(event.decoded("DTSTART")).hour == 19
    assert "482913" not in str(event["DESCRIPTION"]) and room_url in str(event["DESCRIPTION"])
    assert str(event["URL"]) == room_url and str(event["LOCATION"]) == room_url


def test_no_access_code_line_when_the_room_has_none(client, personas, celery_eager, django_capture_on_commit_callbacks):
    open_room = RoomFactory(club=personas.club, viewer_code="")
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_create_url(personas), _form(open_room, audience="none", guest_emails="a@example.org"))
    assert len(mail.outbox) == 1
    assert "Zugangscode" not in mail.outbox[0].body


def test_each_recipient_gets_the_email_in_their_language(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    personas.member.language = "en"
    personas.member.save()
    client.force_login(personas.admin)
    # FUTURE is formatted with weekday and month names, which Django's own catalogues translate.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _create_url(personas), _form(room, audience="chosen", members=[personas.member.pk, personas.owner.pk])
        )
    english = next(m for m in mail.outbox if m.to == [personas.member.email])
    german = next(m for m in mail.outbox if m.to == [personas.owner.email])
    english_day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][FUTURE.weekday()]
    german_day = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][FUTURE.weekday()]
    assert english_day in english.body and german_day not in english.body
    assert german_day in german.body and english_day not in german.body
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.member.email, personas.owner.email])


def test_invalid_addresses_are_rejected_with_a_message_and_nothing_is_saved_or_sent(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    pasted = "gut@example.org, kaputt; anna@@example.org\nnoch.gut@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_create_url(personas), _form(room, guest_emails=pasted))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Diese E-Mail-Adressen sind ungültig: kaputt, anna@@example.org." in text
    assert "Es wurde nichts gespeichert und keine Einladung versandt." in text
    assert "noch.gut@example.org" in text  # the input is kept
    assert ScheduledMeeting.objects.count() == 0
    assert Invitee.objects.count() == 0
    assert mail.outbox == []


def test_the_service_refuses_invalid_addresses_too(personas, room):
    from django.core.exceptions import ValidationError

    from tests.events.helpers import plan

    with pytest.raises(ValidationError, match="ungültig: nix"):
        plan(club=personas.club, room=room, by=personas.admin, day=FUTURE, guest_emails=["nix"])
    assert ScheduledMeeting.objects.count() == 0


def test_a_room_of_another_club_cannot_be_chosen(client, personas, celery_eager):
    foreign = RoomFactory(club=personas.other_club)
    client.force_login(personas.admin)
    response = client.post(_create_url(personas), _form(foreign))
    assert response.status_code == 200
    assert ScheduledMeeting.objects.count() == 0

    from django.core.exceptions import ValidationError

    from tests.events.helpers import plan

    with pytest.raises(ValidationError):
        plan(club=personas.club, room=foreign, by=personas.admin, day=FUTURE)


def test_dst_gap_and_end_before_start_are_explained(client, personas, room):
    client.force_login(personas.admin)
    response = client.post(_create_url(personas), _form(room, date="2027-03-28", start_time="02:30", end_time="03:30"))
    assert "wegen der Zeitumstellung nicht" in response.content.decode()
    response = client.post(_create_url(personas), _form(room, start_time="20:00", end_time="19:00"))
    assert "Das Ende muss nach dem Beginn liegen" in response.content.decode()
    assert ScheduledMeeting.objects.count() == 0


def test_notify_twice_mails_nobody_twice(personas, room, celery_eager, django_capture_on_commit_callbacks):
    from tests.events.helpers import plan

    with django_capture_on_commit_callbacks(execute=True):
        scheduled = plan(club=personas.club, room=room, by=personas.admin, day=FUTURE, guest_emails=["g@example.org"])
    assert len(mail.outbox) == 1
    assert services.scheduled_meeting_notify(scheduled_meeting_id=scheduled.pk) == 0
    assert len(mail.outbox) == 1


def test_editing_sends_an_update_with_same_uid_and_higher_sequence(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_create_url(personas), _form(room, audience="none", guest_emails="g1@example.org, g2@example.org"))
    scheduled = ScheduledMeeting.objects.get()
    first_uid = str(_ics(mail.outbox[0])[2]["UID"])
    mail.outbox.clear()

    edit_url = reverse("events:edit", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk})
    form = client.get(edit_url).context["form"]
    assert form.initial["guest_emails"] == "g1@example.org\ng2@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url, _form(room, audience="none", guest_emails="g1@example.org\ng2@example.org", start_time="18:00")
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["g1@example.org", "g2@example.org"]
    for message in mail.outbox:
        assert message.subject.startswith("Geändert: ")
        _attachment, cal, event = _ics(message)
        assert cal["METHOD"] == "REQUEST"
        assert str(event["UID"]) == first_uid
        assert event["SEQUENCE"] == 1
        assert to_local(event.decoded("DTSTART")).hour == 18


def test_adding_a_guest_invites_only_the_guest_and_removing_one_cancels_for_them(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_create_url(personas), _form(room, audience="none", guest_emails="g1@example.org, g2@example.org"))
    scheduled = ScheduledMeeting.objects.get()
    mail.outbox.clear()
    edit_url = reverse("events:edit", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url, _form(room, audience="none", guest_emails="g1@example.org, g3@example.org"))
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["g2@example.org", "g3@example.org"]
    assert by_address["g3@example.org"].subject.startswith("Einladung: ")
    assert _ics(by_address["g3@example.org"])[1]["METHOD"] == "REQUEST"
    cal = _ics(by_address["g2@example.org"])[1]
    assert cal["METHOD"] == "CANCEL"
    scheduled.refresh_from_db()
    assert scheduled.sequence == 0  # the meeting itself did not change


def test_cancel_asks_first_then_sends_method_cancel_to_everybody(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_create_url(personas), _form(room, guest_emails="g@example.org"))
    scheduled = ScheduledMeeting.objects.get()
    mail.outbox.clear()
    url = reverse("events:cancel", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk})

    response = client.get(url)
    assert response.status_code == 200
    assert "4 eingeladene Personen erhalten eine Absage" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.cancelled_at is None and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.cancelled_at is not None and scheduled.sequence == 1
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert message.subject.startswith("Abgesagt: ")
        attachment, cal, event = _ics(message)
        assert attachment.get_param("method") == "CANCEL"
        assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
        assert str(event["UID"]) == scheduled.uid and event["SEQUENCE"] == 1
    assert AuditEntry.objects.filter(action="scheduled_meeting.cancel", actor=personas.admin).count() == 1
    # A cancelled meeting cannot be edited any more.
    edit_url = reverse("events:edit", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk})
    assert client.get(edit_url).status_code == 302


def test_members_may_look_but_not_plan_and_outsiders_see_nothing(client, personas, room):
    scheduled_url = _create_url(personas)
    client.force_login(personas.member)
    assert client.get(scheduled_url).status_code == 403
    assert client.post(scheduled_url, _form(room)).status_code == 403
    assert client.get(reverse("events:calendar", kwargs={"club_slug": personas.club.slug})).status_code == 200
    client.force_login(personas.outsider)
    assert client.get(reverse("events:calendar", kwargs={"club_slug": personas.club.slug})).status_code == 404
    assert client.get(scheduled_url).status_code == 404
    assert ScheduledMeeting.objects.count() == 0


def test_scheduled_meeting_of_another_club_is_404(client, personas):
    from tests.events.helpers import plan

    other_room = RoomFactory(club=personas.other_club)
    other = plan(club=personas.other_club, room=other_room, by=personas.outsider, day=FUTURE)
    client.force_login(personas.admin)
    for name in ("detail", "edit", "cancel"):
        url = reverse(f"events:{name}", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": other.pk})
        assert client.get(url).status_code == 404, name


class FailingAfterOne:
    """An email backend that delivers one message, then fails like an SMTP server going away."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        if FailingAfterOne.sent:
            raise ConnectionError("SMTP server went away")
        FailingAfterOne.sent.extend(messages)
        return len(messages)


def test_a_mail_failure_gives_back_the_claims_of_those_not_reached(personas, room, settings):
    from events import mail as event_mail
    from tests.events.helpers import plan

    scheduled = plan(
        club=personas.club, room=room, by=personas.admin, day=FUTURE, guest_emails=["a@example.org", "b@example.org"]
    )
    settings.EMAIL_BACKEND = f"{__name__}.FailingAfterOne"
    FailingAfterOne.sent = []
    with pytest.raises(event_mail.MailSendError):
        services.scheduled_meeting_notify(scheduled_meeting_id=scheduled.pk)
    reached = FailingAfterOne.sent[0].to[0]
    states = dict(scheduled.invitees.values_list("email", "notified_sequence"))
    assert states[reached] == 0
    assert [s for e, s in states.items() if e != reached] == [-1]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.scheduled_meeting_notify(scheduled_meeting_id=scheduled.pk) == 1
    assert [m.to[0] for m in mail.outbox] == [e for e in states if e != reached]


def test_recording_is_refused_when_the_club_may_not_record(client, personas, room):
    from django.core.exceptions import ValidationError

    from tests.events.helpers import plan

    personas.club.recording_allowed = False
    personas.club.save()
    client.force_login(personas.admin)
    response = client.get(_create_url(personas))
    assert "record" not in response.context["form"].fields
    with pytest.raises(ValidationError, match="keine Aufzeichnungen"):
        plan(club=personas.club, room=room, by=personas.admin, day=FUTURE, record=True)


def test_inviting_all_members_again_reaches_a_new_member_only(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_create_url(personas), _form(room))
    scheduled = ScheduledMeeting.objects.get()
    assert len(mail.outbox) == 3
    newcomer = MembershipFactory(club=personas.club, user=UserFactory(email="neu@example.org")).user
    mail.outbox.clear()
    edit_url = reverse("events:edit", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url, _form(room))
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    assert mail.outbox[0].subject.startswith("Einladung: ")


def test_the_time_of_a_weekly_series_that_began_in_the_past_can_change(
    client, personas, room, celery_eager, django_capture_on_commit_callbacks
):
    from tests.events.helpers import plan

    began = (timezone.now() - timedelta(days=15)).astimezone(timezone.get_default_timezone()).date()
    series = plan(
        club=personas.club, room=room, by=personas.admin, day=began, recurrence="weekly", guest_emails=["g@example.org"]
    )
    client.force_login(personas.admin)
    url = reverse("events:edit", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": series.pk})
    data = _form(room, date=began.isoformat(), start_time="18:30", end_time="20:00", recurrence="weekly")
    data.update(audience="none", guest_emails="g@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    series.refresh_from_db()
    assert to_local(series.start_at).strftime("%H:%M") == "18:30" and series.sequence == 1
    # Moving a single meeting into the past is refused.
    single = plan(club=personas.club, room=room, by=personas.admin, day=FUTURE)
    url = reverse("events:edit", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": single.pk})
    response = client.post(url, _form(room, date=began.isoformat(), audience="none"))
    assert "Der Beginn liegt in der Vergangenheit" in response.content.decode()
