"""The file-system Celery broker of the embedded defaults, with a shorter wait per poll.

Celery drives transports without an event loop (like kombu's ``filesystem``) with a loop that waits up to
2 s per cycle, and a stopping worker runs one more cycle after it saw the signal: about 5 s to stop, which is
exactly when honcho (``make run``) gives up and SIGKILLs it. Waiting at most 0.25 s per call lets the worker
stop within about a second of Ctrl-C; the loop simply calls again, so nothing else changes.
"""

from __future__ import annotations

from kombu.transport import filesystem

MAX_WAIT_SECONDS = 0.25


class Transport(filesystem.Transport):
    def drain_events(self, connection: object, timeout: float | None = None) -> object:
        return super().drain_events(connection, timeout=min(timeout, MAX_WAIT_SECONDS) if timeout else timeout)
