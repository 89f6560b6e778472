"""Recording lifecycle, callbacks and the recordings API."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import jwt
import pytest
import requests

if TYPE_CHECKING:
    from conftest import CallbackServer

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"  # the `sim` fixture's secret (the docs' example)

from bbb import BBBClient, BBBError
from bbb.simulator import Simulator


def wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_end_callback_is_called_with_recordingmarks_and_meeting_id(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer
) -> None:
    client.create("room-1", "Room One", meta={"endCallbackUrl": f"{callback_server.url}/bbb/ended?token=abc"})
    sim.add_attendees("room-1", 1, role="MODERATOR")
    client.end("room-1")
    sim.advance(1)  # akka-apps reports the end
    # CallbackUrlService: a probe GET (followRedirect) and then the real GET, same URL.
    probe, received = callback_server.wait(2)
    assert probe.method == received.method == "GET" and received.path == "/bbb/ended"
    assert probe.query == received.query
    assert received.query == {"token": ["abc"], "recordingmarks": ["false"], "meetingID": ["room-1"]}


def test_recorded_meeting_is_processing_then_published_with_signed_ready_callback(
    client: BBBClient, sim: Simulator, callback_server: CallbackServer
) -> None:
    sim.configure(recording_delay=0.3, recording_format_delay_seconds=0.3)
    created = client.create(
        "room-1",
        "Room One",
        params={"record": True, "autoStartRecording": True},
        meta={
            "bbb-recording-ready-url": f"{callback_server.url}/bbb/recording-ready",
            "endCallbackUrl": f"{callback_server.url}/bbb/ended",
            "club": "7",
        },
    )
    sim.add_attendees("room-1", 3)
    assert client.get_meeting_info("room-1").recording
    client.end("room-1")
    sim.advance(0.5)  # the end takes effect; processing has begun (0.3 s more to go)

    processing = client.get_recordings(meeting_ids=["room-1"], states=["processing"]).recordings
    assert [r.record_id for r in processing] == [created.internal_meeting_id]
    assert processing[0].state == "processing" and not processing[0].published
    assert client.get_recordings(meeting_ids=["room-1"]).recordings == []  # default: published + unpublished

    requests_seen = callback_server.wait(4)  # probe + end GET, then one ready post per format
    ended = next(r for r in requests_seen if r.path == "/bbb/ended")
    assert ended.query["recordingmarks"] == ["true"]
    ready, second = [r for r in requests_seen if r.path == "/bbb/recording-ready"]
    assert ready.method == second.method == "POST" and ready.body == second.body  # an identical token
    token = parse_qs(ready.body.decode())["signed_parameters"][0]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims == {"meeting_id": "room-1", "record_id": created.internal_meeting_id}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-that-is-long-enough-for-hs256", algorithms=["HS256"])

    [recording] = client.get_recordings(record_ids=[created.internal_meeting_id]).recordings
    assert recording.state == "published" and recording.published
    assert recording.meeting_id == "room-1" and recording.internal_meeting_id == created.internal_meeting_id
    assert recording.participants == 3 and recording.size and recording.raw_size
    assert recording.metadata["club"] == "7" and recording.metadata["meetingName"] == "Room One"
    assert [f.type for f in recording.formats] == ["presentation", "video"]
    presentation = recording.formats[0]
    assert len(presentation.previews) == 3 and presentation.previews[0].width == 176
    assert requests.get(presentation.url, timeout=5).status_code == 200  # playback page is served


def test_recording_switched_on_in_the_client_page(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One", params={"record": True})
    browser = requests.Session()
    loading = browser.get(client.join_url("room-1", "Mod", role="MODERATOR"), timeout=5)
    token = parse_qs(loading.url.split("?", 1)[1])["sessionToken"][0]
    base = loading.url.split("/html5client/")[0]
    page = browser.post(f"{base}/html5client/connect", data={"sessionToken": token}, timeout=5)
    assert 'data-testid="sim-start-recording"' in page.text
    page = browser.post(f"{base}/html5client/record", data={"sessionToken": token, "on": "true"}, timeout=5)
    assert 'data-testid="sim-recording"' in page.text
    client.end("room-1")
    sim.advance(1)
    assert len(client.get_recordings(meeting_ids=["room-1"]).recordings) == 1


def test_meeting_without_recording_marks_leaves_no_recording(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One", params={"record": True})
    sim.add_attendees("room-1", 2)
    client.end("room-1")
    sim.advance(1)
    assert client.get_meetings() == []
    assert client.get_recordings(meeting_ids=["room-1"], states=["any"]).recordings == []


def test_pagination_and_iterator_walk_every_recording(client: BBBClient, sim: Simulator) -> None:
    ids = [sim.add_recording("room-1", start_time=1_700_000_000_000 + n * 1000) for n in range(25)]
    page = client.get_recordings(meeting_ids=["room-1"], offset=20, limit=10)
    assert page.total_elements == 25 and len(page.recordings) == 5 and (page.offset, page.limit) == (20, 10)
    assert [r.record_id for r in client.iter_recordings(meeting_ids=["room-1"], page_size=10)] == ids
    assert client.calls["getRecordings"] == 4  # 1 + three pages of 10


def test_recordings_filters(client: BBBClient, sim: Simulator) -> None:
    a = sim.add_recording("room-a", meta={"club": "7", "room": "alpha"})
    b = sim.add_recording("room-b", meta={"club": "8"}, published=False)
    c = sim.add_recording("room-c", state="deleted")
    ids = lambda **kw: {r.record_id for r in client.get_recordings(**kw).recordings}
    assert ids() == {a, b}
    assert ids(meeting_ids=["room-a", "room-b"]) == {a, b}
    assert ids(record_ids=[a[:45]]) == {a}  # prefix match
    assert ids(states=["deleted"]) == {c}
    assert ids(states=["any"]) == {a, b, c}
    assert ids(meta={"club": "7"}) == {a}
    assert ids(meta={"room": "al%"}) == {a}
    assert client.get_recordings(meeting_ids=["nobody"]).recordings == []


def test_publish_update_delete_with_several_ids(client: BBBClient, sim: Simulator) -> None:
    a, b = sim.add_recording("room-1"), sim.add_recording("room-2")
    assert client.publish_recordings([a, b], False) is False
    assert {r.state for r in client.get_recordings().recordings} == {"unpublished"}
    assert client.publish_recordings([a, "unknown-id"], True) is True

    assert client.update_recordings([a, b], {"name": "Neu", "club": "9"}) is True
    assert client.update_recordings([a], {"club": ""}) is True  # empty value removes the key
    recs = {r.record_id: r for r in client.get_recordings().recordings}
    assert recs[a].metadata["name"] == "Neu" and "club" not in recs[a].metadata and recs[b].metadata["club"] == "9"

    assert client.delete_recordings([a, b]) is True
    assert client.get_recordings().recordings == []
    assert {r.state for r in client.get_recordings(states=["deleted"]).recordings} == {"deleted"}
    for call in (
        lambda: client.delete_recordings([a]),
        lambda: client.publish_recordings(["nope"], True),
        lambda: client.update_recordings(["nope"], {"x": "y"}),
    ):
        with pytest.raises(BBBError) as info:
            call()
        assert info.value.message_key == "notFound"
        assert info.value.message == "We could not find recordings"


def test_fetching_all_recordings_can_be_disallowed(client: BBBClient, sim: Simulator) -> None:
    sim.add_recording("room-1")
    sim.configure(allow_fetch_all_recordings=False)
    assert client.get_recordings().recordings == []
    assert len(client.get_recordings(limit=10).recordings) == 1
