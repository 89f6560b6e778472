"""Exceptions raised by the BBB client.

Callers decide what each means to the user: a ``BBBError`` is an answer of the server
(FAILED + messageKey), a ``BBBUnavailable`` means we got no usable answer at all.
"""

from __future__ import annotations


class BBBError(Exception):
    """The server answered ``returncode`` FAILED (either error format)."""

    def __init__(self, message_key: str, message: str = "", errors: list[tuple[str, str]] | None = None):
        super().__init__(f"{message_key}: {message}" if message else message_key)
        self.message_key = message_key
        self.message = message
        # The list format (<errors><error>) may carry several; the first one is message_key/message.
        self.errors = errors if errors is not None else [(message_key, message)]


class BBBUnavailable(Exception):
    """No usable answer: timeout, connection error, non-200 HTTP, unparseable/oversized/hostile XML."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        # True for transient transport failures (timeouts, connection errors, 5xx) worth retrying.
        self.retryable = retryable
