"""Benchmark the meeting sync: one full cycle versus the per-room approach other front-ends use.

Data: 2,000 rooms, 500 running meetings with 10,000 attendees on 2 simulated BBB servers (the
bundled simulator, each in its own process on a local port; real HTTP, real XML).

* Our cycle: what one beat tick does: list the servers, then per server the locked ``getMeetings``
  + bulk apply. In production each server is its own Celery task, so the servers are synced in
  parallel by the worker pool; the benchmark does the same with a pre-forked pool of one process per
  server (the RESULT figure), and also reports the cycle run in one process, server after server.
* The per-room approach (Greenlight-style): for every room ``isMeetingRunning`` on its server and,
  when running, ``getMeetingInfo``, then an update of that room's meeting.

Network: the simulators run on localhost, where a round trip costs next to nothing; real BBB servers
are other machines, and every API call pays a network round trip plus bbb-web's handling. The
benchmark therefore gives every API call ``BENCH_BBB_LATENCY_MS`` (default 5 ms, a conservative
figure for a server in the same data centre) via the simulator's latency knob; it applies equally to
both approaches. ``BENCH_BBB_LATENCY_MS=0`` measures pure localhost.

Prints the figures; the last line is ``RESULT sync_ms=… naive_ms=… ratio=… queries=… bbb_calls=…``.
Run: ``.venv/bin/python bench/sync.py`` (SQLite in a temp dir; set DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herzdigital.test_settings")

import django  # noqa: E402
import requests  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from bbb import BBBClient  # noqa: E402

ROOMS = 2_000
RUNNING = 500
ATTENDEES = 10_000
SERVERS = 2
CLUBS = 40
CYCLES = 3  # sync cycles measured; the median is reported
LATENCY_MS = float(os.environ.get("BENCH_BBB_LATENCY_MS", "5"))
SIM_BASE_PORT = int(os.environ.get("BENCH_SIM_PORT", "8300"))  # two ports from here on
SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"


def start_simulators() -> list[tuple[subprocess.Popen, str]]:
    """Each simulated BBB server in its own process, as real servers are other machines."""
    sims = []
    for n in range(SERVERS):
        port = SIM_BASE_PORT + n
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bbb.simulator",
                "--port",
                str(port),
                "--secret",
                SECRET,
                "--meeting-expiry",
                "3600",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{url}/_sim/calls", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        requests.post(f"{url}/_sim/reset", timeout=5)
        sims.append((proc, url))
    return sims


def build(sims: list) -> list:
    from clubs.models import Club
    from meetings.models import Meeting, Server
    from rooms.models import Room

    servers = [
        Server.objects.create(name=f"bbb-{n}", api_url=f"{url}/bigbluebutton/api/", secret=SECRET)
        for n, (_, url) in enumerate(sims)
    ]
    clubs = Club.objects.bulk_create(
        Club(name=f"Verein {n}", slug=f"verein-{n}", status=Club.Status.ACTIVE, contact_email=f"k{n}@example.org")
        for n in range(CLUBS)
    )
    rooms = Room.objects.bulk_create(Room(club=clubs[n % CLUBS], name=f"Raum {n}") for n in range(ROOMS))
    per_meeting = ATTENDEES // RUNNING
    clients = [BBBClient(server.api_url, SECRET) for server in servers]
    meetings = []
    for n, room in enumerate(rooms[:RUNNING]):
        index = n % SERVERS
        clients[index].create(room.meeting_id, room.name, params={"record": "true"})
        knobs = f"{sims[index][1]}/_sim/attendees"
        requests.post(knobs, json={"meetingID": room.meeting_id, "role": "MODERATOR", "voice": True}, timeout=5)
        requests.post(
            knobs, json={"meetingID": room.meeting_id, "count": per_meeting - 1, "video": n % 5 == 0}, timeout=5
        )
        meetings.append(
            Meeting(
                room=room,
                club_id=room.club_id,
                server=servers[index],
                meeting_id=room.meeting_id,
                status=Meeting.Status.STARTING,
                record=True,
            )
        )
    Meeting.objects.bulk_create(meetings)
    return servers


def bbb_calls(sims: list) -> int:
    return sum(sum(requests.get(f"{url}/_sim/calls", timeout=5).json().values()) for _, url in sims)


def sync_cycle(sims: list) -> tuple[float, int, int]:
    from meetings import sync

    calls = bbb_calls(sims)
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        for server_id in sync.servers_to_sync():
            result = sync.server_sync_locked(server_id=server_id)
            assert result.ok, result.summary()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  (one process: {elapsed * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU time of this process)")
    return elapsed * 1000, len(queries), bbb_calls(sims) - calls


def _warm_up(_: int) -> None:
    connection.ensure_connection()


def _sync_in_worker(server_id: int) -> tuple[int, bool]:
    """Runs in a pool process, like a Celery prefork child running ``sync_server``."""
    from meetings import sync

    with CaptureQueriesContext(connection) as queries:
        result = sync.server_sync_locked(server_id=server_id)
    return len(queries), result.ok


def parallel_cycle(pool, sims: list) -> tuple[float, int, int]:  # noqa: ANN001
    from meetings import sync

    calls = bbb_calls(sims)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        results = pool.map(_sync_in_worker, sync.servers_to_sync())
        elapsed = time.perf_counter() - started
    assert all(ok for _, ok in results)
    return elapsed * 1000, len(queries) + sum(n for n, _ in results), bbb_calls(sims) - calls


def naive_cycle(sims: list, servers: list) -> tuple[float, int, int]:
    """One isMeetingRunning per room (+ getMeetingInfo when running) and one update per meeting."""
    from meetings.bbb_clients import client_for
    from meetings.models import Meeting
    from rooms.models import Room

    calls = bbb_calls(sims)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        clients = [client_for(server) for server in servers]
        for n, room in enumerate(Room.objects.order_by("pk").only("pk", "meeting_id")):
            client = clients[n % SERVERS]  # rooms are spread over the servers like the meetings
            if not client.is_meeting_running(room.meeting_id):
                continue
            info = client.get_meeting_info(room.meeting_id)
            Meeting.objects.filter(room=room, ended_at__isnull=True).update(
                status=Meeting.Status.RUNNING,
                participant_count=info.participant_count or 0,
                moderator_count=info.moderator_count or 0,
                voice_count=info.voice_participant_count or 0,
                video_count=info.video_count or 0,
            )
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(queries), bbb_calls(sims) - calls


def main() -> None:
    old_config = setup_databases(verbosity=0, interactive=False)
    sims: list = []
    try:
        t = time.perf_counter()
        sims = start_simulators()
        servers = build(sims)
        for _, url in sims:
            requests.post(f"{url}/_sim/config", json={"latency": LATENCY_MS / 1000}, timeout=5)
        print(
            f"setup: {ROOMS} rooms, {RUNNING} running meetings, {ATTENDEES} attendees on {SERVERS} servers "
            f"({time.perf_counter() - t:.1f} s, {connection.vendor}, {LATENCY_MS:g} ms per BBB call)"
        )

        from meetings import sync  # noqa: F401  (loaded before forking, like a worker's code)
        from meetings.models import Meeting

        # A pre-forked pool (one process per server), like Celery's prefork worker pool.
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(SERVERS)
        pool.map(_warm_up, range(SERVERS))
        try:
            runs = [parallel_cycle(pool, sims) for _ in range(CYCLES)]
        finally:
            pool.close()
            pool.join()
        running = Meeting.objects.filter(status=Meeting.Status.RUNNING).count()
        attendees = sum(Meeting.objects.values_list("participant_count", flat=True))
        assert (running, attendees) == (RUNNING, ATTENDEES), (running, attendees)
        sync_ms = statistics.median(ms for ms, _, _ in runs)
        queries, calls = runs[0][1], runs[0][2]
        print(
            f"sync cycle, servers in parallel:  {sync_ms:8.1f} ms  {queries:5d} SQL queries  {calls:5d} BBB calls"
            f"  (median of {', '.join(f'{ms:.0f}' for ms, _, _ in runs)} ms)"
        )
        one = [sync_cycle(sims) for _ in range(CYCLES)]
        one_ms = statistics.median(ms for ms, _, _ in one)
        print(
            f"sync cycle, one process:          {one_ms:8.1f} ms  {one[0][1]:5d} SQL queries  {one[0][2]:5d} BBB calls"
            f"  (median of {', '.join(f'{ms:.0f}' for ms, _, _ in one)} ms)"
        )

        naive_ms, naive_queries, naive_calls = naive_cycle(sims, servers)
        print(
            f"per room, one process:            {naive_ms:8.1f} ms  {naive_queries:5d} SQL queries  "
            f"{naive_calls:5d} BBB calls"
        )
        print(
            f"RESULT sync_ms={sync_ms:.0f} naive_ms={naive_ms:.0f} ratio={naive_ms / sync_ms:.1f} "
            f"queries={queries} bbb_calls={calls}"
        )
    finally:
        for proc, _ in sims:
            proc.terminate()
            proc.wait(timeout=10)
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
