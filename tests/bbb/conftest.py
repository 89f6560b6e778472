from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bbb import BBBClient
from bbb.simulator import Simulator, serve_in_thread

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(secret=SECRET, recording_delay=0)
    server, url = serve_in_thread(simulator)
    simulator.base_url = url  # type: ignore[attr-defined]  # handy for tests
    yield simulator
    server.shutdown()
    server.server_close()
    simulator.reset()


@pytest.fixture
def api_url(sim: Simulator) -> str:
    return f"{sim.base_url}/bigbluebutton/api/"  # type: ignore[attr-defined]


@pytest.fixture
def client(api_url: str) -> Iterator[BBBClient]:
    bbb = BBBClient(api_url, SECRET, backoff=0.01)
    yield bbb
    bbb.close()


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes


@dataclass
class CallbackServer:
    url: str
    requests: list[Received] = field(default_factory=list)
    event: threading.Event = field(default_factory=threading.Event)
    # Status codes to answer, in order; 200 once they are used up.
    statuses: list[int] = field(default_factory=list)

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[Received]:
        deadline = threading.Event()
        for _ in range(int(timeout / 0.02)):
            if len(self.requests) >= count:
                return self.requests
            deadline.wait(0.02)
        raise AssertionError(f"expected {count} callback(s), got {len(self.requests)}")


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    """A tiny local HTTP server that records every request it receives (end / recording-ready callbacks)."""
    received: list[Received] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            received.append(Received(self.command, parts.path, parse_qs(parts.query), self.rfile.read(length)))
            self.send_response(statuses.pop(0) if statuses else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = _record

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield CallbackServer(url=f"http://127.0.0.1:{server.server_address[1]}", requests=received, statuses=statuses)
    server.shutdown()
    server.server_close()
