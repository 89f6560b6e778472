"""The simulator calls our callback URLs over HTTP, as BBB does, against a live server."""

from __future__ import annotations

import pytest

from meetings import sync
from meetings.callbacks import end_callback_url, recording_ready_url
from meetings.models import Meeting
from recordings import callbacks
from tests.processes import wait_for

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_bbb_end_and_recording_ready_callbacks_reach_the_site(bbb_sim, live_server, settings, sent_tasks):
    settings.SITE_URL = live_server.url
    bbb_sim.sim.configure(callbacks_enabled=True, recording_delay=0)
    meeting = bbb_sim.open_meeting(record=True, status=Meeting.Status.RUNNING)
    client = bbb_sim.client()
    client.create(
        meeting.meeting_id,
        "Vorstandssitzung",
        params={"record": "true", "autoStartRecording": "true"},
        meta={
            "endCallbackUrl": end_callback_url(meeting_pk=meeting.pk),
            "bbb-recording-ready-url": recording_ready_url(server_pk=bbb_sim.server.pk),
        },
    )
    bbb_sim.sim.add_attendees(meeting.meeting_id, 2, role="MODERATOR")

    client.end(meeting.meeting_id)

    assert wait_for(lambda: Meeting.objects.get(pk=meeting.pk).ended_at is not None, timeout=15)
    meeting.refresh_from_db()
    assert meeting.end_reason == sync.EndReason.CALLBACK
    assert wait_for(lambda: bool(sent_tasks.named(callbacks.RECORDING_FETCH)), timeout=15), bbb_sim.sim.callback_log
    record_id = next(iter(bbb_sim.sim.recordings))
    assert sent_tasks.named(callbacks.RECORDING_FETCH) == [[bbb_sim.server.pk, record_id]]
    assert sent_tasks.named(sync.RECORDINGS_FETCH_FOR_MEETING) == [[meeting.pk]]
    # bbb-web's delivery: probe GET + real GET, delivered at the first attempt (no retry), and one
    # recording-ready post per format, each answered 2xx.
    assert wait_for(lambda: len(recording_ready_posts(bbb_sim.sim)) == 2, timeout=15), bbb_sim.sim.callback_log
    end = [e for e in bbb_sim.sim.callback_log if e["kind"] == "end"]
    assert [(e.get("phase"), e.get("status"), e.get("outcome")) for e in end] == [
        ("probe", 200, None),
        ("get", 200, None),
        (None, None, "delivered"),
    ]
    assert [e["status"] for e in recording_ready_posts(bbb_sim.sim)] == [200, 200]


def recording_ready_posts(sim):  # type: ignore[no-untyped-def]
    return [e for e in list(sim.callback_log) if e["kind"] == "recording-ready"]
