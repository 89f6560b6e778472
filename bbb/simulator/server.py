"""Threaded stdlib WSGI server for the simulator."""

from __future__ import annotations

import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bbb.simulator.core import Simulator


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out and hang up are normal here (latency knob); don't print tracebacks.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_sim_server(sim: Simulator, host: str = "127.0.0.1", port: int = 8090) -> ThreadingWSGIServer:
    return make_server(host, port, sim, server_class=ThreadingWSGIServer, handler_class=QuietHandler)


def serve_in_thread(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingWSGIServer, str]:
    """Start ``sim`` on a (free) port in a daemon thread; ``server.shutdown()`` stops it.

    Returns the server and its base URL (``http://127.0.0.1:PORT``). When the simulator has no
    explicit public URL yet (still the default), redirects and playback links use this one.
    """
    server = make_sim_server(sim, host, port)
    url = f"http://{host}:{server.server_address[1]}"
    if sim.config.public_url == "http://127.0.0.1:8090":
        sim.configure(public_url=url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, url
