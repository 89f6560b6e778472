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
    return _client(server, settings.BBB_CONNECT_TIMEOUT, settings.BBB_READ_TIMEOUT, retries=2)


def sync_client_for(server: Server) -> BBBClient:
    """The periodic sync's client: its own short timeouts and no retries (the next tick retries), so
    that a slow server fails its poll quickly instead of holding a worker slot for ~30 s."""
    return _client(server, settings.SYNC_CONNECT_TIMEOUT, settings.SYNC_READ_TIMEOUT, retries=0)


def _client(server: Server, connect_timeout: float, read_timeout: float, *, retries: int) -> BBBClient:
    key = (server.pk, server.api_url, server.secret, server.checksum_algorithm, connect_timeout, read_timeout, retries)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = BBBClient(
                base_url=server.api_url,
                secret=server.secret,
                checksum_algorithm=server.checksum_algorithm,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries=retries,
            )
            _clients[key] = client
        return client


def clients_reset() -> None:
    """Forget every cached client (tests that change servers call this)."""
    with _lock:
        _clients.clear()
