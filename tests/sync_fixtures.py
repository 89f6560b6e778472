"""Fixtures of the sync tests: a real BBB simulator on a local port, a Server row pointing at it,
and a recorder of the Celery tasks the code sends by name (the recordings area implements them).

Use them in a test module with ``pytest_plugins = ["tests.sync_fixtures"]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from bbb import BBBClient
from bbb.simulator import Simulator, serve_in_thread
from herzdigital.celery import app as celery_app
from meetings.bbb_clients import clients_reset
from meetings.models import Meeting, Server
from tests.factories import MeetingFactory, ServerFactory

SIM_SECRET = "sync-simulator-secret-0123456789abcdefgh"


@dataclass
class SimServer:
    sim: Simulator
    url: str
    server: Server | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/bigbluebutton/api/"

    def server_row(self, **fields: object) -> Server:
        """A Server row for this simulator (the first call's row is also ``self.server``)."""
        row = ServerFactory(api_url=self.api_url, secret=SIM_SECRET, **fields)
        self.server = self.server or row
        return row

    def client(self) -> BBBClient:
        return BBBClient(self.api_url, SIM_SECRET, backoff=0.01)

    def run(self, meeting_id: str, *, attendees: int = 0, name: str = "Besprechung") -> None:
        """Create ``meeting_id`` on the simulator and let ``attendees`` people in (0: listed, not running)."""
        client = self.client()
        client.create(meeting_id, name, params={"record": "true"})
        client.close()
        if attendees:
            self.sim.add_attendees(meeting_id, 1, role="MODERATOR", voice=True, video=True)
            if attendees > 1:
                self.sim.add_attendees(meeting_id, attendees - 1)

    def open_meeting(self, **fields: object) -> Meeting:
        """An open Meeting row of ours on this simulator's server (status starting, not synced yet)."""
        fields.setdefault("status", Meeting.Status.STARTING)
        fields.setdefault("started_at", None)
        return MeetingFactory(server=self.server or self.server_row(), **fields)


@pytest.fixture
def bbb_sim(db) -> Iterator[SimServer]:
    simulator = Simulator(secret=SIM_SECRET, recording_delay=0, callbacks_enabled=False)
    http, url = serve_in_thread(simulator)
    clients_reset()
    yield SimServer(simulator, url)
    http.shutdown()
    http.server_close()
    simulator.reset()
    clients_reset()


@dataclass
class SentTasks:
    calls: list[tuple[str, list]] = field(default_factory=list)

    def named(self, name: str) -> list[list]:
        return [args for task, args in self.calls if task == name]


@pytest.fixture
def sent_tasks(monkeypatch: pytest.MonkeyPatch) -> SentTasks:
    """Record ``send_task`` calls instead of publishing them (their tasks live in another area)."""
    recorder = SentTasks()

    def send_task(name: str, args: list | tuple | None = None, **kwargs: object) -> None:
        recorder.calls.append((name, list(args or [])))

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return recorder
