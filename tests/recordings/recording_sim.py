"""The BBB simulator as the recordings' server: in-process on a free local port (never a mock)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bbb.simulator import Simulator, serve_in_thread
from meetings.bbb_clients import clients_reset
from meetings.models import Server
from rooms.models import Room

SECRET = "recordings-test-secret"
DAY_MS = 86_400_000


class FlakySimulator(Simulator):
    """The real simulator; after ``fail_after`` deleteRecordings calls it flips its own knob
    (``down`` or ``malformed``), like a server that breaks in the middle of a cleanup."""

    fail_after: int | None = None
    fail_with: str = "down"
    deletes = 0

    def _api_deleteRecordings(self, p, body):  # noqa: N802 (BBB call name)
        try:
            return super()._api_deleteRecordings(p, body)
        finally:
            self.deletes += 1
            if self.fail_after is not None and self.deletes >= self.fail_after:
                self.configure(**{self.fail_with: True})


@dataclass
class Sim:
    sim: FlakySimulator
    url: str
    server: Server

    def add(self, room: Room, *, days_ago: float = 0, published: bool = True, **kwargs) -> str:
        start = int(time.time() * 1000 - days_ago * DAY_MS)
        return self.sim.add_recording(room.meeting_id, start_time=start, published=published, **kwargs)

    def bbb_state(self, record_id: str) -> str | None:
        recording = self.sim.recordings.get(record_id)
        return recording.state if recording else None

    def calls(self, name: str) -> int:
        return self.sim.calls[name]


def make_server(url: str, name: str = "sim") -> Server:
    return Server.objects.create(
        name=name, api_url=f"{url}/bigbluebutton/api/", secret=SECRET, checksum_algorithm="sha256"
    )


@pytest.fixture(name="bbb")
def bbb_fixture(db) -> Iterator[Sim]:
    simulator = FlakySimulator(secret=SECRET, recording_delay=0)
    http, url = serve_in_thread(simulator)
    clients_reset()
    yield Sim(simulator, url, make_server(url))
    clients_reset()
    http.shutdown()
    http.server_close()
