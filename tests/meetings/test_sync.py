"""Applying a server's getMeetings answer to the database (meetings.sync) against the real simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from herzdigital.celery import build_beat_schedule
from herzdigital.locks import Lock
from meetings import sync
from meetings.models import Meeting
from meetings.tasks import SYNC_TICK, beat_schedule, sync_tick
from tests.factories import MeetingFactory, ServerFactory

pytest_plugins = ["tests.sync_fixtures"]

pytestmark = pytest.mark.django_db


def age(meeting: Meeting, seconds: int) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))
    meeting.refresh_from_db()
    return meeting


def test_created_meeting_nobody_entered_is_starting_not_running(bbb_sim):
    meeting = bbb_sim.open_meeting()
    bbb_sim.run(meeting.meeting_id, attendees=0)

    result = sync.server_sync(server=bbb_sim.server)

    meeting.refresh_from_db()
    assert result.ok and result.ours == 1
    assert meeting.status == Meeting.Status.STARTING
    assert meeting.started_at is None
    assert meeting.internal_meeting_id.startswith(bbb_sim.sim.meetings[meeting.meeting_id].internal_id[:10])
    assert meeting.create_time is not None
    assert meeting.last_synced_at is not None


def test_entered_meeting_becomes_running_with_counts_and_started_at(bbb_sim):
    meeting = bbb_sim.open_meeting()
    bbb_sim.run(meeting.meeting_id, attendees=4)

    sync.server_sync(server=bbb_sim.server)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RUNNING
    assert meeting.started_at is not None
    assert meeting.participant_count == 4
    assert meeting.moderator_count == 1
    assert meeting.video_count == 1
    assert meeting.peak_participants == 4
    bbb_sim.server.refresh_from_db()
    assert bbb_sim.server.participant_count == 4
    assert bbb_sim.server.load == 4
    assert bbb_sim.server.meeting_count == 1
    assert bbb_sim.server.last_success_at is not None


def test_peak_participants_never_drops_and_started_at_is_kept(bbb_sim):
    started = timezone.now() - timedelta(minutes=20)
    meeting = bbb_sim.open_meeting(status=Meeting.Status.RUNNING, started_at=started, peak_participants=12)
    bbb_sim.run(meeting.meeting_id, attendees=3)

    sync.server_sync(server=bbb_sim.server)

    meeting.refresh_from_db()
    assert meeting.participant_count == 3
    assert meeting.peak_participants == 12
    assert meeting.started_at == started


def test_participant_seconds_integrate_the_count_between_polls(bbb_sim):
    meeting = bbb_sim.open_meeting()
    bbb_sim.run(meeting.meeting_id, attendees=5)
    client = bbb_sim.client()
    t0 = timezone.now()

    sync.server_poll_apply(server=bbb_sim.server, listed=client.get_meetings(), poll_started=t0, now=t0)
    sync.server_poll_apply(
        server=bbb_sim.server, listed=client.get_meetings(), poll_started=t0, now=t0 + timedelta(seconds=30)
    )

    meeting.refresh_from_db()
    assert meeting.participant_seconds == 5 * 30
    assert meeting.last_synced_at == t0 + timedelta(seconds=30)  # datetimes survive the bulk write exactly
    assert meeting.started_at == t0


def test_foreign_meetings_count_toward_the_server_load_but_are_not_ours(bbb_sim):
    meeting = bbb_sim.open_meeting()
    bbb_sim.run(meeting.meeting_id, attendees=3)
    bbb_sim.run("other-frontend-meeting", attendees=6)

    result = sync.server_sync(server=bbb_sim.server)

    assert (result.ours, result.foreign) == (1, 1)
    server = bbb_sim.server
    server.refresh_from_db()
    assert server.foreign_meeting_count == 1
    assert server.meeting_count == 2
    assert server.participant_count == 9
    assert server.load == 9
    assert Meeting.objects.count() == 1  # a foreign meeting never becomes a row of ours


def test_meeting_missing_from_a_successful_answer_is_ended_and_its_recording_fetched(
    bbb_sim, sent_tasks, django_capture_on_commit_callbacks
):
    gone = age(bbb_sim.open_meeting(record=True, participant_count=2), 600)
    unrecorded = age(bbb_sim.open_meeting(record=False), 600)
    still = bbb_sim.open_meeting()
    bbb_sim.run(still.meeting_id, attendees=1)

    with django_capture_on_commit_callbacks(execute=True):
        result = sync.server_sync(server=bbb_sim.server)

    assert result.ended == 2
    gone.refresh_from_db()
    assert gone.ended_at is not None
    assert gone.status == Meeting.Status.ENDED
    assert gone.end_reason == sync.EndReason.NOT_LISTED
    assert gone.participant_count == 0
    unrecorded.refresh_from_db()
    assert unrecorded.ended_at is not None
    still.refresh_from_db()
    assert still.ended_at is None
    assert sent_tasks.named(sync.RECORDINGS_FETCH_FOR_MEETING) == [[gone.pk]]


def test_young_meeting_is_not_ended_within_the_grace_period(bbb_sim, settings):
    settings.SYNC_GRACE_SECONDS = 60
    young = age(bbb_sim.open_meeting(), 20)
    old = age(bbb_sim.open_meeting(), 120)

    sync.server_sync(server=bbb_sim.server)

    young.refresh_from_db()
    old.refresh_from_db()
    assert young.ended_at is None
    assert old.ended_at is not None


def test_meeting_created_after_the_poll_began_is_not_ended_by_that_poll(bbb_sim, settings):
    settings.SYNC_GRACE_SECONDS = 0
    listed = bbb_sim.client().get_meetings()  # the answer: nothing listed
    poll_started = timezone.now() - timedelta(seconds=5)
    created_meanwhile = age(bbb_sim.open_meeting(), 2)  # created 2 s ago, after the poll began

    sync.server_poll_apply(server=bbb_sim.server, listed=listed, poll_started=poll_started)

    created_meanwhile.refresh_from_db()
    assert created_meanwhile.ended_at is None


def test_meetings_of_other_servers_are_left_alone(bbb_sim):
    bbb_sim.server_row()
    elsewhere = age(MeetingFactory(server=ServerFactory()), 600)

    sync.server_sync(server=bbb_sim.server)

    elsewhere.refresh_from_db()
    assert elsewhere.ended_at is None


@pytest.mark.parametrize("fault", [{"down": True}, {"malformed": True}, {"status_override": 500}])
def test_failed_poll_changes_no_meeting(bbb_sim, fault):
    meeting = age(bbb_sim.open_meeting(status=Meeting.Status.RUNNING, participant_count=7), 600)
    bbb_sim.sim.configure(**fault)

    result = sync.server_sync(server=bbb_sim.server)

    assert not result.ok
    meeting.refresh_from_db()
    assert meeting.ended_at is None
    assert meeting.status == Meeting.Status.RUNNING
    assert meeting.participant_count == 7
    server = bbb_sim.server
    server.refresh_from_db()
    assert server.consecutive_failures == 1
    assert server.healthy
    assert server.last_error


def test_failed_answer_from_bbb_is_a_failed_poll_too(bbb_sim):
    meeting = age(bbb_sim.open_meeting(), 600)
    bbb_sim.sim.configure(
        body_override="<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey>"
        "<message>Checksums do not match</message></response>"
    )

    result = sync.server_sync(server=bbb_sim.server)

    assert not result.ok
    assert "checksumError" in result.error
    meeting.refresh_from_db()
    assert meeting.ended_at is None


def test_three_failed_polls_make_the_server_unhealthy_and_one_good_poll_heals_it(bbb_sim):
    meeting = age(bbb_sim.open_meeting(status=Meeting.Status.RUNNING), 600)
    bbb_sim.run(meeting.meeting_id, attendees=2)
    server = bbb_sim.server
    bbb_sim.sim.configure(down=True)

    for expected_healthy in (True, True, False):
        sync.server_sync(server=server)
        server.refresh_from_db()
        assert server.healthy is expected_healthy
    assert server.consecutive_failures == 3
    meeting = Meeting.objects.select_related("server").get(pk=meeting.pk)
    assert meeting.ended_at is None
    assert meeting.display_status == "unknown"

    bbb_sim.sim.configure(down=False)
    sync.server_sync(server=server)

    server.refresh_from_db()
    assert server.healthy
    assert server.consecutive_failures == 0
    assert server.last_error == ""
    meeting = Meeting.objects.select_related("server").get(pk=meeting.pk)
    assert meeting.display_status == Meeting.Status.RUNNING


def test_ended_meeting_on_an_unhealthy_server_still_shows_ended():
    meeting = MeetingFactory(server=ServerFactory(healthy=False), ended_at=timezone.now(), status=Meeting.Status.ENDED)
    assert meeting.display_status == Meeting.Status.ENDED


def _sync_queries(bbb_sim, meetings: int) -> int:
    for _ in range(meetings):
        meeting = age(bbb_sim.open_meeting(), 600)
        bbb_sim.run(meeting.meeting_id, attendees=2)
    for _ in range(meetings):  # and as many vanished ones
        age(bbb_sim.open_meeting(), 600)
    with CaptureQueriesContext(connection) as queries:
        result = sync.server_sync(server=bbb_sim.server)
    assert result.ours == meetings and result.ended == meetings
    return len(queries)


def test_sync_uses_the_same_few_queries_for_few_and_many_meetings(bbb_sim):
    few = _sync_queries(bbb_sim, 2)
    Meeting.objects.all().delete()
    bbb_sim.sim.reset()
    many = _sync_queries(bbb_sim, 40)
    assert few == many
    # savepoint, read open meetings, bulk_update, assemblies in session (attendance, assemblies/attendance.py),
    # update server, release savepoint
    assert many <= 6


def test_sync_skips_a_server_whose_lock_is_held_without_calling_bbb(bbb_sim):
    server = bbb_sim.server_row()
    other = Lock(f"sync-server:{server.pk}", ttl=60)
    assert other.acquire()
    try:
        result = sync.server_sync_locked(server_id=server.pk)
    finally:
        other.release()

    assert result.skipped
    assert bbb_sim.sim.calls["getMeetings"] == 0
    assert sync.server_sync_locked(server_id=server.pk).ok
    assert bbb_sim.sim.calls["getMeetings"] == 1


def test_servers_to_sync_are_enabled_ones_and_disabled_ones_with_open_meetings(db):
    enabled = ServerFactory(enabled=True)
    draining = ServerFactory(enabled=False)
    MeetingFactory(server=draining)
    idle_disabled = ServerFactory(enabled=False)
    MeetingFactory(server=idle_disabled, ended_at=timezone.now(), status=Meeting.Status.ENDED)

    assert sync.servers_to_sync() == [enabled.pk, draining.pk]


def test_tick_sends_one_sync_per_server_and_they_apply(bbb_sim):
    from herzdigital.celery import app

    meeting = bbb_sim.open_meeting()
    bbb_sim.run(meeting.meeting_id, attendees=2)
    second = bbb_sim.server_row()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the worker's part runs here (a real worker: tests/integration)
    try:
        assert sync_tick() == 2
    finally:
        app.conf.task_always_eager = eager

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RUNNING
    second.refresh_from_db()
    assert second.last_success_at is not None
    assert bbb_sim.sim.calls["getMeetings"] == 2


def test_beat_runs_the_tick_every_sync_interval(settings):
    settings.SYNC_INTERVAL = 17
    entry = beat_schedule()["sync-tick"]
    assert entry["task"] == SYNC_TICK
    assert entry["schedule"] == 17.0
    assert entry["options"]["expires"] == 17
    assert "sync-tick" in build_beat_schedule()


def test_sync_server_task_has_time_limits_and_a_name():
    from meetings.tasks import sync_server

    assert sync_server.name == "meetings.tasks.sync_server"
    assert sync_server.time_limit and sync_server.soft_time_limit
    assert sync_server.soft_time_limit < sync_server.time_limit


def test_management_command_syncs_one_named_server(bbb_sim, capsys):
    meeting = bbb_sim.open_meeting()
    bbb_sim.run(meeting.meeting_id, attendees=1)
    untouched = ServerFactory()

    call_command("sync_meetings", "--server", bbb_sim.server.name)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RUNNING
    untouched.refresh_from_db()
    assert untouched.last_poll_at is None
    assert "1 ours" in capsys.readouterr().out


def test_management_command_refuses_an_unknown_server_and_reports_failures(bbb_sim):
    with pytest.raises(CommandError, match="No server named"):
        call_command("sync_meetings", "--server", "gibt-es-nicht")
    bbb_sim.server_row()
    bbb_sim.sim.configure(down=True)
    with pytest.raises(CommandError, match="could not be polled"):
        call_command("sync_meetings")
