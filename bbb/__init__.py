"""BigBlueButton API client and simulator for herzdigital. Free of Django by design."""

from __future__ import annotations

from bbb.client import BBBClient
from bbb.errors import BBBError, BBBUnavailable
from bbb.types import (
    ApiVersion,
    Attendee,
    CreateResult,
    JoinResult,
    Meeting,
    PlaybackFormat,
    Preview,
    Recording,
    RecordingPage,
)

__all__ = [
    "ApiVersion",
    "Attendee",
    "BBBClient",
    "BBBError",
    "BBBUnavailable",
    "CreateResult",
    "JoinResult",
    "Meeting",
    "PlaybackFormat",
    "Preview",
    "Recording",
    "RecordingPage",
]
