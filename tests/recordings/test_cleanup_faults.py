"""The retention cleanup and the deletion notices under concurrency and faults (issue 21, items 1, 2, 4, 7).

The concurrency tests use a second real database connection (a thread) and need PostgreSQL, where
row locks are real; CI runs them there (``require_service`` fails them on CI otherwise).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from clubs.models import Role
from recordings import cleanup, services
from recordings.cleanup import recordings_cleanup, recordings_deletion_notices_send
from recordings.models import CleanupRun, Recording
from recordings.services import recordings_reconcile
from tests.conftest import require_service
from tests.factories import ClubFactory, MembershipFactory, RecordingFactory, RoomFactory
from tests.recordings.recording_sim import bbb_fixture  # noqa: F401 (fixture "bbb")


@pytest.fixture(autouse=True)
def _small_batches(settings):
    settings.RECORDING_CLEANUP_BATCH_SIZE = 2
    settings.RECORDING_CLEANUP_MAX_PER_RUN = 1000


def _require_postgresql() -> None:
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")


def _load(bbb, *ages_in_days) -> list[str]:
    room = RoomFactory(club=ClubFactory(retention_days=30))
    ids = [bbb.add(room, days_ago=age) for age in ages_in_days]
    assert recordings_reconcile(server=bbb.server).ok
    return ids


def _row(record_id: str) -> Recording:
    return Recording.objects.get(record_id=record_id)


def _in_other_connection(target, *args) -> threading.Thread:
    """Run ``target`` in a thread, i.e. on a database connection of its own (like a web request)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = target(*args)
        except Exception as exc:  # reported by the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.outcome = outcome  # type: ignore[attr-defined]
    thread.start()
    return thread


def _protect(record_id: str):
    return services.recording_set_protected(recording=_row(record_id), actor=None, protected=True)


def _on_delete(bbb, hook) -> None:
    """Call ``hook(n)`` while BBB handles the n-th deleteRecordings (before it answers)."""
    original = bbb.sim._api_deleteRecordings
    count = {"n": 0}

    def wrapped(p, body):
        count["n"] += 1
        hook(count["n"])
        return original(p, body)

    bbb.sim._api_deleteRecordings = wrapped


# -- item 1: protection and retention are re-checked per batch ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_recording_protected_while_the_cleanup_runs_is_neither_deleted_on_bbb_nor_marked(bbb):
    _require_postgresql()
    ids = _load(bbb, 60, 59, 58, 57)  # two batches of two, oldest first
    late = ids[3]

    def protect_during_first_batch(n: int) -> None:
        if n == 1:
            thread = _in_other_connection(_protect, late)
            thread.join(10)
            assert "error" not in thread.outcome, thread.outcome

    _on_delete(bbb, protect_during_first_batch)
    report = recordings_cleanup(dry_run=False)

    assert bbb.bbb_state(late) == "published"
    row = _row(late)
    assert row.protected and row.deleted_at is None
    assert report.deleted == 3 and report.skipped == 1
    assert all(bbb.bbb_state(i) == "deleted" for i in ids[:3])


@pytest.mark.django_db(transaction=True)
def test_protecting_a_recording_whose_batch_is_being_deleted_waits_and_is_refused(bbb):
    _require_postgresql()
    ids = _load(bbb, 60, 59)
    threads: list[threading.Thread] = []

    def protect_while_bbb_deletes(n: int) -> None:
        threads.append(_in_other_connection(_protect, ids[1]))
        time.sleep(0.5)
        assert threads[0].is_alive()  # waits for the batch's row lock

    _on_delete(bbb, protect_while_bbb_deletes)
    report = recordings_cleanup(dry_run=False)
    threads[0].join(10)

    assert report.deleted == 2
    assert isinstance(threads[0].outcome.get("error"), services.RecordingActionFailed)
    assert _row(ids[1]).deleted_at is not None and not _row(ids[1]).protected


@pytest.mark.django_db(transaction=True)
def test_a_retention_switched_to_keep_forever_during_the_run_stops_the_next_batches(bbb):
    ids = _load(bbb, 60, 59, 58, 57)
    club = _row(ids[0]).club

    def keep_forever(n: int) -> None:
        if n == 1:
            club.retention_days = None
            club.save(update_fields=["retention_days"])

    _on_delete(bbb, keep_forever)
    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 2 and report.skipped == 2
    assert [bbb.bbb_state(i) for i in ids] == ["deleted", "deleted", "published", "published"]


# -- item 2: each id is confirmed with getRecordings(state=any) ---------------------------------


def test_a_recording_bbb_still_holds_after_the_delete_is_not_marked_deleted(bbb):
    ids = _load(bbb, 60, 59)
    rebuilding = ids[1]
    original = bbb.sim._api_deleteRecordings

    def delete_but_rebuild(p, body):
        reply = original(p, body)
        bbb.sim.recordings[rebuilding].state = "processing"  # BBB rebuilds it: still there
        return reply

    bbb.sim._api_deleteRecordings = delete_but_rebuild
    report = recordings_cleanup(dry_run=False)

    assert report.deleted == 1 and report.failed == 1
    assert _row(ids[0]).deleted_at is not None
    row = _row(rebuilding)
    assert row.deleted_at is None and row.state == Recording.State.PUBLISHED
    assert bbb.calls("getRecordings") >= 2  # the sweep's, then the confirmation


def test_deletions_bbb_cannot_confirm_are_left_for_the_next_run(bbb):
    ids = _load(bbb, 60)
    original = bbb.sim._api_deleteRecordings

    def delete_then_break(p, body):
        reply = original(p, body)
        bbb.sim.configure(malformed=True)
        return reply

    bbb.sim._api_deleteRecordings = delete_then_break
    assert recordings_cleanup(dry_run=False).deleted == 0
    assert _row(ids[0]).deleted_at is None
    bbb.sim._api_deleteRecordings = original
    bbb.sim.configure(malformed=False)
    assert recordings_cleanup(dry_run=False).deleted == 1  # notFound, then confirmed absent


# -- item 7: the run's lock expires with its time limit and is refreshed ------------------------


def test_a_killed_runs_lock_expires_with_the_time_limit_and_the_skip_says_why(bbb, settings, caplog):
    from herzdigital.locks import Lock

    settings.RECORDING_CLEANUP_TIME_LIMIT = 1
    ids = _load(bbb, 60)
    assert Lock(cleanup.CLEANUP_LOCK_NAME, ttl=1).acquire()  # a run that was killed: never released
    CleanupRun.objects.create()  # … and whose row still says running

    with caplog.at_level(logging.WARNING, logger="recordings.cleanup"):
        skipped = recordings_cleanup(dry_run=False)

    assert skipped.skipped_locked and skipped.deleted == 0
    assert "another cleanup run holds the lock" in caplog.text
    row = CleanupRun.objects.filter(outcome=CleanupRun.Outcome.SKIPPED).get()
    assert "another cleanup run holds the lock (started" in row.message

    time.sleep(1.2)
    assert recordings_cleanup(dry_run=False).deleted == 1
    assert _row(ids[0]).deleted_at is not None
    assert CleanupRun.objects.filter(outcome=CleanupRun.Outcome.DONE, deleted=1).exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_longer_than_its_lock_ttl_keeps_the_lock_by_refreshing_it(bbb, settings):
    settings.RECORDING_CLEANUP_TIME_LIMIT = 3
    ids = _load(bbb, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51)  # five batches
    bbb.sim.configure(latency=0.5)  # two calls per batch: ~5 s in all, more than the TTL; each batch < TTL

    first = _in_other_connection(lambda: recordings_cleanup(dry_run=False))
    time.sleep(3.5)  # past the TTL: without the refresh the lock would have expired by now
    second = recordings_cleanup(dry_run=False)
    first.join(30)

    assert second.skipped_locked
    assert first.outcome["value"].deleted == 10
    assert all(_row(i).deleted_at is not None for i in ids)


def test_skipped_runs_are_listed_in_the_admin(admin_client, settings, db):
    settings.STAFF_REQUIRE_MFA = False
    CleanupRun.objects.create(outcome=CleanupRun.Outcome.SKIPPED, message="skipped: another cleanup run holds it")
    response = admin_client.get(reverse("admin:recordings_cleanuprun_changelist"))
    assert response.status_code == 200
    assert "skipped: another cleanup run holds it" in response.content.decode()


# -- item 4: a deletion notice goes out once, also from two overlapping runs ----------------------


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_notice_runs_send_each_notice_once(settings, monkeypatch):
    _require_postgresql()
    settings.RECORDING_DELETION_NOTICE_DAYS = 7
    club = ClubFactory(retention_days=30)
    MembershipFactory(club=club, role=Role.OWNER)
    room = RoomFactory(club=club)
    for days in (25, 26):
        RecordingFactory(room=room, club=club, started_at=timezone.now() - timedelta(days=days))
    # Both runs read the due recordings before either sends (two beats firing at once).
    both_read = threading.Barrier(2, timeout=3)
    original_claim = getattr(cleanup, "_notice_claim", None)
    original_send = cleanup._send_notice

    def read_then_wait(*args, **kwargs):
        try:
            both_read.wait()
        except threading.BrokenBarrierError:
            pass
        return original_claim(*args, **kwargs) if original_claim else None

    if original_claim is not None:
        monkeypatch.setattr(cleanup, "_notice_claim", read_then_wait)
    else:  # the code before the fix: meet before sending
        monkeypatch.setattr(cleanup, "_send_notice", lambda **kw: (read_then_wait(), original_send(**kw)))

    runs = [_in_other_connection(recordings_deletion_notices_send) for _ in range(2)]
    for run in runs:
        run.join(30)

    assert [r.outcome.get("error") for r in runs] == [None, None]
    assert sorted(r.outcome["value"] for r in runs) == [0, 1]
    assert len(mail.outbox) == 1
    assert Recording.objects.filter(deletion_notice_sent_at__isnull=True).count() == 0


def test_a_failed_send_gives_the_claim_back(settings, monkeypatch, db):
    settings.RECORDING_DELETION_NOTICE_DAYS = 7
    club = ClubFactory(retention_days=30)
    RecordingFactory(room=RoomFactory(club=club), club=club, started_at=timezone.now() - timedelta(days=25))

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(cleanup, "_send_notice", broken)
    with pytest.raises(OSError):
        recordings_deletion_notices_send()
    assert Recording.objects.filter(deletion_notice_sent_at__isnull=True).count() == 1
    monkeypatch.undo()
    assert recordings_deletion_notices_send() == 1
