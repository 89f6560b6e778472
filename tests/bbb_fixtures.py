"""Pytest fixtures for tests that talk to BBB: the bundled simulator on a local port and a Server row.

Registered in tests/conftest.py, so every test module can ask for ``simulator`` and ``bbb_server``::

    def test_start_creates_the_meeting(bbb_server, simulator):
        ...  # bbb_server is a rooms.models.Server pointing at simulator
        assert simulator.calls["create"] == 1

The simulator runs in a daemon thread of the test process (``serve_in_thread``), so a real HTTP
round trip happens for every call, with the real client and the real checksum.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bbb.simulator import Simulator, serve_in_thread

SIMULATOR_SECRET = "herzdigital-test-simulator-secret"


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    """A fresh simulator served on a free local port; ``simulator.base_url`` is its root URL."""
    sim = Simulator(secret=SIMULATOR_SECRET, recording_delay=0)
    server, url = serve_in_thread(sim)
    sim.base_url = url  # type: ignore[attr-defined]
    sim.api_url = f"{url}/bigbluebutton/api/"  # type: ignore[attr-defined]
    yield sim
    server.shutdown()
    server.server_close()
    sim.reset()


@pytest.fixture
def bbb_server(db, simulator: Simulator):
    """A healthy, enabled ``Server`` row pointing at ``simulator``; client cache reset around the test."""
    from meetings.bbb_clients import clients_reset
    from meetings.models import Server

    clients_reset()
    server = Server.objects.create(
        name="sim-1",
        api_url=simulator.api_url,  # type: ignore[attr-defined]
        secret=SIMULATOR_SECRET,
        checksum_algorithm=Server.ChecksumAlgorithm.SHA256,
    )
    yield server
    clients_reset()
