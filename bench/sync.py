"""Benchmark the meeting sync: one full cycle versus the per-room approach other front-ends use.

Data: 2,000 rooms, 500 running meetings with 10,000 attendees on 2 simulated BBB servers (the
bundled simulator, each on its own local port; real HTTP, real XML).

* Our cycle: what one beat tick does, run in this process: list the servers, then per server the
  locked ``getMeetings`` + bulk apply (in production the two servers run in parallel on workers;
  here they run one after the other).
* The per-room approach (Greenlight-style): for every room ``isMeetingRunning`` on its server and,
  when running, ``getMeetingInfo``, then an update of that room's meeting.

Prints the figures; the last line is ``RESULT sync_ms=… naive_ms=… ratio=… queries=… bbb_calls=…``.
Run: ``.venv/bin/python bench/sync.py`` (SQLite in a temp dir; set DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herzdigital.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from bbb import BBBClient  # noqa: E402
from bbb.simulator import Simulator, serve_in_thread  # noqa: E402

ROOMS = 2_000
RUNNING = 500
ATTENDEES = 10_000
SERVERS = 2
CLUBS = 40
SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"


def build() -> tuple[list, list]:
    from clubs.models import Club
    from rooms.models import Meeting, Room, Server

    sims, servers = [], []
    for n in range(SERVERS):
        sim = Simulator(secret=SECRET, callbacks_enabled=False, meeting_expiry_seconds=3600)
        _, url = serve_in_thread(sim)
        sims.append(sim)
        servers.append(Server.objects.create(name=f"bbb-{n}", api_url=f"{url}/bigbluebutton/api/", secret=SECRET))
    clubs = Club.objects.bulk_create(
        Club(name=f"Verein {n}", slug=f"verein-{n}", status=Club.Status.ACTIVE, contact_email=f"k{n}@example.org")
        for n in range(CLUBS)
    )
    rooms = Room.objects.bulk_create(Room(club=clubs[n % CLUBS], name=f"Raum {n}") for n in range(ROOMS))
    per_meeting = ATTENDEES // RUNNING
    meetings = []
    for n, room in enumerate(rooms[:RUNNING]):
        index = n % SERVERS
        client = BBBClient(servers[index].api_url, SECRET)
        client.create(room.meeting_id, room.name, params={"record": "true"})
        sims[index].add_attendees(room.meeting_id, 1, role="MODERATOR", voice=True, video=True)
        sims[index].add_attendees(room.meeting_id, per_meeting - 1, voice=n % 2 == 0, video=n % 5 == 0)
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
    return sims, servers


def bbb_calls(sims: list) -> int:
    return sum(sum(sim.calls.values()) for sim in sims)


def sync_cycle(sims: list) -> tuple[float, int, int]:
    from rooms import sync

    calls = bbb_calls(sims)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for server_id in sync.servers_to_sync():
            result = sync.server_sync_locked(server_id=server_id)
            assert result.ok, result.summary()
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(queries), bbb_calls(sims) - calls


def naive_cycle(sims: list, servers: list) -> tuple[float, int, int]:
    """One isMeetingRunning per room (+ getMeetingInfo when running) and one update per meeting."""
    from rooms.bbb_clients import client_for
    from rooms.models import Meeting, Room

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
    try:
        t = time.perf_counter()
        sims, servers = build()
        print(
            f"setup: {ROOMS} rooms, {RUNNING} running meetings, {ATTENDEES} attendees on {SERVERS} servers "
            f"({time.perf_counter() - t:.1f} s, {connection.vendor})"
        )

        from rooms.models import Meeting

        sync_ms, queries, calls = sync_cycle(sims)
        running = Meeting.objects.filter(status=Meeting.Status.RUNNING).count()
        attendees = sum(Meeting.objects.values_list("participant_count", flat=True))
        assert (running, attendees) == (RUNNING, ATTENDEES), (running, attendees)
        print(f"sync cycle:  {sync_ms:8.1f} ms  {queries:5d} SQL queries  {calls:5d} BBB calls")
        again_ms, again_queries, again_calls = sync_cycle(sims)
        print(f"  (again:    {again_ms:8.1f} ms  {again_queries:5d} SQL queries  {again_calls:5d} BBB calls)")

        naive_ms, naive_queries, naive_calls = naive_cycle(sims, servers)
        print(f"per room:    {naive_ms:8.1f} ms  {naive_queries:5d} SQL queries  {naive_calls:5d} BBB calls")
        print(
            f"RESULT sync_ms={sync_ms:.0f} naive_ms={naive_ms:.0f} ratio={naive_ms / sync_ms:.1f} "
            f"queries={queries} bbb_calls={calls}"
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
