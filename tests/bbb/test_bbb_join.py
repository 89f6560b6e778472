"""Joining like a browser: follow the signed join URL and land in the simulated client."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bbb import BBBClient, BBBError
from bbb.parsing import parse_response
from bbb.simulator import Simulator


def token_of(page: requests.Response) -> str:
    return parse_qs(urlsplit(page.url).query)["sessionToken"][0]


def post(page: requests.Response, path: str, **fields: str) -> requests.Response:
    base = f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}"
    return requests.post(f"{base}/html5client/{path}", data={"sessionToken": token_of(page), **fields}, timeout=5)


def connect(page: requests.Response) -> requests.Response:
    """What the HTML5 client does once loaded: connect, and only then is the user in the meeting."""
    assert 'data-testid="sim-connect"' in page.text, page.text
    return post(page, "connect")


def enter(client: BBBClient, meeting_id: str, name: str, **kwargs: object) -> requests.Response:
    """Follow the join URL like a browser and let the client connect (when it is let in)."""
    page = requests.get(client.join_url(meeting_id, name, **kwargs), timeout=5)  # type: ignore[arg-type]
    return connect(page) if "/html5client/join" in page.url else page


def test_following_the_join_url_enters_the_meeting(client: BBBClient) -> None:
    client.create("room-1", "Vereinsabend")
    first_hop = requests.get(client.join_url("room-1", "Ada", role="MODERATOR"), allow_redirects=False, timeout=5)
    assert first_hop.status_code == 302
    assert "/html5client/join?sessionToken=" in first_hop.headers["Location"]
    assert client.is_meeting_running("room-1") is False  # join alone does not make it run

    loading = requests.get(client.join_url("room-1", "Ada", role="MODERATOR", user_id="user-42"), timeout=5)
    assert "/html5client/join" in loading.url and 'data-testid="sim-connecting"' in loading.text
    assert client.get_meeting_info("room-1").attendees == []  # the client has not connected yet
    page = connect(loading)
    assert page.status_code == 200 and "/html5client/meeting" in page.url
    assert re.search(r'id="sim-meeting-name"[^>]*>Vereinsabend<', page.text)
    assert re.search(r'id="sim-role"[^>]*>MODERATOR<', page.text)
    assert 'data-testid="sim-end-meeting"' in page.text and 'data-testid="sim-leave"' in page.text

    info = client.get_meeting_info("room-1")
    assert info.running and info.has_user_joined and info.participant_count == 1 and info.moderator_count == 1
    assert info.attendees[0].user_id == "user-42" and info.attendees[0].full_name == "Ada"
    assert info.attendees[0].is_presenter


def test_counts_follow_who_is_in_the_meeting(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One")
    enter(client, "room-1", "Mod", role="MODERATOR")
    viewer = enter(client, "room-1", "Viewer")
    assert 'data-testid="sim-end-meeting"' not in viewer.text
    sim.add_attendees("room-1", 2, voice=True, video=True)
    info = client.get_meeting_info("room-1")
    assert (info.participant_count, info.moderator_count, info.voice_participant_count, info.video_count) == (
        4,
        1,
        2,
        2,
    )
    post(viewer, "leave")
    info = client.get_meeting_info("room-1")
    assert info.participant_count == 3 and info.running
    # getMeetings counts the users map, where the one who left stays until purged (usersTimeout, 60 s).
    assert client.get_meetings()[0].participant_count == 4
    sim.advance(61)
    assert client.get_meetings()[0].participant_count == 3


def test_last_user_leaving_ends_the_meeting_after_the_expiry(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One")
    page = enter(client, "room-1", "Mod", role="MODERATOR")
    post(page, "leave")
    info = client.get_meeting_info("room-1")
    # Left users stay in bbb-web's users map for a while: running, but nobody online.
    assert info.running and info.participant_count == 0 and info.end_time is not None
    sim.advance(61)
    assert client.is_meeting_running("room-1") is False
    with pytest.raises(BBBError):
        client.get_meeting_info("room-1")


def test_meeting_nobody_enters_expires(client: BBBClient, sim: Simulator) -> None:
    sim.configure(meeting_expiry_seconds=0.2)
    client.create("room-1", "Room One")
    assert len(client.get_meetings()) == 1
    sim.advance(1)
    assert client.get_meetings() == []


def test_moderator_ends_the_meeting_from_the_client(client: BBBClient) -> None:
    client.create("room-1", "Room One")
    page = enter(client, "room-1", "Mod", role="MODERATOR")
    ended = post(page, "end")
    assert 'data-testid="sim-ended"' in ended.text
    assert client.is_meeting_running("room-1") is False  # ending from the client is not the `end` call


def test_joining_a_meeting_that_does_not_exist_redirects_with_errors(client: BBBClient, sim: Simulator) -> None:
    answer = requests.get(client.join_url("nope-room", "Ada"), allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    errors = json.loads(parse_qs(location.query)["errors"][0])
    assert errors == [{"key": "invalidMeetingIdentifier", "message": "A meeting with that ID does not exist"}]
    landed = requests.get(client.join_url("nope-room", "Ada"), timeout=5)
    assert 'id="sim-join-errors"' in landed.text


def test_join_with_redirect_false_answers_xml(client: BBBClient) -> None:
    missing = requests.get(client.join_url("nope-room", "Ada", redirect=False), allow_redirects=False, timeout=5)
    with pytest.raises(BBBError) as info:
        parse_response("join", missing.content)
    assert info.value.message_key == "invalidMeetingIdentifier"

    client.create("room-1", "Room One")
    answer = requests.get(client.join_url("room-1", "Ada", redirect=False), allow_redirects=False, timeout=5)
    joined = parse_response("join", answer.content)
    assert joined.message_key == "successfullyJoined" and joined.guest_status == "ALLOW"
    assert joined.user_id.startswith("w_") and len(joined.session_token) == 16
    loading = requests.get(joined.url, timeout=5)
    assert loading.status_code == 200 and not client.is_meeting_running("room-1")
    connect(loading)
    assert client.is_meeting_running("room-1")


def test_join_with_wrong_create_time_is_refused(client: BBBClient) -> None:
    client.create("room-1", "Room One")
    answer = requests.get(
        client.join_url("room-1", "Ada", extra={"createTime": "123"}), allow_redirects=False, timeout=5
    )
    assert "mismatchCreateTimeParam" in requests.utils.unquote(answer.headers["Location"])


def test_ask_moderator_holds_guests_in_the_lobby_until_admitted(client: BBBClient) -> None:
    client.create("room-1", "Room One", params={"guestPolicy": "ASK_MODERATOR"})
    moderator = enter(client, "room-1", "Mod", role="MODERATOR")
    guest = enter(client, "room-1", "Gast", guest=True)
    assert "/html5client/guestWait" in guest.url and 'data-testid="sim-guest-wait"' in guest.text
    assert 'http-equiv="refresh"' in guest.text
    assert client.get_meeting_info("room-1").participant_count == 1

    # Authenticated members (guest=false) go straight in even under ASK_MODERATOR.
    member = enter(client, "room-1", "Mitglied", guest=False)
    assert "/html5client/meeting" in member.url

    lobby = requests.get(moderator.url, timeout=5).text
    assert 'data-testid="sim-lobby-guest"' in lobby and "Gast" in lobby
    guest_token = token_of(guest)
    post(moderator, "admit", guest=guest_token, decision="allow")
    admitted = connect(requests.get(guest.url, timeout=5))
    assert "/html5client/meeting" in admitted.url
    assert client.get_meeting_info("room-1").participant_count == 3


def test_viewer_without_guest_param_waits_under_ask_moderator(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One", params={"guestPolicy": "ASK_MODERATOR"})
    url = client.url("join", {"fullName": "V", "meetingID": "room-1", "role": "VIEWER"})
    assert "/html5client/guestWait" in requests.get(url, allow_redirects=False, timeout=5).headers["Location"]


def test_denied_guest_and_always_deny(client: BBBClient) -> None:
    client.create("room-1", "Room One", params={"guestPolicy": "ASK_MODERATOR"})
    moderator = enter(client, "room-1", "Mod", role="MODERATOR")
    guest = enter(client, "room-1", "Gast", guest=True)
    post(moderator, "admit", guest=token_of(guest), decision="deny")
    assert 'data-testid="sim-denied"' in requests.get(guest.url, timeout=5).text

    client.create("room-2", "Room Two", params={"guestPolicy": "ALWAYS_DENY"})
    answer = requests.get(client.join_url("room-2", "Gast", guest=True), allow_redirects=False, timeout=5)
    assert "guestDeniedAccess" in requests.utils.unquote(answer.headers["Location"])


def test_max_participants_is_enforced(client: BBBClient) -> None:
    client.create("room-1", "Room One", params={"maxParticipants": 1})
    enter(client, "room-1", "First", user_id="u1")
    refused = requests.get(client.join_url("room-1", "Second", user_id="u2"), allow_redirects=False, timeout=5)
    assert "maxParticipantsReached" in requests.utils.unquote(refused.headers["Location"])
    again = requests.get(client.join_url("room-1", "First again", user_id="u1"), allow_redirects=False, timeout=5)
    assert "/html5client/join" in again.headers["Location"]


def test_password_join_and_params_required(client: BBBClient) -> None:
    client.create("room-1", "Room One", params={"attendeePW": "ap", "moderatorPW": "mp"})
    url = client.url("join", {"fullName": "Old style", "meetingID": "room-1", "password": "mp"})
    page = connect(requests.get(url, timeout=5))
    assert re.search(r'id="sim-role"[^>]*>MODERATOR<', page.text)
    bad = requests.get(client.url("join", {"fullName": "X", "meetingID": "room-1", "password": "nope"}), timeout=5)
    with pytest.raises(BBBError) as info:
        parse_response("join", bad.content)
    assert info.value.message_key == "Params required"
