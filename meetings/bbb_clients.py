"""The one place where the site gets a BBB client for a Server row (rule 6: the client is the only door)."""

from __future__ import annotations

import threading

from django.conf import settings

from bbb import BBBClient
from meetings.models import Server

_clients: dict[tuple, BBBClient] = {}
_lock = threading.Lock()


def client_for(server: Server) -> BBBClient:
    """A process-wide client per server configuration, so that its pooled HTTP session is reused."""
    key = (server.pk, server.api_url, server.secret, server.checksum_algorithm)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = BBBClient(
                base_url=server.api_url,
                secret=server.secret,
                checksum_algorithm=server.checksum_algorithm,
                connect_timeout=settings.BBB_CONNECT_TIMEOUT,
                read_timeout=settings.BBB_READ_TIMEOUT,
            )
            _clients[key] = client
        return client


def clients_reset() -> None:
    """Forget every cached client (tests that change servers call this)."""
    with _lock:
        _clients.clear()
