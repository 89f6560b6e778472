"""Recording consent: in a room that may record, nobody joins or starts before confirming (checked on the server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from rooms import personal_links, services
from tests.factories import RoomFactory

CONSENT = "Bitte bestätigen Sie den Hinweis zur Aufzeichnung, um teilzunehmen."


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Kurs", record=True)


@pytest.fixture
def running(room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Leitung")
    simulator.calls.clear()
    return Meeting.objects.get(room=room)


def join_url(room) -> str:
    return reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})


def test_public_page_shows_the_checkbox_where_the_room_may_record(client, room, personas):
    content = client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).content.decode()
    assert 'name="consent"' in content
    personas.club.recording_allowed = False
    personas.club.save()
    content = client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).content.decode()
    assert 'name="consent"' not in content


def test_guest_without_consent_is_refused_and_nothing_happens(client, room, running, simulator):
    response = client.post(join_url(room), {"name": "Gabi Gast"})
    assert response.status_code == 400
    assert CONSENT in response.content.decode()
    assert sum(simulator.calls.values()) == 0
    assert not any(key.startswith("rooms:join") for key in client.session.keys())
    assert client.post(join_url(room), {"name": "Gabi Gast", "consent": "1"}).status_code == 302


def test_a_forged_consent_value_does_not_count(client, room, running):
    assert client.post(join_url(room), {"name": "Gabi Gast", "consent": "yes please"}).status_code == 400


def test_member_without_consent_is_refused(client, personas, room, running):
    client.force_login(personas.member)
    response = client.post(join_url(room))
    assert response.status_code == 400 and CONSENT in response.content.decode()
    assert client.post(join_url(room), {"consent": "1"}).status_code == 302


def test_host_cannot_start_without_consent(client, personas, room, bbb_server, simulator):
    client.force_login(personas.admin)
    start = reverse("rooms:start", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    response = client.post(start, follow=True)
    assert CONSENT in response.content.decode()
    assert simulator.calls["create"] == 0 and not Meeting.objects.exists()
    assert client.post(start, {"consent": "1"}).status_code == 302
    assert simulator.calls["create"] == 1


def test_personal_link_needs_consent_too(client, personas, room, running):
    link = personal_links.personal_link_create(
        room=room, actor=personas.admin, name="Gerda", expires_at=timezone.now() + timedelta(days=1)
    )
    url = reverse("rooms:personal", kwargs={"link_token": link.token})
    response = client.post(url)
    assert response.status_code == 400 and CONSENT in response.content.decode()
    assert client.post(url, {"consent": "1"}).status_code == 302


def test_no_consent_needed_where_nothing_is_recorded(client, personas, running, room):
    room.record = False
    room.save()
    assert client.post(join_url(room), {"name": "Gabi Gast"}).status_code == 302


def test_the_room_form_has_the_public_recordings_switch(client, personas, room):
    client.force_login(personas.admin)
    edit = reverse("rooms:edit", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    assert 'name="show_recordings_publicly"' in client.get(edit).content.decode()
    data = {"name": "Kurs", "welcome_text": "", "viewer_code": "", "moderator_code": "", "max_participants": ""}
    data.update({"end_when_no_moderator_delay": "5", "record": "on", "show_recordings_publicly": "on"})
    assert client.post(edit, data).status_code == 302
    room.refresh_from_db()
    assert room.show_recordings_publicly
