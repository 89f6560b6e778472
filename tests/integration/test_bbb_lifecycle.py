"""One full meeting life cycle through a real Celery worker against the faithful simulator (issue 14).

create -> join (the client connects) -> sync shows the attendee -> end -> the end callback is
delivered once (probe + GET, 2xx, no retry) -> one recording-ready per format -> all formats listed
-> cleanup deletes the recording. The same against the Scalelite profile with one backend down,
where no meeting may end that did not end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from bbb.simulator import Simulator, serve_in_thread
from meetings import sync
from meetings.bbb_clients import clients_reset
from meetings.models import Meeting, Server
from meetings.tasks import sync_tick
from recordings.models import Recording
from recordings.tasks import recordings_cleanup_run
from rooms import services
from tests.factories import RoomFactory
from tests.processes import celery_worker, connect, require_broker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECRET = "lifecycle-simulator-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _broker_available() -> None:
    require_broker()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    # Real time drives processing here: the recording and its second format follow within seconds.
    simulator = Simulator(secret=SECRET, recording_delay=1.0, recording_format_delay_seconds=1.5)
    http, url = serve_in_thread(simulator)
    simulator.base_url = url  # type: ignore[attr-defined]
    clients_reset()
    yield simulator
    http.shutdown()
    http.server_close()
    simulator.reset()
    clients_reset()


@pytest.fixture
def site(live_server, settings, personas):
    settings.SITE_URL = live_server.url  # BBB calls us back here (the worker inherits it)
    settings.SYNC_GRACE_SECONDS = 0
    club = personas.club
    club.recording_allowed = True
    club.retention_days = 30
    club.save()
    return personas


def server_row(sim: Simulator, **fields: object) -> Server:
    return Server.objects.create(
        name=fields.pop("name", "sim"),
        api_url=f"{sim.base_url}/bigbluebutton/api/",
        secret=SECRET,
        **fields,  # type: ignore[attr-defined]
    )


def ready_posts(sim: Simulator) -> list[dict]:
    return [e for e in list(sim.callback_log) if e["kind"] == "recording-ready"]


def format_types(room) -> list[str]:
    recording = Recording.objects.filter(room=room).first()
    return sorted(f["type"] for f in recording.formats) if recording else []


def run_life_cycle(sim: Simulator, server: Server, room, owner, *, expected_ready_posts: int) -> Meeting:
    join_url = services.meeting_start(room=room, actor=owner, display_name="Vorsitz")
    meeting = Meeting.objects.get(room=room, ended_at__isnull=True)
    browser, base, token = connect(join_url)
    browser.post(f"{base}/html5client/record", data={"sessionToken": token, "on": "true"}, timeout=10)

    sync_tick.delay()
    assert wait_for(lambda: Meeting.objects.get(pk=meeting.pk).participant_count == 1, timeout=60)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.RUNNING

    browser.post(f"{base}/html5client/end", data={"sessionToken": token}, timeout=10)  # the moderator ends it
    assert wait_for(lambda: Meeting.objects.get(pk=meeting.pk).ended_at is not None, timeout=30), sim.callback_log
    assert Meeting.objects.get(pk=meeting.pk).end_reason == sync.EndReason.CALLBACK

    assert wait_for(lambda: len(ready_posts(sim)) == expected_ready_posts, timeout=30), sim.callback_log
    assert wait_for(lambda: format_types(room) == ["presentation", "video"], timeout=60), format_types(room)
    end = [e for e in sim.callback_log if e["kind"] == "end"]
    assert [(e.get("phase"), e.get("status"), e.get("outcome"), e["attempt"]) for e in end] == [
        ("probe", 200, None, 1),
        ("get", 200, None, 1),
        (None, None, "delivered", 1),
    ]
    assert [e["status"] for e in ready_posts(sim)] == [200] * expected_ready_posts

    recording = Recording.objects.get(room=room)
    Recording.objects.filter(pk=recording.pk).update(started_at=timezone.now() - timedelta(days=60))
    recordings_cleanup_run.delay()
    assert wait_for(lambda: Recording.objects.get(pk=recording.pk).deleted_at is not None, timeout=60)
    assert sim.recordings[recording.record_id].state == "deleted"
    return meeting


def test_full_life_cycle_against_bbb(sim, site):
    server = server_row(sim)
    room = RoomFactory(club=site.club, name="Vorstand", record=True)
    with celery_worker():
        run_life_cycle(sim, server, room, site.owner, expected_ready_posts=2)  # one per format


def test_full_life_cycle_against_scalelite_with_one_backend_down(sim, site):
    sim.configure(profile="scalelite", backends=("bbb-1", "bbb-2"), get_meetings_disabled=True)
    server = server_row(sim, kind=Server.Kind.SCALELITE, checksum_algorithm=Server.ChecksumAlgorithm.SHA512)
    other_room = RoomFactory(club=site.club, name="Jugend")
    services.meeting_start(room=other_room, actor=site.owner, display_name="Jugendwart")
    other = Meeting.objects.get(room=other_room)
    sim.add_attendees(other_room.meeting_id, 3)
    sim.configure(down_backends=(sim.state()["meetings"][0]["backend"],))  # the backend of that meeting
    room = RoomFactory(club=site.club, name="Vorstand", record=True)

    with celery_worker():
        run_life_cycle(sim, server, room, site.owner, expected_ready_posts=1)  # Scalelite notifies once
        sync_tick.delay()
        assert wait_for(lambda: Server.objects.get(pk=server.pk).last_error != "", timeout=60)

    other.refresh_from_db()
    assert other.ended_at is None  # its backend does not answer: nothing was decided about it
    server.refresh_from_db()
    # With only that meeting left open nothing answered: a failed poll (counted, ending nothing).
    assert server.healthy and "internalError" in server.last_error
    assert sim.calls["getMeetings"] == 0
