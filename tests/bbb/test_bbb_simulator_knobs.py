"""The simulator's /_sim/ knobs over HTTP (used by demos and browser tests)."""

from __future__ import annotations

import requests

from bbb import BBBClient
from bbb.simulator import Simulator


def test_knobs_over_http(client: BBBClient, sim: Simulator) -> None:
    base = f"{sim.base_url}/_sim"  # type: ignore[attr-defined]
    client.create("room-1", "Room One")
    added = requests.post(f"{base}/attendees", json={"meetingID": "room-1", "count": 3, "voice": True}, timeout=5)
    assert len(added.json()["user_ids"]) == 3
    assert client.get_meeting_info("room-1").voice_participant_count == 3

    state = requests.get(f"{base}/state", timeout=5).json()
    assert state["meetings"][0]["meetingID"] == "room-1" and len(state["meetings"][0]["users"]) == 3
    assert requests.get(f"{base}/calls", timeout=5).json() == {"create": 1, "getMeetingInfo": 1}

    config = requests.post(
        f"{base}/config", json={"recording_delay": 2, "supported_checksum_algorithms": "sha1"}, timeout=5
    )
    assert config.json()["supported_checksum_algorithms"] == ["sha1"]
    assert requests.post(f"{base}/config", json={"no_such_knob": 1}, timeout=5).status_code == 400

    record_id = requests.post(f"{base}/recordings", json={"meetingID": "room-9", "name": "Demo"}, timeout=5).json()
    assert record_id["record_id"] in {
        r["recordID"] for r in requests.get(f"{base}/state", timeout=5).json()["recordings"]
    }

    assert requests.post(f"{base}/reset", timeout=5).json() == {"ok": True}
    assert requests.get(f"{base}/state", timeout=5).json()["meetings"] == []


def test_bulk_load_and_render(sim: Simulator) -> None:
    sim.bulk_load(meetings=3, attendees_per_meeting=4, recordings=5)
    assert sim.render("getMeetings").count(b"<attendee>") == 12
    assert sim.render("getRecordings").count(b"<recording>") == 5
    assert b"notFound" in sim.render("getMeetingInfo", {"meetingID": "missing"})
