"""Exceptions raised by the BBB client.

Callers decide what each means to the user: a ``BBBError`` is an answer of the server
(FAILED + messageKey), a ``BBBUnavailable`` means we got no usable answer at all.
"""

from __future__ import annotations

import logging
import re

# A signed API URL carries `checksum=<hex>`: with the query it proves knowledge of the secret for
# that call, so it must not reach logs, error fields or exception texts (replay, offline guessing).
_CHECKSUM = re.compile(r"(checksum(?:=|%3D))[0-9A-Za-z]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every ``checksum=…`` value replaced; use it for anything that may hold a BBB URL."""
    return _CHECKSUM.sub(r"\1[redacted]", text)


class BBBError(Exception):
    """The server answered ``returncode`` FAILED (either error format)."""

    def __init__(self, message_key: str, message: str = "", errors: list[tuple[str, str]] | None = None):
        message = redact(message)
        super().__init__(f"{message_key}: {message}" if message else message_key)
        self.message_key = message_key
        self.message = message
        # The list format (<errors><error>) may carry several; the first one is message_key/message.
        self.errors = errors if errors is not None else [(message_key, message)]


class BBBUnavailable(Exception):
    """No usable answer: timeout, connection error, non-200 HTTP, unparseable/oversized/hostile XML."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(redact(message))
        # True for transient transport failures (timeouts, connection errors, 5xx) worth retrying.
        self.retryable = retryable


class RedactChecksumFilter(logging.Filter):
    """Logging filter that redacts ``checksum=`` in the message, its arguments and the traceback.

    Attach it to the handlers (Django ``LOGGING``) so that no log line, whichever library wrote
    it (urllib3 logs request URLs at DEBUG), carries a signed BBB URL.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
