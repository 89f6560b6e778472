"""Logging helpers wired up in settings.LOGGING."""

from __future__ import annotations

import logging

HEALTH_PATH = "/healthz"


class HealthProbeFilter(logging.Filter):
    """A 503 from /healthz is an answer to a probe, not a server error: log it at WARNING, not ERROR.

    Monitoring asks every few seconds, and a process that is still starting (or down) is what /healthz is for;
    logged at ERROR it would flood the log and mail the admins. Other 5xx stay errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and getattr(record, "status_code", None) == 503 and _is_health(record):
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True


def _is_health(record: logging.LogRecord) -> bool:
    path = getattr(getattr(record, "request", None), "path", None)  # django.request: the HttpRequest
    if path is not None:
        return path == HEALTH_PATH
    request_line = str(record.args[0]) if isinstance(record.args, tuple) and record.args else ""  # django.server
    return request_line.split(" ")[1:2] == [HEALTH_PATH] if request_line else False
