"""Finding 9: what the public room page and its status endpoint tell somebody who only has the link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.events.helpers import plan
from tests.factories import MeetingFactory, RecordingFactory, RoomFactory

TITLE = "Vertrauliche Vorstandssitzung"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def room(personas, bbb_server):
    room = RoomFactory(club=personas.club, name="Vorstand", viewer_code="482913")
    plan(club=personas.club, room=room, by=personas.owner, day=timezone.localdate() + timedelta(days=2), title=TITLE)
    MeetingFactory(room=room, server=bbb_server, participant_count=7)
    return room


def _public(client: Client, room) -> str:
    return client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).content.decode()


def _status(client: Client, room) -> dict:
    return client.get(reverse("rooms:status", kwargs={"friendly_id": room.friendly_id})).json()


def _join(client: Client, room, code: str):
    url = reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})
    return client.post(url, {"name": "Gabi", "code": code})


def test_a_stranger_with_the_link_sees_neither_the_next_meeting_nor_the_participants(room):
    stranger = Client()
    page = _public(stranger, room)
    assert TITLE not in page
    assert "Nächster geplanter Termin" in page  # only when: early guests know when to come back
    status = _status(stranger, room)
    assert status == {"state": "running", "joinable": True}


def test_a_wrong_code_reveals_nothing_either(room):
    stranger = Client()
    _join(stranger, room, "000000")
    assert TITLE not in _public(stranger, room)
    assert "participants" not in _status(stranger, room)


def test_after_the_right_code_the_guest_sees_them(room):
    guest = Client()
    assert _join(guest, room, "482913").status_code == 302
    assert TITLE in _public(guest, room)
    assert _status(guest, room)["participants"] == 7


def test_members_see_them_without_a_code(room, personas):
    member = Client()
    member.force_login(personas.member)
    assert TITLE in _public(member, room)
    assert _status(member, room)["participants"] == 7


def test_a_new_code_takes_the_details_away_from_guests_of_the_old_one(room, personas):
    from rooms import services

    guest = Client()
    _join(guest, room, "482913")
    services.room_regenerate_codes(room=room, actor=personas.owner, viewer=True)
    assert TITLE not in _public(guest, room)


def test_a_room_without_a_guest_code_shows_them_to_everybody_with_the_link(room):
    room.viewer_code = ""
    room.save()
    assert TITLE in _public(Client(), room)
    assert _status(Client(), room)["participants"] == 7


def test_published_recordings_are_shown_only_when_the_room_says_so(room):
    RecordingFactory(room=room, name="Mitschnitt Januar")
    assert "Mitschnitt Januar" not in _public(Client(), room)
    room.show_recordings_publicly = True
    room.save()
    assert "Mitschnitt Januar" in _public(Client(), room)
