"""Independent check with the third-party ``bigbluebutton-api-python`` 0.0.11.

It signs URLs its own way (SHA-1 only) and parses with jxmlease, so it tells us whether our
signing agrees with someone else's and whether our simulator speaks to a foreign client.

Quirks of that library, worked around here (not in our code):
* mutable default arguments (``params={}``) are filled in place and shared between calls:
  always pass a fresh dict;
* ``create_meeting`` does not send ``name`` (required since BBB 2.4): pass it in ``params``;
* ``end_meeting`` still requires the deprecated ``password``;
* ``get_meetings()``/``get_recordings()`` iterate ``["meeting"]``/``["recording"]``, which jxmlease
  only makes a list when there are at least two: with exactly one item they break;
* ``Record`` reads ``playback.format.type`` as a single node: a recording with several playback
  formats raises ``TypeError`` (see the test below), so recordings for it have one format;
* ``get_recordings`` always sends ``meetingID=&recordID=`` (empty), and ignores ``states``;
* its URL encoder is ``quote_plus`` (leaves ``~`` alone, encodes ``*``), ours is Java's URLEncoder,
  so URL equality is only expected for values without those characters.
"""

from __future__ import annotations

import pytest
import requests
from bigbluebutton_api_python import BigBlueButton
from bigbluebutton_api_python.util import UrlBuilder

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"  # the `sim` fixture's secret (the docs' example)

from bbb import BBBClient
from bbb.simulator import Simulator


@pytest.fixture
def reference(api_url: str) -> BigBlueButton:
    return BigBlueButton(api_url, SECRET)


@pytest.mark.parametrize(
    ("call", "params"),
    [
        (
            "create",
            {"name": "Test Meeting", "meetingID": "abc123", "attendeePW": "111222", "moderatorPW": "333444"},
        ),
        (
            "join",
            {"fullName": "Jürgen Müller", "meetingID": "raum/1 & 2", "role": "VIEWER", "redirect": True},
        ),
        ("getMeetings", {}),
        ("getRecordings", {"meetingID": "a,b", "state": "published,unpublished", "meta_club": "7"}),
    ],
)
def test_our_sha1_urls_equal_the_reference_urls(call: str, params: dict[str, object]) -> None:
    base = "https://bbb.example.org/bigbluebutton/api/"
    ours = BBBClient(base, SECRET, checksum_algorithm="sha1").url(call, params)  # type: ignore[arg-type]
    theirs = UrlBuilder(base, SECRET).buildUrl(call, dict(params))
    assert ours == theirs


def test_reference_client_drives_the_simulator(reference: BigBlueButton, client: BBBClient, sim: Simulator) -> None:
    assert reference.get_api_version().get_version() == "2.0"

    created = reference.create_meeting(
        "ref-room-1", params={"name": "Reference room", "record": "true"}, meta={"club": "7"}
    )
    assert created.get_meetingid() == "ref-room-1"
    assert created.get_voice_bridge() and created.get_dial_number() == "613-555-1234"
    reference.create_meeting("ref-room-2", params={"name": "Second room"})

    join_url = reference.get_join_meeting_url("Ada", "ref-room-1", created.get_moderator_pw(), params={})
    assert join_url.startswith(client.base_url + "join?")
    assert reference.is_meeting_running("ref-room-1").is_meeting_running() is False
    loading = requests.get(join_url, timeout=5)  # password join as moderator
    token = loading.url.split("sessionToken=", 1)[1]
    connected = requests.post(f"{sim.base_url}/html5client/connect", data={"sessionToken": token}, timeout=5)  # type: ignore[attr-defined]
    assert "/html5client/meeting" in connected.url
    assert reference.is_meeting_running("ref-room-1").is_meeting_running() is True

    info = reference.get_meeting_info("ref-room-1")
    assert info.get_meetinginfo().get_meetingname() == "Reference room"
    assert info.get_meetinginfo().get_participantcount() == 1
    assert [a.get_fullname() for a in info.get_attendees()] == ["Ada"]

    meetings = reference.get_meetings().get_meetings()
    assert sorted(m.get_meetingid() for m in meetings) == ["ref-room-1", "ref-room-2"]

    assert reference.end_meeting("ref-room-2", "unused-password").get_return_code() == "SUCCESS"
    sim.advance(1)  # `end` is asynchronous
    assert [m.meeting_id for m in client.get_meetings()] == ["ref-room-1"]

    for n in range(2):
        sim.add_recording("ref-room-1", start_time=1_700_000_000_000 + n, formats=("presentation",))
    records = reference.get_recordings().get_recordings()
    assert len(records) == 2 and {r.get_playbacktype() for r in records} == {"presentation"}
    assert all(r.is_published() and r.get_meetingid() == "ref-room-1" for r in records)


def test_reference_client_breaks_on_recordings_with_several_formats(reference: BigBlueButton, sim: Simulator) -> None:
    for n in range(2):
        sim.add_recording("ref-room", start_time=1_700_000_000_000 + n, formats=("presentation", "video"))
    with pytest.raises(TypeError):
        reference.get_recordings().get_recordings()
