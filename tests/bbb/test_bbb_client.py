"""Every client call against the simulator on a real local port."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"  # the `sim` fixture's secret (the docs' example)

from bbb import BBBClient, BBBError
from bbb.simulator import Simulator


def test_api_version_needs_no_checksum(client: BBBClient) -> None:
    version = client.api_version()
    assert (version.version, version.api_version) == ("2.0", "2.0")
    assert client.calls["apiVersion"] == 1


def test_create_returns_typed_result_with_internal_id_and_string_voice_bridge(client: BBBClient) -> None:
    result = client.create("room-1", "Room One", params={"record": True, "maxParticipants": 5})
    assert result.meeting_id == "room-1"
    sha1, _, ms = result.internal_meeting_id.partition("-")
    assert len(sha1) == 40 and ms.isdigit()
    assert isinstance(result.create_time, datetime) and result.create_time.tzinfo == UTC
    assert int(result.create_time.timestamp() * 1000) == int(ms)
    assert isinstance(result.voice_bridge, str) and len(result.voice_bridge) == 5
    assert result.parent_meeting_id == "bbb-none"
    assert not result.duplicate_warning and result.message_key is None
    assert not result.has_user_joined


def test_create_twice_is_idempotent_with_duplicate_warning(client: BBBClient) -> None:
    first = client.create("room-1", "Room One")
    second = client.create("room-1", "Another name is ignored")
    assert second.duplicate_warning and second.message_key == "duplicateWarning"
    assert second.internal_meeting_id == first.internal_meeting_id
    assert client.calls["create"] == 2


def test_create_with_other_passwords_is_id_not_unique(client: BBBClient) -> None:
    client.create("room-1", "Room One", params={"attendeePW": "ap", "moderatorPW": "mp"})
    with pytest.raises(BBBError) as info:
        client.create("room-1", "Room One", params={"attendeePW": "xx", "moderatorPW": "mp"})
    assert info.value.message_key == "idNotUnique"


def test_meta_params_become_lower_case_metadata(client: BBBClient) -> None:
    client.create(
        "room-1",
        "Room One",
        meta={"endCallbackUrl": "https://x.test/end", "bbb-origin": "herzdigital", "gl_listed": "x"},
    )
    meeting = client.get_meeting_info("room-1")
    # meta_gl_listed has an underscore after the prefix: bbb-web drops it silently.
    assert meeting.metadata == {"endcallbackurl": "https://x.test/end", "bbb-origin": "herzdigital"}


def test_create_with_presentation_posts_modules(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One", presentation_urls=["https://files.test/slides/intro.pdf"])
    documents = sim.state()["meetings"][0]["documents"]
    assert [(d["url"], d["filename"]) for d in documents] == [("https://files.test/slides/intro.pdf", "intro.pdf")]


def test_insert_document(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One")
    client.insert_document("room-1", [("https://files.test/a.pdf", "a.pdf"), ("https://files.test/b.pdf", "Bee.pdf")])
    assert [d["filename"] for d in sim.state()["meetings"][0]["documents"]] == ["a.pdf", "Bee.pdf"]
    with pytest.raises(BBBError) as info:
        client.insert_document("nope-room", [("https://files.test/a.pdf", "a.pdf")])
    assert info.value.message_key == "notFound"


def test_created_meeting_is_not_running_until_someone_enters(client: BBBClient, sim: Simulator) -> None:
    client.create("room-1", "Room One")
    assert client.is_meeting_running("room-1") is False
    info = client.get_meeting_info("room-1")
    assert not info.running and not info.has_user_joined and info.participant_count == 0 and info.attendees == []
    assert info.start_time is not None and info.end_time is None
    sim.add_attendees("room-1", 2, role="VIEWER", voice=True)
    sim.add_attendees("room-1", 1, role="MODERATOR", video=True)
    assert client.is_meeting_running("room-1") is True
    info = client.get_meeting_info("room-1")
    assert (info.participant_count, info.moderator_count, info.voice_participant_count, info.video_count) == (
        3,
        1,
        2,
        1,
    )
    assert info.listener_count == 1
    assert {a.role for a in info.attendees} == {"VIEWER", "MODERATOR"}


def test_is_meeting_running_for_unknown_meeting_is_false(client: BBBClient) -> None:
    assert client.is_meeting_running("never-created") is False


def test_get_meeting_info_for_unknown_meeting_is_not_found(client: BBBClient) -> None:
    with pytest.raises(BBBError) as info:
        client.get_meeting_info("never-created")
    assert info.value.message_key == "notFound"


def test_get_meetings_lists_all_and_empty_is_no_error(client: BBBClient, sim: Simulator) -> None:
    assert client.get_meetings() == []
    client.create("room-1", "Room One")
    client.create("room-2", "Room Two", meta={"club": "7"})
    sim.add_attendees("room-2", 4)
    meetings = {m.meeting_id: m for m in client.get_meetings()}
    assert set(meetings) == {"room-1", "room-2"}
    assert meetings["room-2"].running and meetings["room-2"].participant_count == 4
    assert meetings["room-2"].metadata == {"club": "7"}
    assert client.calls["getMeetings"] == 2


def test_end_removes_the_meeting(client: BBBClient, sim: Simulator) -> None:
    first = client.create("room-1", "Room One")
    assert client.end("room-1") is None
    # `end` is asynchronous (bbb-web hands it to akka-apps): still listed right after the answer.
    assert [m.meeting_id for m in client.get_meetings()] == ["room-1"]
    sim.advance(1)
    assert client.is_meeting_running("room-1") is False
    with pytest.raises(BBBError):
        client.get_meeting_info("room-1")
    with pytest.raises(BBBError) as info:
        client.end("room-1")
    assert info.value.message_key == "notFound"
    # Re-creating after removal starts a new session with a new internal id.
    assert client.create("room-1", "Room One").internal_meeting_id != first.internal_meeting_id


def test_join_url_is_signed_locally_without_http(client: BBBClient) -> None:
    url = client.join_url("room-1", "Ada Lovelace", role="moderator", user_id="u-1", avatar_url="https://a.test/x.png")
    assert sum(client.calls.values()) == 0
    assert url.startswith(client.base_url + "join?fullName=Ada+Lovelace&meetingID=room-1&role=MODERATOR&guest=false")
    assert "userID=u-1" in url and "avatarURL=https%3A%2F%2Fa.test%2Fx.png" in url and "redirect=true" in url


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha384", "sha512"])
def test_every_algorithm_is_accepted_by_the_simulator(api_url: str, algorithm: str) -> None:
    client = BBBClient(api_url, SECRET, checksum_algorithm=algorithm)
    client.create("room-1", "Room One")
    assert client.get_meeting_info("room-1").name == "Room One"


def test_odd_characters_survive_the_round_trip(client: BBBClient) -> None:
    name = "Café & Co: 100% <Straße> ~*'()! +plus"
    client.create("room ä/1", name, meta={"note": "a&b=c"})
    info = client.get_meeting_info("room ä/1")
    assert info.name == name and info.meeting_id == "room ä/1" and info.metadata == {"note": "a&b=c"}


def test_bbb_package_imports_no_django() -> None:
    code = "import sys, bbb, bbb.simulator, bbb.parsing; sys.exit(1 if 'django' in sys.modules else 0)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
