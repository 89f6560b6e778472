"""Recording sync: callback fetch, fetch after a meeting ended, and the reconciling sweep."""

from __future__ import annotations

import pytest
from celery import current_app

from meetings.bbb_clients import client_for
from recordings import tasks as recording_tasks
from recordings.models import Recording
from recordings.services import recording_upsert_many, recordings_reconcile
from tests.factories import MeetingFactory, RoomFactory
from tests.recordings.recording_sim import bbb_fixture  # noqa: F401 (fixture "bbb")


def test_callback_fetch_upserts_the_recording_with_club_room_and_formats(bbb):
    room = RoomFactory()
    record_id = bbb.add(room, duration_minutes=42, participants=7)

    assert recording_tasks.recording_fetch(bbb.server.pk, record_id) == 1

    recording = Recording.objects.get(record_id=record_id)
    assert (recording.club, recording.room, recording.server) == (room.club, room, bbb.server)
    assert recording.state == Recording.State.PUBLISHED and recording.published
    assert recording.duration_seconds == 42 * 60
    assert recording.participants == 7
    assert recording.bbb_meeting_id == room.meeting_id
    assert {f["type"] for f in recording.formats} == {"presentation", "video"}
    assert all(f["url"].startswith(bbb.url) for f in recording.formats)
    assert recording.size_bytes > 0
    assert recording.last_synced_at is not None


def test_fetching_twice_keeps_one_row_and_takes_bbb_changes(bbb):
    room = RoomFactory()
    record_id = bbb.add(room)
    recording_tasks.recording_fetch(bbb.server.pk, record_id)
    bbb.sim.recordings[record_id].state = "unpublished"

    recording_tasks.recording_fetch(bbb.server.pk, record_id)

    recording = Recording.objects.get(record_id=record_id)
    assert Recording.objects.count() == 1
    assert recording.state == Recording.State.UNPUBLISHED and not recording.published


def test_recordings_of_foreign_meetings_are_ignored(bbb):
    record_id = bbb.sim.add_recording("not-one-of-our-rooms")
    assert recording_tasks.recording_fetch(bbb.server.pk, record_id) == 0
    assert not Recording.objects.exists()


def test_fetch_for_an_ended_meeting_upserts_its_recordings(bbb):
    room = RoomFactory()
    meeting = MeetingFactory(room=room, server=bbb.server)
    ids = {bbb.add(room, days_ago=0.01), bbb.add(room, days_ago=0.02)}
    bbb.add(RoomFactory())  # another room's recording is not fetched

    assert recording_tasks.recordings_fetch_for_meeting(meeting.pk) == 2
    assert set(Recording.objects.values_list("record_id", flat=True)) == ids


def test_callback_fetch_while_bbb_is_down_retries_later_and_writes_nothing(bbb):
    room = RoomFactory()
    record_id = bbb.add(room)
    bbb.sim.configure(down=True)
    with pytest.raises(Exception):  # noqa: B017 (Celery's Retry or BBBUnavailable, depending on context)
        recording_tasks.recording_fetch.apply(args=(bbb.server.pk, record_id), throw=True)
    assert not Recording.objects.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_upsert_uses_a_constant_number_of_queries(bbb, count, django_assert_max_num_queries):
    rooms = [RoomFactory() for _ in range(3)]
    for n in range(count):
        bbb.add(rooms[n % 3], days_ago=n / 100)
    found = client_for(bbb.server).get_recordings(meeting_ids=[r.meeting_id for r in rooms]).recordings
    assert len(found) == count
    recording_upsert_many(server=bbb.server, recordings=found[: count // 2])  # some exist already

    with django_assert_max_num_queries(8):
        recording_upsert_many(server=bbb.server, recordings=found)
    assert Recording.objects.count() == count


def test_sweep_upserts_everything_across_pages(bbb):
    room = RoomFactory()
    for n in range(130):  # more than one page of 100
        bbb.add(room, days_ago=n / 50)

    result = recordings_reconcile(server=bbb.server)

    assert result.ok and result.seen == 130
    assert Recording.objects.count() == 130
    assert bbb.calls("getRecordings") == 2


def test_sweep_marks_a_recording_gone_only_when_a_successful_answer_misses_it(bbb):
    room = RoomFactory()
    kept, vanished = bbb.add(room, days_ago=1), bbb.add(room, days_ago=2)
    recordings_reconcile(server=bbb.server)
    del bbb.sim.recordings[vanished]

    result = recordings_reconcile(server=bbb.server)

    assert result.ok and result.gone == 1
    gone = Recording.objects.get(record_id=vanished)
    assert gone.state == Recording.State.GONE and gone.gone_at is not None
    assert gone.deleted_at is None  # never silently deleted
    assert Recording.objects.get(record_id=kept).state == Recording.State.PUBLISHED


@pytest.mark.parametrize("knob", ["down", "malformed"])
def test_a_failed_sweep_changes_nothing(bbb, knob):
    room = RoomFactory()
    vanished = bbb.add(room)
    recordings_reconcile(server=bbb.server)
    del bbb.sim.recordings[vanished]
    bbb.add(room, days_ago=3)  # new on BBB, not to be half-imported either
    before = list(Recording.objects.values_list("record_id", "state", "updated_at"))
    bbb.sim.configure(**{knob: True})

    result = recordings_reconcile(server=bbb.server)

    assert not result.ok
    assert list(Recording.objects.values_list("record_id", "state", "updated_at")) == before


def test_a_sweep_failing_on_a_later_page_changes_nothing(bbb):
    room = RoomFactory()
    ids = [bbb.add(room, days_ago=n / 50) for n in range(120)]
    recordings_reconcile(server=bbb.server)
    del bbb.sim.recordings[ids[0]]  # would be "gone" after a complete sweep
    original = bbb.sim._api_getRecordings

    def second_page_fails(p, body):
        if p.get("offset") not in (None, "", "0"):
            bbb.sim.configure(down=True)  # the next attempt (retry) meets a down server
            raise RuntimeError("simulated crash mid-pagination")
        return original(p, body)

    bbb.sim._api_getRecordings = second_page_fails

    result = recordings_reconcile(server=bbb.server)

    assert not result.ok
    assert not Recording.objects.filter(state=Recording.State.GONE).exists()


def test_sweep_task_reconciles_every_server(bbb, django_capture_on_commit_callbacks):
    room = RoomFactory()
    bbb.add(room)
    current_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert recording_tasks.recordings_sweep() == 1
    finally:
        current_app.conf.task_always_eager = False
    assert Recording.objects.filter(room=room).count() == 1


def test_beat_schedule_runs_the_sweep_at_the_configured_interval_and_cleanup_daily(settings):
    settings.RECORDING_SWEEP_INTERVAL = 1800
    schedule = recording_tasks.beat_schedule()
    assert schedule["recordings-sweep"]["schedule"].total_seconds() == 1800
    assert schedule["recordings-cleanup"]["task"] == "recordings.tasks.recordings_cleanup_run"
    assert schedule["recordings-deletion-notices"]["task"] == "recordings.tasks.recordings_deletion_notices"


def test_a_server_is_swept_by_one_task_at_a_time(bbb):
    from django.core.cache import cache

    bbb.add(RoomFactory())
    cache.add(f"rooms:recordings-sweep:{bbb.server.pk}", "1", timeout=60)
    try:
        assert recording_tasks.recordings_sweep_server(bbb.server.pk)["ok"] is False
        assert bbb.calls("getRecordings") == 0
    finally:
        cache.delete(f"rooms:recordings-sweep:{bbb.server.pk}")
    assert recording_tasks.recordings_sweep_server(bbb.server.pk)["ok"] is True
    assert Recording.objects.count() == 1


def test_a_recording_vanishing_between_pages_makes_the_sweep_partial(bbb):
    room = RoomFactory()
    ids = [bbb.add(room, days_ago=1 - n / 200) for n in range(150)]  # sorted by start: ids in order
    recordings_reconcile(server=bbb.server)
    original = bbb.sim._api_getRecordings

    def delete_one_after_the_first_page(p, body):
        reply = original(p, body)
        if p.get("offset") in (None, "", "0"):
            del bbb.sim.recordings[ids[0]]  # page two now starts one later: ids[100] is skipped
        return reply

    bbb.sim._api_getRecordings = delete_one_after_the_first_page

    result = recordings_reconcile(server=bbb.server)

    assert not result.ok and result.error == "incomplete pagination"
    assert not Recording.objects.filter(state=Recording.State.GONE).exists()
