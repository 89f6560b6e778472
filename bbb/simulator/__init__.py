"""A standalone BigBlueButton API server for development and tests (stdlib WSGI, no Django)."""

from __future__ import annotations

from bbb.simulator.core import Simulator
from bbb.simulator.server import make_sim_server, serve_in_thread

__all__ = ["Simulator", "make_sim_server", "serve_in_thread"]
