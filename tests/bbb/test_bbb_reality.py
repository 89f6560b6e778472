"""The simulator behaves as bbb-web does where a naive server would not (issue 14).

Each test names the bbb-web (or Scalelite) source the behaviour comes from.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from bbb import BBBClient, BBBError
from bbb.simulator import Simulator

if TYPE_CHECKING:
    from conftest import CallbackServer

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"


def wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def outcomes(sim: Simulator, kind: str = "end") -> list[str]:
    return [e["outcome"] for e in list(sim.callback_log) if e.get("kind") == kind and "outcome" in e]


def errors_of(location: str) -> list[dict[str, str]]:
    return json.loads(parse_qs(urlsplit(location).query)["errors"][0])


# -- end callback: CallbackUrlService -----------------------------------------------------------


def test_end_callback_is_a_probe_get_then_the_real_get_and_2xx_is_delivered(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer
) -> None:
    client.create("room-1", "Room", meta={"endCallbackUrl": f"{callback_server.url}/ended?t=1"})
    client.end("room-1")
    sim.advance(1)
    probe, real = callback_server.wait(2)
    assert (probe.method, real.method) == ("GET", "GET") and probe.query == real.query
    wait_until(lambda: outcomes(sim) == ["delivered"])
    sim.advance(600)  # no retry after a delivered callback
    time.sleep(0.1)
    assert len(callback_server.requests) == 2


def test_end_callback_non_2xx_is_retried_with_backoff_then_given_up(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer
) -> None:
    callback_server.statuses.extend([200, 409] * 5)  # probe OK, real GET refused -- every attempt
    client.create("room-1", "Room", meta={"endCallbackUrl": f"{callback_server.url}/ended"})
    client.end("room-1")
    sim.advance(1)
    wait_until(lambda: outcomes(sim) == ["retry"])
    sim.advance(29)
    time.sleep(0.1)
    assert len(callback_server.requests) == 2  # the first retry waits 30 s
    for expected, step in ((2, 1), (3, 60), (4, 120), (5, 300)):
        sim.advance(step)
        wait_until(lambda expected=expected: len(outcomes(sim)) == expected)
    assert outcomes(sim) == ["retry", "retry", "retry", "retry", "gave_up"]
    assert len(callback_server.requests) == 10


def test_end_callback_probe_must_answer_200_exactly(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer
) -> None:
    # followRedirect accepts only HTTP_OK or a 301/302/303; a 204 fails the attempt before the real GET.
    callback_server.statuses.append(204)
    client.create("room-1", "Room", meta={"endCallbackUrl": f"{callback_server.url}/ended"})
    client.end("room-1")
    sim.advance(1)
    wait_until(lambda: outcomes(sim) == ["retry"])
    assert len(callback_server.requests) == 1
    sim.advance(30)
    wait_until(lambda: outcomes(sim) == ["retry", "delivered"])


# -- recording-ready: rap-publish-worker.rb, post_publish_recording_ready_callback.rb -----------


def test_recording_ready_is_posted_once_per_format_with_the_same_token(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer
) -> None:
    sim.configure(recording_delay=10, recording_format_delay_seconds=20)
    created = client.create(
        "room-1",
        "Room",
        params={"record": True, "autoStartRecording": True},
        meta={"bbb-recording-ready-url": f"{callback_server.url}/ready"},
    )
    sim.add_attendees("room-1", 1, role="MODERATOR")
    client.end("room-1")
    sim.advance(1)
    assert client.get_recordings(meeting_ids=["room-1"]).recordings == []  # still processing
    sim.advance(10)
    [first] = callback_server.wait(1)
    [recording] = client.get_recordings(meeting_ids=["room-1"]).recordings
    assert recording.state == "published" and [f.type for f in recording.formats] == ["presentation"]
    sim.advance(20)
    first, second = callback_server.wait(2)
    assert first.body == second.body
    token = parse_qs(second.body.decode())["signed_parameters"][0]
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["record_id"] == created.internal_meeting_id
    [recording] = client.get_recordings(meeting_ids=["room-1"]).recordings
    assert [f.type for f in recording.formats] == ["presentation", "video"]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the docs' 36-byte secret
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_recording_ready_token_uses_the_configured_algorithm(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer, algorithm: str
) -> None:
    sim.configure(recording_ready_jwt_algorithm=algorithm, recording_format_delay_seconds=0)
    client.create(
        "room-1",
        "Room",
        params={"record": True, "autoStartRecording": True},
        meta={"bbb-recording-ready-url": f"{callback_server.url}/ready"},
    )
    sim.add_attendees("room-1", 1)
    client.end("room-1")
    sim.advance(1)
    token = parse_qs(callback_server.wait(1)[0].body.decode())["signed_parameters"][0]
    assert jwt.get_unverified_header(token)["alg"] == algorithm


# -- join ----------------------------------------------------------------------------------------


def test_join_accepts_get_only(client: BBBClient) -> None:
    # UrlMappings.groovy: "/bigbluebutton/api/join" maps GET only (3.0 dropped the other methods).
    client.create("room-1", "Room")
    url = client.join_url("room-1", "Ada")
    assert requests.post(url, timeout=5, allow_redirects=False).status_code == 405
    assert requests.get(url, timeout=5, allow_redirects=False).status_code == 302


def test_join_errors_go_to_error_redirect_url_then_logout_url_then_the_default(
    client: BBBClient, sim: Simulator
) -> None:
    client.create("room-1", "Room", params={"maxParticipants": 1, "logoutURL": "https://club.test/bye"})
    sim.add_attendees("room-1", 1)
    refused = client.join_url("room-1", "Bea", error_redirect_url="https://club.test/refused?room=1")
    location = requests.get(refused, timeout=5, allow_redirects=False).headers["Location"]
    assert location.startswith("https://club.test/refused?room=1&errors=")
    assert errors_of(location)[0]["key"] == "maxParticipantsReached"

    location = requests.get(client.join_url("room-1", "Bea"), timeout=5, allow_redirects=False).headers["Location"]
    assert location.startswith("https://club.test/bye?errors=")

    client.create("room-2", "Room two", params={"maxParticipants": 1})
    sim.add_attendees("room-2", 1)
    location = requests.get(client.join_url("room-2", "Bea"), timeout=5, allow_redirects=False).headers["Location"]
    assert location.startswith(f"{sim.base_url}?errors=")  # type: ignore[attr-defined]


def test_join_url_with_an_old_create_time_is_refused(client: BBBClient, sim: Simulator) -> None:
    first = client.create("room-1", "Room")
    old_url = client.join_url("room-1", "Ada", role="MODERATOR", create_time=first.create_time)
    assert "/html5client/join" in requests.get(old_url, timeout=5, allow_redirects=False).headers["Location"]
    client.end("room-1")
    sim.advance(1)
    again = client.create("room-1", "Room")
    assert again.create_time != first.create_time
    location = requests.get(old_url, timeout=5, allow_redirects=False).headers["Location"]
    assert errors_of(location)[0]["key"] == "mismatchCreateTimeParam"


def test_attendee_is_listed_only_after_the_client_connects(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room")
    loading = requests.get(client.join_url("room-1", "Ada", role="MODERATOR"), timeout=5)
    assert "/html5client/join" in loading.url and 'data-testid="sim-connect"' in loading.text
    assert client.get_meeting_info("room-1").attendees == [] and not client.is_meeting_running("room-1")
    token = parse_qs(urlsplit(loading.url).query)["sessionToken"][0]
    requests.post(f"{sim.base_url}/html5client/connect", data={"sessionToken": token}, timeout=5)  # type: ignore[attr-defined]
    assert [a.full_name for a in client.get_meeting_info("room-1").attendees] == ["Ada"]


def test_end_is_asynchronous(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room")
    sim.add_attendees("room-1", 1)
    client.end("room-1")
    assert client.get_meeting_info("room-1").running  # the answer only says the request was sent
    assert client.end("room-1") is None  # asking again is fine
    sim.advance(1)
    with pytest.raises(BBBError) as info:
        client.get_meeting_info("room-1")
    assert info.value.message_key == "notFound"


def test_unjoined_meetings_expire_after_five_minutes_and_emptied_ones_after_one(
    client: BBBClient, sim: Simulator
) -> None:
    client.create("never-joined", "Room")
    client.create("emptied", "Room")
    [user] = sim.add_attendees("emptied", 1)
    token = next(t for t, u in sim.meetings["emptied"].users.items() if u.user_id == user)
    requests.post(f"{sim.base_url}/html5client/leave", data={"sessionToken": token}, timeout=5)  # type: ignore[attr-defined]
    sim.advance(59)
    assert {m.meeting_id for m in client.get_meetings()} == {"never-joined", "emptied"}
    sim.advance(2)
    assert {m.meeting_id for m in client.get_meetings()} == {"never-joined"}
    sim.advance(240)
    assert client.get_meetings() == []


# -- Scalelite -----------------------------------------------------------------------------------


@pytest.fixture
def scalelite(sim: Simulator) -> Simulator:
    sim.configure(profile="scalelite", backends=("bbb-1", "bbb-2"))
    return sim


def test_scalelite_refuses_sha384(scalelite: Simulator, api_url: str) -> None:
    for algorithm, ok in (("sha1", True), ("sha256", True), ("sha384", False), ("sha512", True)):
        bbb = BBBClient(api_url, SECRET, checksum_algorithm=algorithm)
        if ok:
            bbb.check_secret()
        else:
            with pytest.raises(BBBError) as info:
                bbb.check_secret()
            assert info.value.message_key == "checksumError"


def test_scalelite_with_get_meetings_disabled_answers_no_meetings_even_to_a_wrong_secret(
    scalelite: Simulator, client: BBBClient, api_url: str
) -> None:
    client.create("room-1", "Room")
    scalelite.configure(get_meetings_disabled=True)
    assert client.get_meetings() == []  # an "empty" answer although a meeting runs
    assert BBBClient(api_url, "wrong-secret").get_meetings() == []
    assert client.get_meeting_info("room-1").meeting_id == "room-1"


def test_scalelite_with_one_backend_down_fails_get_meetings_and_its_meetings_only(
    scalelite: Simulator, client: BBBClient
) -> None:
    client.create("room-1", "Room")
    client.create("room-2", "Room")
    backends = {m["meetingID"]: m["backend"] for m in scalelite.state()["meetings"]}
    assert set(backends.values()) == {"bbb-1", "bbb-2"}
    down = backends["room-1"]
    scalelite.configure(down_backends=(down,))
    with pytest.raises(BBBError) as info:
        client.get_meetings()
    assert (info.value.message_key, info.value.message) == ("internalError", "Unable to access server.")
    with pytest.raises(BBBError) as info:
        client.get_meeting_info("room-1")
    assert info.value.message_key == "internalError"
    with pytest.raises(BBBError):
        client.is_meeting_running("room-1")
    assert client.get_meeting_info("room-2").meeting_id == "room-2"
    with pytest.raises(BBBError) as info:
        client.get_meeting_info("gone")
    assert info.value.message_key == "notFound"
    assert client.create("room-3", "Room").meeting_id == "room-3"  # new meetings go to the live backend
    assert {m["meetingID"]: m["backend"] for m in scalelite.state()["meetings"]}["room-3"] != down


def test_scalelite_notifies_recording_ready_once_after_all_formats(
    scalelite: Simulator, client: BBBClient, callback_server: CallbackServer
) -> None:
    scalelite.configure(recording_format_delay_seconds=5)
    client.create(
        "room-1",
        "Room",
        params={"record": True, "autoStartRecording": True},
        meta={"bbb-recording-ready-url": f"{callback_server.url}/ready"},
    )
    scalelite.add_attendees("room-1", 1)
    client.end("room-1")
    scalelite.advance(10)
    [ready] = callback_server.wait(1)
    time.sleep(0.1)
    assert len(callback_server.requests) == 1
    token = parse_qs(ready.body.decode())["signed_parameters"][0]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
