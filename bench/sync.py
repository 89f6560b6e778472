"""Benchmark the meeting sync: one process against one process, at several network latencies, and at scale.

1. **Ours vs per room, one process each.** 2,000 rooms, 500 running meetings with 10,000 attendees on
   2 simulated BBB servers. Ours: what one beat tick does (list the servers, then per server the locked
   ``getMeetings`` + bulk apply), run server after server in this one process. The per-room approach
   (Greenlight-style): for every room ``isMeetingRunning`` and, when running, ``getMeetingInfo``, then an
   update of that room's meeting, also in this one process. Same process count on both sides, so the
   ratio is the work saved, not parallelism. (In production each server is its own Celery task; that
   only makes ours faster still.)
2. **Scale.** 50 servers, 5,000 meetings, 50,000 attendees: ms per server and SQL queries per server,
   which must be the same as at the small scale (the queries do not grow with meetings).

Network: the simulators run on localhost, where a round trip costs next to nothing; real BBB servers
are other machines. ``--latency-ms`` (default ``0,5,20``) gives every API call that delay via the
simulator's latency knob, equally for both approaches; the ratio is reported at each.

Every simulated server is a real simulator on its own local port (real HTTP, real XML); they are
served by one helper process (``--serve-simulators``), so that 50 of them do not need 50 processes.

Prints the figures; the last line is ``RESULT ratio_0ms=… ratio_5ms=… ratio_20ms=… … queries_per_server=…``.
Run: ``.venv/bin/python bench/sync.py`` (SQLite in a temp dir; set DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herzdigital.test_settings")

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
SIM_BASE_PORT = int(os.environ.get("BENCH_SIM_PORT", "8300"))
CYCLES = 3  # sync cycles measured per figure; the median is reported
SMALL = {"servers": 2, "rooms": 2_000, "meetings": 500, "attendees": 10_000}
BIG = {"servers": 50, "rooms": 5_000, "meetings": 5_000, "attendees": 50_000}
CLUBS = 40


# -- the simulator farm (a separate process) ------------------------------------------------------


def serve_simulators(plan_file: str) -> None:
    """Serve one simulator per entry of the plan ``{port: {meeting_id: attendees}}`` until killed."""
    from bbb.simulator import Simulator, serve_in_thread

    plan = json.loads(Path(plan_file).read_text())
    http_servers = []
    for port, meetings in plan.items():
        sim = Simulator(secret=SECRET, recording_delay=0, callbacks_enabled=False, meeting_expiry_seconds=3600)
        for n, (meeting_id, attendees) in enumerate(meetings.items()):
            sim.render("create", {"meetingID": meeting_id, "name": f"Raum {n}", "record": "true"})
            sim.add_attendees(meeting_id, 1, role="MODERATOR", voice=True)
            sim.add_attendees(meeting_id, attendees - 1, video=n % 5 == 0)
        http, _url = serve_in_thread(sim, port=int(port))
        http_servers.append(http)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


# -- the benchmark ------------------------------------------------------------------------------


def start_farm(plan: dict[int, dict[str, int]]) -> subprocess.Popen:
    import requests

    plan_file = Path(tempfile.mkdtemp(prefix="bench-sync-")) / "plan.json"
    plan_file.write_text(json.dumps({str(port): meetings for port, meetings in plan.items()}))
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-simulators", str(plan_file)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for port in plan:
        requests.get(f"http://127.0.0.1:{port}/_sim/calls", timeout=5).raise_for_status()
    return proc


def build(
    scale: dict[str, int], first_port: int, prefix: str, first_pin: int = 10000
) -> tuple[list, dict[int, dict[str, int]]]:
    """Rows for ``scale``: servers, clubs, rooms, open meetings; returns (servers, the farm's plan)."""
    from clubs.models import Club
    from meetings.models import Meeting, Server
    from rooms.models import Room

    ports = [first_port + n for n in range(scale["servers"])]
    servers = [
        Server.objects.create(
            name=f"{prefix}-{n}", api_url=f"http://127.0.0.1:{port}/bigbluebutton/api/", secret=SECRET, capacity=10_000
        )
        for n, port in enumerate(ports)
    ]
    clubs = Club.objects.bulk_create(
        Club(name=f"{prefix} {n}", slug=f"{prefix}-{n}", status=Club.Status.ACTIVE, contact_email=f"k{n}@example.org")
        for n in range(CLUBS)
    )
    rooms = Room.objects.bulk_create(
        (
            # Distinct PINs: the model default draws at random, and thousands of rooms would collide.
            Room(club=clubs[n % CLUBS], name=f"Raum {n}", voice_bridge=str(first_pin + n))
            for n in range(scale["rooms"])
        ),
        batch_size=1000,
    )
    per_meeting = scale["attendees"] // scale["meetings"]
    plan: dict[int, dict[str, int]] = {port: {} for port in ports}
    meetings = []
    for n, room in enumerate(rooms[: scale["meetings"]]):
        index = n % scale["servers"]
        plan[ports[index]][room.meeting_id] = per_meeting
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
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    return servers, plan


def set_latency(ports: list[int], ms: float) -> None:
    import requests

    for port in ports:
        requests.post(f"http://127.0.0.1:{port}/_sim/config", json={"latency": ms / 1000}, timeout=5)


def bbb_calls(ports: list[int]) -> int:
    import requests

    return sum(sum(requests.get(f"http://127.0.0.1:{p}/_sim/calls", timeout=5).json().values()) for p in ports)


def our_cycle(servers: list, ports: list[int]) -> tuple[float, int, int]:
    """One tick's work for ``servers``, server after server in this process: (ms, queries, BBB calls)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings import sync

    calls = bbb_calls(ports)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for server in servers:
            result = sync.server_sync_locked(server_id=server.pk)
            assert result.ok, result.summary()
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(queries), bbb_calls(ports) - calls


def per_room_cycle(servers: list, ports: list[int]) -> tuple[float, int, int]:
    """One isMeetingRunning per room (+ getMeetingInfo when running) and one update per meeting."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.bbb_clients import client_for
    from meetings.models import Meeting
    from rooms.models import Room

    rooms = list(
        Room.objects.filter(meetings__server__in=servers).distinct().order_by("pk").only("pk", "meeting_id")
    ) + list(Room.objects.filter(meetings__isnull=True).order_by("pk").only("pk", "meeting_id"))
    calls = bbb_calls(ports)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        clients = [client_for(server) for server in servers]
        for n, room in enumerate(rooms):
            client = clients[n % len(clients)]  # rooms are spread over the servers like the meetings
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
    return elapsed * 1000, len(queries), bbb_calls(ports) - calls


def median_cycle(servers: list, ports: list[int]) -> tuple[float, int, int, list[float]]:
    runs = [our_cycle(servers, ports) for _ in range(CYCLES)]
    return statistics.median(ms for ms, _, _ in runs), runs[0][1], runs[0][2], [ms for ms, _, _ in runs]


def check_synced(servers: list, meetings: int, attendees: int) -> None:
    from meetings.models import Meeting

    ours = Meeting.objects.filter(server__in=servers)
    running = ours.filter(status=Meeting.Status.RUNNING).count()
    total = sum(ours.values_list("participant_count", flat=True))
    assert (running, total) == (meetings, attendees), (running, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--latency-ms", default="0,5,20", help="simulated network latency per BBB call (list)")
    parser.add_argument("--serve-simulators", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_simulators:
        serve_simulators(args.serve_simulators)
        return
    latencies = [float(x) for x in args.latency_ms.split(",") if x.strip()]

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old_config = setup_databases(verbosity=0, interactive=False)
    farm = None
    try:
        t = time.perf_counter()
        small, small_plan = build(SMALL, SIM_BASE_PORT, "small")
        big, big_plan = build(BIG, SIM_BASE_PORT + SMALL["servers"], "big", first_pin=10000 + SMALL["rooms"])
        farm = start_farm({**small_plan, **big_plan})
        small_ports, big_ports = list(small_plan), list(big_plan)
        print(
            f"setup: {SMALL} and {BIG} on {connection.vendor} ({time.perf_counter() - t:.1f} s); "
            f"one process against one process"
        )
        figures: dict[str, str] = {}
        for ms in latencies:
            set_latency(small_ports + big_ports, ms)
            sync_ms, queries, calls, runs = median_cycle(small, small_ports)
            check_synced(small, SMALL["meetings"], SMALL["attendees"])
            naive_ms, naive_queries, naive_calls = per_room_cycle(small, small_ports)
            ratio = naive_ms / sync_ms
            print(
                f"{ms:g} ms per BBB call, small: ours {sync_ms:8.1f} ms {queries:4d} queries {calls:4d} BBB calls "
                f"(median of {', '.join(f'{r:.0f}' for r in runs)}); per room {naive_ms:8.1f} ms "
                f"{naive_queries:5d} queries {naive_calls:5d} BBB calls; ratio {ratio:.1f}"
            )
            big_ms, big_queries, big_calls, big_runs = median_cycle(big, big_ports)
            check_synced(big, BIG["meetings"], BIG["attendees"])
            print(
                f"{ms:g} ms per BBB call, big:   ours {big_ms:8.1f} ms for {BIG['servers']} servers = "
                f"{big_ms / BIG['servers']:.1f} ms/server, {big_queries / BIG['servers']:g} queries/server, "
                f"{big_calls / BIG['servers']:g} BBB calls/server (median of {', '.join(f'{r:.0f}' for r in big_runs)})"
            )
            tag = f"{ms:g}ms"
            figures[f"ratio_{tag}"] = f"{ratio:.1f}"
            figures[f"sync_ms_{tag}"] = f"{sync_ms:.0f}"
            figures[f"naive_ms_{tag}"] = f"{naive_ms:.0f}"
            figures[f"big_ms_per_server_{tag}"] = f"{big_ms / BIG['servers']:.1f}"
            figures["queries_per_server"] = f"{queries / SMALL['servers']:g}"
            figures["big_queries_per_server"] = f"{big_queries / BIG['servers']:g}"
            figures["bbb_calls_per_server"] = f"{big_calls / BIG['servers']:g}"
        assert figures["queries_per_server"] == figures["big_queries_per_server"], figures
        ratios = " ".join(f"{k}={v}" for k, v in figures.items() if k.startswith("ratio_"))
        rest = " ".join(f"{k}={v}" for k, v in figures.items() if not k.startswith("ratio_"))
        print(f"RESULT {ratios} {rest}")
    finally:
        if farm is not None:
            farm.kill()
            farm.wait(timeout=10)
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
