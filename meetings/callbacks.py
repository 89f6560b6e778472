"""Callback URLs we give BBB, and their verification (rule 7).

The end-meeting callback URL carries our own signed token naming the meeting; the recording-ready
callback URL names the server, whose shared secret signs BBB's JWT. All URLs are absolute, built from
SITE_URL, so that they work behind a reverse proxy.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

END_CALLBACK_SALT = "herzdigital.rooms.end-callback"


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def end_callback_token(*, meeting_pk: int) -> str:
    return signing.dumps({"meeting": meeting_pk}, salt=END_CALLBACK_SALT, compress=True)


def end_callback_meeting_pk(token: str) -> int | None:
    """The meeting pk named by a token we signed, or None for a forged/garbled token."""
    try:
        data = signing.loads(token, salt=END_CALLBACK_SALT)
    except signing.BadSignature:
        return None
    value = data.get("meeting") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def end_callback_url(*, meeting_pk: int) -> str:
    token = end_callback_token(meeting_pk=meeting_pk)
    return absolute_url(reverse("meetings:callback_end", kwargs={"token": token}))


def recording_ready_url(*, server_pk: int) -> str:
    return absolute_url(reverse("recordings:callback_ready", kwargs={"server_id": server_pk}))


def returned_url(*, friendly_id: str) -> str:
    """Where BBB sends people back: leaving (``logoutURL``) and refused joins (``errorRedirectUrl``)."""
    return absolute_url(reverse("rooms:returned", kwargs={"friendly_id": friendly_id}))
