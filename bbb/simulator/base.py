"""Constants and small helpers shared by the simulator modules."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

API_PREFIX = "/bigbluebutton/api"
RECORDING_CALLS = frozenset({"getRecordings", "publishRecordings", "deleteRecordings", "updateRecordings"})
META_PARAM = re.compile(r"^meta_([a-zA-Z][a-zA-Z0-9-]*)$")
STATES = ("processing", "processed", "published", "unpublished", "deleted")
MSG_NOT_FOUND = "A meeting with that ID does not exist"
MSG_NO_RECORDINGS = "We could not find recordings"
MSG_END = (
    "A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo "
    "or isMeetingRunning API calls to verify that it was ended."
)
_ALNUM = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits
_PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db0000000"
    "0049454e44ae426082"
)


def _rand(chars: str, n: int) -> str:
    return "".join(secrets.choice(chars) for _ in range(n))


def sha1hex(value: str) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class Reply:
    status: str = "200 OK"
    body: bytes = b""
    content_type: str = "text/xml;charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


class ApiFailure(Exception):
    """Raised inside handlers to answer FAILED (single format)."""

    def __init__(self, key: str, message: str):
        super().__init__(key)
        self.key = key
        self.message = message


def _xml(body: bytes) -> Reply:
    return Reply(body=body, headers=[("Cache-Control", "no-cache")])


def _redirect(location: str, status: str = "302 Found") -> Reply:
    return Reply(status=status, content_type="text/plain", headers=[("Location", location)])


def _html(body: bytes, status: str = "200 OK") -> Reply:
    return Reply(status=status, body=body, content_type="text/html;charset=utf-8")


def _json(data: Any, status: str = "200 OK") -> Reply:
    return Reply(status=status, body=json.dumps(data, indent=1, default=str).encode(), content_type="application/json")


def _is_true(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _int_param(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


# blindsidenetworks/scalelite app/controllers/concerns/bbb_errors.rb
SCALELITE_NOT_FOUND = "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?"
SCALELITE_NO_SERVER = "Unable to access server."
SCALELITE_NO_MEETING_SERVER = "Unable to access meeting on server."
