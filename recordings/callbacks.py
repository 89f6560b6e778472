"""BBB's recording-ready callback (rule 7): verify its JWT, then queue the recording fetch.

``recordings/views.py`` only translates HTTP; a refused callback raises ``CallbackRejected`` (shared
with the end callback in ``meetings.sync``) and changes nothing.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

from bbb.callbacks import InvalidCallback, verify_recording_ready
from meetings.models import Meeting, PendingRecordingFetch, Server
from meetings.sync import CallbackRejected

logger = logging.getLogger(__name__)

# Sent by name, like every task the callbacks queue (the view never imports task modules).
RECORDING_FETCH = "recordings.tasks.recording_fetch"


def recording_ready_accept(*, server_id: int, signed_parameters: str) -> tuple[str, str]:
    """BBB's recording-ready callback: verify the JWT and queue ``getRecordings?recordID=``.

    The token is signed with the shared secret of the server named in our callback URL (HS256, or
    HS384/HS512 as configured; ``bbb.callbacks``), so a token of another server or a forged one fails.
    bbb-web posts it once per published format with the very same token
    (record-and-playback/core/scripts/workers/rap-publish-worker.rb), so every valid post is accepted:
    the fetch it queues is an idempotent upsert by record id, which makes a replay (however the token
    is padded) harmless. Returns ``(meeting_id, record_id)``; raises ``CallbackRejected`` otherwise.
    """
    server = Server.objects.filter(pk=server_id).first()
    if server is None:
        raise CallbackRejected(404, "unknown server")
    if not signed_parameters:
        raise CallbackRejected(400, "signed_parameters missing")
    try:
        ready = verify_recording_ready(signed_parameters, server.secret)
    except InvalidCallback as exc:
        raise CallbackRejected(403, f"refused: {exc}")
    meeting_id, record_id = ready.meeting_id, ready.record_id
    if not Meeting.objects.filter(server=server, meeting_id=meeting_id).exists():
        raise CallbackRejected(404, "no meeting of ours on this server")
    server_pk = server.pk
    transaction.on_commit(lambda: recording_fetch_queue(server_id=server_pk, record_id=record_id))
    return meeting_id, record_id


def recording_fetch_queue(*, server_id: int, record_id: str) -> bool:
    """Queue the fetch of a recording BBB announced; False if it had to be parked in the database.

    BBB sends the recording-ready callback once and does not retry on an error answer (its
    post_publish script only logs a non-2xx code: record-and-playback/core/scripts/post_publish/
    post_publish_recording_ready_callback.rb), so when the task queue is down the id is kept as a
    ``PendingRecordingFetch`` row and the callback still answers 2xx; the periodic
    ``recordings_fetch_pending`` task fetches it once a worker runs again.
    """
    try:
        current_app.send_task(
            RECORDING_FETCH,
            args=[server_id, record_id],
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
        return True
    except Exception as exc:  # any failure to publish (kombu OperationalError, redis errors, OSError)
        logger.warning("queueing the fetch of recording %s failed, kept for the next worker: %s", record_id, exc)
        PendingRecordingFetch.objects.get_or_create(server_id=server_id, record_id=record_id)
        return False
