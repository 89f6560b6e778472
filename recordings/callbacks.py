"""BBB's recording-ready callback (rule 7): verify its JWT, then queue the recording fetch.

``recordings/views.py`` only translates HTTP; a refused callback raises ``CallbackRejected`` (shared
with the end callback in ``meetings.sync``) and changes nothing.
"""

from __future__ import annotations

import hashlib

import jwt
from celery import current_app
from django.core.cache import cache
from django.db import transaction

from meetings.models import Meeting, Server
from meetings.sync import CallbackRejected

# Sent by name, like every task the callbacks queue (the view never imports task modules).
RECORDING_FETCH = "recordings.tasks.recording_fetch"
REPLAY_TTL_SECONDS = 7 * 24 * 3600


def recording_ready_accept(*, server_id: int, signed_parameters: str) -> tuple[str, str]:
    """BBB's recording-ready callback: verify the JWT and queue ``getRecordings?recordID=``.

    The token is HS256 signed with the shared secret of the server named in our callback URL, so a
    token of another server (or a forged one) fails the signature check. Returns
    ``(meeting_id, record_id)``; raises ``CallbackRejected`` and changes nothing otherwise.
    """
    server = Server.objects.filter(pk=server_id).first()
    if server is None:
        raise CallbackRejected(404, "unknown server")
    if not signed_parameters:
        raise CallbackRejected(400, "signed_parameters missing")
    try:
        claims = jwt.decode(
            signed_parameters, server.secret, algorithms=["HS256"], options={"require": ["meeting_id", "record_id"]}
        )
    except jwt.ExpiredSignatureError:
        raise CallbackRejected(403, "token expired")
    except jwt.InvalidSignatureError:
        raise CallbackRejected(403, "bad signature")
    except jwt.InvalidTokenError as exc:
        raise CallbackRejected(400, f"malformed token: {exc.__class__.__name__}")
    meeting_id, record_id = claims["meeting_id"], claims["record_id"]
    if not (isinstance(meeting_id, str) and isinstance(record_id, str) and meeting_id and record_id):
        raise CallbackRejected(400, "meeting_id and record_id must be strings")
    if not Meeting.objects.filter(server=server, meeting_id=meeting_id).exists():
        raise CallbackRejected(404, "no meeting of ours on this server")
    # The token carries no nonce; remember it so that a replay is refused (the periodic recording
    # sweep still catches a recording BBB rebuilt later).
    replay_key = "callback:recording-ready:" + hashlib.sha256(signed_parameters.encode()).hexdigest()
    if not cache.add(replay_key, 1, timeout=REPLAY_TTL_SECONDS):
        raise CallbackRejected(409, "token already used")
    server_pk = server.pk
    transaction.on_commit(lambda: current_app.send_task(RECORDING_FETCH, args=[server_pk, record_id]))
    return meeting_id, record_id
