"""Benchmark the retention cleanup: 100,000 recordings across 200 clubs, 20,000 of them expired.

The BBB simulator runs in-process on a local port and holds every recording, so each
``deleteRecordings`` is a real HTTP call with checksum and XML. The database is a fresh test
database (SQLite file in a temp dir by default; ``BENCH_DATABASE_URL=postgres://...`` to use
PostgreSQL — a ``test_<name>`` database is created and dropped). Memory is measured with
tracemalloc over the cleanup run only (the simulator's own 100,000 recordings are set-up, not
cleanup). tracemalloc slows Python down several times, so the cleanup runs twice on the same
data: once timed (seconds, BBB calls, queries), then - after restoring rows and simulator - once
under tracemalloc (peak_mb). Both runs are checked: exactly the 20,000 expired recordings are
deleted on BBB and here, each with an audit entry, and no protected one.
The per-run cap is raised to 20,000 for the benchmark (default 5,000).

Last line: ``RESULT seconds=… deleted=… bbb_calls=… queries=… peak_mb=…``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="herzdigital-bench-cleanup-")
os.environ["VAR_DIR"] = _tmp
os.environ["DJANGO_SETTINGS_MODULE"] = "herzdigital.settings"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.pop("REDIS_URL", None)
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

CLUBS = int(os.environ.get("BENCH_CLUBS", "200"))
PER_CLUB = 500
EXPIRED_PER_CLUB = 100  # 20,000 in all
PROTECTED_OLD_PER_CLUB = 10  # old enough, but protected: must survive
RETENTIONS = [30, 90, 365]
SECRET = "bench-secret"


def main() -> None:
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"{_tmp}/bench-test.sqlite3"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def run() -> None:
    from bbb.simulator import Simulator, serve_in_thread
    from clubs.models import Club
    from meetings.bbb_clients import clients_reset
    from meetings.models import Server
    from recordings.models import Recording
    from rooms.models import Room

    settings.RECORDING_CLEANUP_MAX_PER_RUN = CLUBS * EXPIRED_PER_CLUB
    sim = Simulator(secret=SECRET, recording_delay=0)
    http, url = serve_in_thread(sim)
    clients_reset()
    setup_started = time.perf_counter()

    server = Server.objects.create(name="sim", api_url=f"{url}/bigbluebutton/api/", secret=SECRET)
    now = datetime.now(UTC)
    clubs = Club.objects.bulk_create(
        Club(
            name=f"Bench-Verein {n}",
            slug=f"bench-{n}",
            status=Club.Status.ACTIVE,
            contact_name="Bench",
            contact_email=f"bench{n}@example.org",
            retention_days=RETENTIONS[n % len(RETENTIONS)],
        )
        for n in range(CLUBS)
    )
    rooms = Room.objects.bulk_create(
        # Distinct PINs: the model default draws at random and would collide now and then.
        Room(club=club, name=f"Raum {club.pk}", voice_bridge=str(10000 + n))
        for n, club in enumerate(clubs)
    )
    rows: list[Recording] = []
    for club, room in zip(clubs, rooms, strict=True):
        for n in range(PER_CLUB):
            if n < EXPIRED_PER_CLUB + PROTECTED_OLD_PER_CLUB:
                age = timedelta(days=club.retention_days + 1 + n)
            else:
                age = timedelta(days=club.retention_days - 1 - (n % club.retention_days), minutes=n)
            started = now - age
            record_id = sim.add_recording(
                room.meeting_id, start_time=started.timestamp() * 1000, duration_minutes=30, formats=("presentation",)
            )
            rows.append(
                Recording(
                    club=club,
                    room=room,
                    server=server,
                    record_id=record_id,
                    bbb_meeting_id=room.meeting_id,
                    name=f"Aufzeichnung {n}",
                    state=Recording.State.PUBLISHED,
                    published=True,
                    protected=EXPIRED_PER_CLUB <= n < EXPIRED_PER_CLUB + PROTECTED_OLD_PER_CLUB,
                    started_at=started,
                    ended_at=started + timedelta(minutes=30),
                    duration_seconds=1800,
                )
            )
        if len(rows) >= 20_000:
            Recording.objects.bulk_create(rows, batch_size=2000)
            rows.clear()
    Recording.objects.bulk_create(rows, batch_size=2000)
    rows.clear()
    setup_seconds = time.perf_counter() - setup_started
    print(
        f"setup: {Recording.objects.count()} recordings, {len(sim.recordings)} on the simulator ({setup_seconds:.1f} s)"
    )

    timed = cleanup_once(sim, server, measure_memory=False)
    check(sim, "timed run")
    restore(sim)
    measured = cleanup_once(sim, server, measure_memory=True)
    check(sim, "memory run")
    http.shutdown()
    http.server_close()
    report = timed["report"]
    print(
        f"RESULT seconds={timed['seconds']:.2f} deleted={report.deleted} bbb_calls={timed['bbb_calls']} "
        f"queries={timed['queries']} peak_mb={measured['peak'] / 1024 / 1024:.1f}"
    )


def cleanup_once(sim, server, *, measure_memory: bool) -> dict:
    from recordings.cleanup import recordings_cleanup

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    sim.calls.clear()
    if measure_memory:
        tracemalloc.start()
    profiler = None
    if os.environ.get("BENCH_PROFILE") and not measure_memory:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    cpu_started = time.process_time()
    with connection.execute_wrapper(count):
        report = recordings_cleanup(dry_run=False)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak = 0
    if measure_memory:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(30)
    bbb_calls = sum(sim.calls.values())
    kind = "memory run (tracemalloc on)" if measure_memory else "timed run"
    print(f"{kind}: {report.summary()}; {seconds:.2f} s wall, {cpu_seconds:.2f} s cpu (site and simulator)")
    return {"report": report, "seconds": seconds, "queries": queries, "bbb_calls": bbb_calls, "peak": peak}


def check(sim, label: str) -> None:
    from clubs.models import AuditEntry
    from recordings.models import Recording

    deleted_db = Recording.objects.filter(deleted_at__isnull=False).count()
    deleted_bbb = sum(1 for r in sim.recordings.values() if r.state == "deleted")
    protected_alive = Recording.objects.filter(protected=True, deleted_at__isnull=True).count()
    audits = AuditEntry.objects.filter(action="recording.cleanup_deleted").count()
    expected = CLUBS * EXPIRED_PER_CLUB
    ok = deleted_db == deleted_bbb == audits == expected and protected_alive == CLUBS * PROTECTED_OLD_PER_CLUB
    print(
        f"check {label}: deleted in db={deleted_db}, on bbb={deleted_bbb}, audit entries={audits}, "
        f"protected kept={protected_alive}/{CLUBS * PROTECTED_OLD_PER_CLUB}, "
        f"deleteRecordings={sim.calls['deleteRecordings']} ({settings.RECORDING_CLEANUP_BATCH_SIZE} ids each): "
        + ("ok" if ok else "MISMATCH")
    )
    if not ok:
        sys.exit(1)


def restore(sim) -> None:
    """Undo the timed run (database rows, audit entries, simulator states) for the memory run."""
    from clubs.models import AuditEntry
    from recordings.models import Recording

    Recording.objects.filter(deleted_at__isnull=False).update(deleted_at=None, state=Recording.State.PUBLISHED)
    AuditEntry.objects.filter(action="recording.cleanup_deleted").delete()
    for recording in sim.recordings.values():
        if recording.state == "deleted":
            recording.state = "published"


if __name__ == "__main__":
    main()
