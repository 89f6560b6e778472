"""Telephone dial-in: a static PIN per room, unique across the service; the server's number; where it is shown."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Server
from rooms import models as room_models
from rooms import services
from tests.factories import MeetingFactory, ServerFactory

NUMBER = "+49 30 1234567"


def detail(room) -> str:
    return reverse("rooms:detail", kwargs={"club_slug": room.club.slug, "room_id": room.pk})


def make_room(personas, name="Vorstand"):
    return services.room_create(club=personas.club, actor=personas.admin, name=name)


def test_every_room_gets_its_own_five_digit_pin(personas, monkeypatch):
    first = make_room(personas, "A")
    assert len(first.voice_bridge) == 5 and first.voice_bridge.isdigit() and first.voice_bridge[0] != "0"
    pins = iter([first.voice_bridge, first.voice_bridge, "54321"])
    monkeypatch.setattr(services, "new_voice_bridge", lambda: next(pins))
    second = make_room(personas, "B")
    assert second.voice_bridge == "54321"  # the taken PIN was skipped


def test_create_sends_the_rooms_pin_and_the_servers_number(personas, bbb_server, simulator):
    Server.objects.filter(pk=bbb_server.pk).update(dial_number=NUMBER)
    room = make_room(personas)
    services.meeting_start(room=room, display_name="Vorstand")
    meeting = simulator.meetings[room.meeting_id]
    assert meeting.voice_bridge == room.voice_bridge
    assert meeting.dial_number == NUMBER
    assert simulator.calls == {"create": 1}


def test_room_page_shows_number_and_pin_only_when_configured(client, personas, bbb_server):
    room = make_room(personas)
    client.force_login(personas.member)
    assert 'id="dial-in"' not in client.get(detail(room)).content.decode()
    Server.objects.filter(pk=bbb_server.pk).update(dial_number=NUMBER)
    content = client.get(detail(room)).content.decode()
    assert f"Ohne Internet per Telefon: {NUMBER} anrufen und die PIN {room.voice_bridge} eingeben." in content
    public = client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).content.decode()
    assert room.voice_bridge in public and NUMBER in public


def test_with_different_numbers_only_a_running_meeting_decides(client, personas, bbb_server):
    Server.objects.filter(pk=bbb_server.pk).update(dial_number=NUMBER)
    other = ServerFactory(dial_number="+49 40 7654321")
    room = make_room(personas)
    assert services.room_dial_in(room=room) is None
    meeting = MeetingFactory(room=room, server=other)
    assert services.room_dial_in(room=room, meeting=meeting).number == "+49 40 7654321"


def test_invitation_mail_and_ics_carry_number_and_pin(personas, bbb_server):
    from events import services as events

    Server.objects.filter(pk=bbb_server.pk).update(dial_number=NUMBER)
    room = make_room(personas)
    start = timezone.now() + timedelta(days=2)
    scheduled = events.scheduled_meeting_create(
        club=personas.club,
        created_by=personas.admin,
        room=room,
        title="Vorstandssitzung",
        description="",
        start_at=start,
        end_at=start + timedelta(hours=1),
        guest_emails=["gerda@example.org"],
    )
    events.scheduled_meeting_notify(scheduled_meeting_id=scheduled.pk)
    message = mail.outbox[-1]
    assert f"Per Telefon: {NUMBER}, PIN {room.voice_bridge}" in message.body
    attachment = next(a for a in message.attachments if a.get_content_type() == "text/calendar")
    event = Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")[0]
    assert f"PIN {room.voice_bridge}" in str(event["DESCRIPTION"])


def test_new_voice_bridge_has_no_leading_zero():
    assert all(room_models.new_voice_bridge()[0] != "0" for _ in range(200))


def test_printed_invitation_shows_number_and_pin_only_when_configured(client, personas, bbb_server):
    room = make_room(personas)
    services.room_regenerate_codes(room=room, actor=personas.admin, viewer=True, moderator=True)
    room.refresh_from_db()
    url = reverse("rooms:invitation", kwargs={"club_slug": room.club.slug, "room_id": room.pk})
    client.force_login(personas.member)
    assert 'id="dial-in"' not in client.get(url).content.decode()
    Server.objects.filter(pk=bbb_server.pk).update(dial_number=NUMBER)
    content = client.get(url).content.decode()
    assert f"Ohne Internet per Telefon: {NUMBER} anrufen und die PIN {room.voice_bridge} eingeben." in content
    assert room.moderator_code not in content
