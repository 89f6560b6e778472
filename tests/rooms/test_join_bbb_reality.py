"""Join URLs against bbb-web's real rules: createTime binds them to a session, refusals land on our page.

Issue 14 bugs 3 and 7, issue 15.3.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from bbb.parsing import epoch_ms
from clubs.models import Membership
from meetings.models import Meeting
from rooms import services
from rooms.bbb_errors import join_problems
from tests.factories import RoomFactory


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Elternabend")


def start(room, name: str = "Vorstand") -> str:
    return services.meeting_start(room=room, display_name=name)


def end(room, simulator, actor) -> None:
    services.meeting_end(meeting=Meeting.objects.get(room=room, ended_at__isnull=True), actor=actor)
    simulator.advance(1)  # bbb-web's end takes effect asynchronously


def follow(url: str) -> str:
    """What the browser is sent to by BBB (the first redirect)."""
    return requests.get(url, allow_redirects=False, timeout=5).headers["Location"]


def test_join_url_carries_the_meetings_create_time_and_our_error_page(room, bbb_server, simulator, settings):
    url = start(room)
    meeting = Meeting.objects.get(room=room)
    query = query_of(url)
    assert meeting.create_time is not None and query["createTime"] == str(epoch_ms(meeting.create_time))
    returned = f"{settings.SITE_URL}{reverse('rooms:returned', kwargs={'friendly_id': room.friendly_id})}"
    assert query["errorRedirectUrl"] == returned
    assert simulator.meetings[room.meeting_id].logout_url == returned  # logoutURL on create
    assert "/html5client/join" in follow(url)


def test_removed_members_link_does_not_open_the_next_meeting(room, bbb_server, simulator, personas):
    member_link = services.meeting_start(room=room, display_name="Max Mitglied", role=services.MODERATOR)
    end(room, simulator, personas.owner)
    Membership.objects.filter(user=personas.member, club=personas.club).delete()

    start(room, "Vorstand")  # the next meeting of the same room (same meetingID)
    location = follow(member_link)
    assert "/r/" in location and "/zurueck/" in location
    assert json.loads(query_of(location)["errors"])[0]["key"] == "mismatchCreateTimeParam"


def test_guests_link_from_before_a_code_change_does_not_open_the_next_meeting(
    client, room, bbb_server, simulator, personas
):
    room.viewer_code = "4711"
    room.save()
    start(room)
    join = reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})
    guest_link = client.post(join, {"name": "Gabi Gast", "code": "4711"})["Location"]
    assert "/html5client/join" in follow(guest_link)
    end(room, simulator, personas.owner)
    room.viewer_code = "0815"
    room.save()

    start(room)
    assert json.loads(query_of(follow(guest_link))["errors"])[0]["key"] == "mismatchCreateTimeParam"
    assert client.post(join, {"name": "Gabi Gast", "code": "4711"}).status_code == 400  # the old code is wrong now


def test_refused_join_lands_on_our_page_which_explains_it_in_german_and_english(client, room, bbb_server, simulator):
    room.max_participants = 1
    room.save()
    start(room)
    simulator.add_attendees(room.meeting_id, 1)
    join = reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})
    location = follow(client.post(join, {"name": "Gabi"})["Location"])
    assert location.startswith("http") and "errors=" in location

    page = client.get(location)
    text = page.content.decode()
    assert page.status_code == 200 and 'data-error-key="maxParticipantsReached"' in text
    assert "Die Besprechung ist voll" in text
    assert reverse("rooms:public", kwargs={"friendly_id": room.friendly_id}) in text  # the way back
    with translation.override("en"):
        [problem] = join_problems(query_of(location)["errors"])
    assert problem.text.startswith("The meeting is full")


def test_leaving_lands_on_the_same_page_without_errors(client, room):
    page = client.get(reverse("rooms:returned", kwargs={"friendly_id": room.friendly_id}))
    assert page.status_code == 200 and "Sie haben die Besprechung verlassen" in page.content.decode()


@pytest.mark.parametrize(
    ("param", "keys"),
    [
        ('[{"key":"guestDeniedAccess","message":"x"}]', ["guestDeniedAccess"]),
        ('[{"key":"<script>","message":"x"}]', [""]),
        ("not json", [""]),
        ('{"key": "maxParticipantsReached"}', [""]),
        ('[{"key":"checksumError"},{"key":"checksumError"}]', ["checksumError"]),
        ("", []),
    ],
)
def test_join_problems_explain_known_keys_only(param, keys):
    assert [p.key for p in join_problems(param)] == keys
