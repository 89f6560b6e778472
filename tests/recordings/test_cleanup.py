"""Retention cleanup: deletes exactly what has expired, on BBB first, and nothing more."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from celery import current_app
from django.core.management import call_command

from clubs.models import AuditEntry
from meetings.bbb_clients import clients_reset
from recordings import tasks as recording_tasks
from recordings.cleanup import club_retention_days, recordings_cleanup
from recordings.models import Recording
from recordings.services import recordings_reconcile
from tests.factories import ClubFactory, RoomFactory
from tests.recordings.recording_sim import bbb_fixture, make_server  # noqa: F401 (fixture "bbb")


@pytest.fixture(autouse=True)
def _small_batches(settings):
    settings.RECORDING_CLEANUP_BATCH_SIZE = 2
    settings.RECORDING_CLEANUP_MAX_PER_RUN = 1000


def _room(retention_days=30, max_retention_days=None):
    club = ClubFactory(retention_days=retention_days, max_retention_days=max_retention_days)
    return RoomFactory(club=club)


def _load(bbb, room, *ages_in_days, **kwargs) -> list[str]:
    ids = [bbb.add(room, days_ago=age, **kwargs) for age in ages_in_days]
    assert recordings_reconcile(server=bbb.server).ok
    return ids


def _deleted_ids() -> set[str]:
    return set(Recording.objects.filter(deleted_at__isnull=False).values_list("record_id", flat=True))


def test_expired_recordings_are_deleted_on_bbb_then_marked_with_an_audit_entry(bbb):
    room = _room(retention_days=30)
    expired = _load(bbb, room, 40, 35, 31)
    fresh = _load(bbb, room, 29, 1)

    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 3 and report.failed == 0
    assert _deleted_ids() == set(expired)
    assert all(bbb.bbb_state(i) == "deleted" for i in expired)
    assert all(bbb.bbb_state(i) == "published" for i in fresh)
    assert Recording.objects.get(record_id=expired[0]).state == Recording.State.DELETED
    entries = AuditEntry.objects.filter(action="recording.cleanup_deleted")
    assert sorted(e.details["record_id"] for e in entries) == sorted(expired)
    assert {e.club_id for e in entries} == {room.club_id}
    assert all(e.reason == "retention expired" and e.actor_label == "cleanup" for e in entries)


def test_several_ids_go_into_one_delete_call(bbb, settings):
    settings.RECORDING_CLEANUP_BATCH_SIZE = 25
    room = _room(retention_days=10)
    _load(bbb, room, *[20 + n / 10 for n in range(60)])

    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 60
    assert bbb.calls("deleteRecordings") == 3
    assert report.bbb_calls == 6  # each delete is followed by one getRecordings confirming its ids


def test_protected_and_keep_forever_recordings_are_never_selected(bbb):
    room = _room(retention_days=30)
    protected = _load(bbb, room, 400)[0]
    Recording.objects.filter(record_id=protected).update(protected=True)
    forever = _load(bbb, _room(retention_days=None), 4000)[0]

    report = recordings_cleanup(dry_run=False)

    assert report.selected == 0 and report.deleted == 0
    assert bbb.calls("deleteRecordings") == 0
    assert bbb.bbb_state(protected) == bbb.bbb_state(forever) == "published"


def test_the_staff_cap_limits_retention_even_for_keep_forever():
    assert club_retention_days(ClubFactory.build(retention_days=None, max_retention_days=None)) is None
    assert club_retention_days(ClubFactory.build(retention_days=None, max_retention_days=90)) == 90
    assert club_retention_days(ClubFactory.build(retention_days=400, max_retention_days=90)) == 90
    assert club_retention_days(ClubFactory.build(retention_days=30, max_retention_days=90)) == 30


def test_new_clubs_get_the_service_wide_default_retention(db, settings):
    settings.RECORDING_DEFAULT_RETENTION_DAYS = 180
    assert ClubFactory().retention_days == 180
    settings.RECORDING_DEFAULT_RETENTION_DAYS = 0
    assert ClubFactory().retention_days is None


def test_a_capped_club_is_cleaned_at_the_cap(bbb):
    room = _room(retention_days=365, max_retention_days=90)
    old, young = _load(bbb, room, 100, 80)
    recordings_cleanup(dry_run=False)
    assert _deleted_ids() == {old}


@pytest.mark.parametrize("knob", ["down", "malformed"])
def test_bbb_failing_in_the_middle_leaves_every_unconfirmed_recording_untouched(bbb, knob):
    room = _room(retention_days=30)
    ids = _load(bbb, room, 60, 59, 58, 57, 56, 55)  # three batches of two, oldest first
    # BBB breaks right after the second delete: that batch is deleted there, but never confirmed.
    bbb.sim.fail_after, bbb.sim.fail_with = 2, knob
    audit_before = AuditEntry.objects.count()

    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 2 and report.failed == 4
    assert _deleted_ids() == set(ids[:2])
    for record_id in ids[2:]:
        row = Recording.objects.get(record_id=record_id)
        assert (row.state, row.deleted_at) == (Recording.State.PUBLISHED, None)
    assert [bbb.bbb_state(i) for i in ids[2:]] == ["deleted", "deleted", "published", "published"]
    assert AuditEntry.objects.count() == audit_before + 2
    # After a transport failure the rest of that server is left for the next run.
    assert bbb.calls("deleteRecordings") == 2
    assert report.errors


def test_a_timeout_after_bbb_deleted_is_confirmed_by_notfound_next_run(bbb, settings):
    room = _room(retention_days=30)
    ids = _load(bbb, room, 50, 49)
    settings.BBB_READ_TIMEOUT = 0.2
    clients_reset()
    bbb.sim.configure(latency=0.5)  # BBB acts, but answers after we gave up

    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 0 and report.failed == 2
    assert not _deleted_ids()
    deadline = time.monotonic() + 5
    while bbb.sim.deletes < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(bbb.bbb_state(i) == "deleted" for i in ids)  # it did act

    bbb.sim.configure(latency=0)
    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 2  # notFound in a well-formed answer: nothing left on BBB
    assert _deleted_ids() == set(ids)


def test_another_failed_answer_changes_nothing(bbb):
    room = _room(retention_days=30)
    _load(bbb, room, 50)
    bbb.server.secret = "wrong"  # checksumError: a FAILED answer that confirms nothing
    bbb.server.save()
    clients_reset()

    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 0 and report.failed == 1
    assert not _deleted_ids()


def test_a_retention_shortened_later_applies_from_the_next_run(bbb):
    room = _room(retention_days=90)
    ids = _load(bbb, room, 60, 20)
    assert recordings_cleanup(dry_run=False).deleted == 0

    room.club.retention_days = 30
    room.club.save()

    assert recordings_cleanup(dry_run=False).deleted == 1
    assert _deleted_ids() == {ids[0]}


def test_the_dry_run_writes_nothing_and_calls_no_delete(bbb):
    room = _room(retention_days=30)
    ids = _load(bbb, room, 60, 50, 1)
    before = list(Recording.objects.order_by("pk").values())
    audit_before = AuditEntry.objects.count()
    out = StringIO()

    call_command("cleanup_recordings", "--dry-run", stdout=out)

    assert list(Recording.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.count() == audit_before
    assert bbb.calls("deleteRecordings") == 0
    text = out.getvalue()
    assert ids[0] in text and ids[1] in text and ids[2] not in text
    assert "would delete 2 of 2" in text


def test_running_twice_deletes_nothing_twice(bbb):
    room = _room(retention_days=30)
    _load(bbb, room, 60, 50, 40)
    first = recordings_cleanup(dry_run=False)
    calls, audits = bbb.calls("deleteRecordings"), AuditEntry.objects.count()

    second = recordings_cleanup(dry_run=False)

    assert first.deleted == 3
    assert second.selected == second.deleted == 0
    assert bbb.calls("deleteRecordings") == calls
    assert AuditEntry.objects.count() == audits


def test_a_run_stops_at_the_cap_and_the_limit(bbb, settings):
    settings.RECORDING_CLEANUP_MAX_PER_RUN = 3
    room = _room(retention_days=30)
    _load(bbb, room, *range(40, 50))

    report = recordings_cleanup(dry_run=False)
    assert report.deleted == 3 and report.capped

    call_command("cleanup_recordings", "--limit", "2", stdout=StringIO())
    assert len(_deleted_ids()) == 5


def test_the_club_option_only_touches_that_club(bbb):
    mine, other = _room(retention_days=30), _room(retention_days=30)
    (old,) = _load(bbb, mine, 40)
    (other_old,) = _load(bbb, other, 40)

    out = StringIO()
    call_command("cleanup_recordings", "--club", mine.club.slug, stdout=out)

    assert _deleted_ids() == {old}
    assert "deleted 1 of 1" in out.getvalue()


def test_recordings_are_deleted_per_server(bbb, settings):
    from bbb.simulator import Simulator, serve_in_thread

    second_sim = Simulator(secret=bbb.server.secret, recording_delay=0)
    http, url = serve_in_thread(second_sim)
    try:
        second = make_server(url, name="second")
        room = _room(retention_days=30)
        _load(bbb, room, 40, 41)
        second_sim.add_recording(room.meeting_id, start_time=1_000_000_000_000)
        assert recordings_reconcile(server=second).ok

        report = recordings_cleanup(dry_run=False)

        assert report.deleted == 3
        assert bbb.calls("deleteRecordings") == 1 and second_sim.calls["deleteRecordings"] == 1
        assert Recording.objects.filter(server=second, deleted_at__isnull=False).count() == 1
    finally:
        http.shutdown()
        http.server_close()


@pytest.mark.parametrize("batch", [5, 50])
def test_queries_grow_with_batches_not_recordings(bbb, settings, batch, django_assert_max_num_queries):
    settings.RECORDING_CLEANUP_BATCH_SIZE = 50
    room = _room(retention_days=10)
    _load(bbb, room, *[20 + n / 100 for n in range(batch)])
    # one batch either way: selection (2) + server + claim, update, audit in a transaction
    # + the run's lock (3) and CleanupRun row (2); per batch: savepoint (2), lock refresh, retention
    # re-check, locked re-read, update, audit
    with django_assert_max_num_queries(17):
        assert recordings_cleanup(dry_run=False).deleted == batch


def test_the_cleanup_task_runs_on_the_maintenance_queue():
    route = current_app.amqp.router.route({}, "recordings.tasks.recordings_cleanup_run")
    assert route["queue"].name == "maintenance"
    notices = current_app.amqp.router.route({}, "recordings.tasks.recordings_deletion_notices")
    assert notices["queue"].name == "maintenance"
    sweep = current_app.amqp.router.route({}, "recordings.tasks.recordings_sweep")
    assert sweep["queue"].name == "default"
    assert recording_tasks.beat_schedule()["recordings-cleanup"]["options"]["queue"] == "maintenance"


def test_the_cleanup_task_deletes_expired_recordings(bbb):
    room = _room(retention_days=30)
    _load(bbb, room, 40)
    assert recording_tasks.recordings_cleanup_run() == {"selected": 1, "deleted": 1, "failed": 0}


def test_only_one_cleanup_runs_at_a_time(bbb):
    from herzdigital.locks import Lock
    from recordings.cleanup import CLEANUP_LOCK_NAME

    room = _room(retention_days=30)
    _load(bbb, room, 40)
    other = Lock(CLEANUP_LOCK_NAME, ttl=60)
    assert other.acquire()
    try:
        report = recordings_cleanup(dry_run=False)
        assert report.skipped_locked and report.deleted == 0
        assert recordings_cleanup(dry_run=True).selected == 1  # the plan needs no lock
    finally:
        other.release()
    assert recordings_cleanup(dry_run=False).deleted == 1
