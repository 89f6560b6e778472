"""Vote benchmark: N members of a general assembly cast their ballot within a few seconds.

Setup: the BBB simulator on a local port (in this process), a throw-away SQLite database (or the
DATABASE_URL database, with a club/room/server/members this script creates and removes again), the
assembly's meeting started through ``meeting_start`` (the only BBB call), one motion opened by the chair,
a logged-in session per member (written straight into the session store: no password hashing in the
measurement), then the site under gunicorn.

Load: every member arrives at a random moment within ``--window`` seconds (default 10), opens the
assembly's vote page (GET, collects the CSRF token and the option ids) and posts a ballot (POST); each
member has its own keep-alive connection from an asyncio client in this process. The latencies are those
of the ballot posts. Afterwards the chair closes the vote and the counted voters must equal N: a member
whose ballot is missing counts as an error, as does any unexpected answer.

``bbb_calls`` counts every API call the simulator received during the load (goal: 0).
The last line is ``RESULT voters=… p95_ms=… errors=… bbb_calls=…``.

    .venv/bin/python bench/vote.py [--voters 300] [--window 10] [--secret] [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.join import Connection, Stats, timed, wait_until_up  # noqa: E402

SECRET = "bench-vote-simulator-secret"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION_INPUT = re.compile(rb'name="option" value="(\d+)"')


def prepare_site(args, tmp: Path, sim_api_url: str) -> tuple[dict[str, str], dict]:
    """Environment for Django and gunicorn, plus the created objects and one session cookie per member."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "herzdigital.settings",
            "PYTHONPATH": os.pathsep.join([str(BASE_DIR), env.get("PYTHONPATH", "")]),
            "VAR_DIR": str(tmp / "var"),
            "HERZDIGITAL_ENV": "development",
            "DEBUG": "false",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            "DB_CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.setdefault("DATABASE_URL", "")
    if not env["DATABASE_URL"]:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)

    from accounts.models import User
    from assemblies import services as assembly_services
    from clubs.models import Club, Membership, Role
    from events.models import ScheduledMeeting
    from meetings.models import Meeting, Server
    from rooms import services
    from rooms.models import Room

    suffix = os.urandom(4).hex()
    club = Club.objects.create(
        name=f"Bench-Verein {suffix}",
        slug=f"bench-{suffix}",
        status=Club.Status.ACTIVE,
        contact_name="Bench",
        contact_email="bench@example.org",
        max_participants=args.voters + 50,
        mail_daily_limit=args.voters + 50,  # planning the assembly mails every member the invitation
    )
    server = Server.objects.create(name=f"bench-sim-{suffix}", api_url=sim_api_url, secret=SECRET)
    room = Room.objects.create(club=club, name="Versammlungsraum")
    users = User.objects.bulk_create(
        User(email=f"mitglied-{n}-{suffix}@bench.example.org", name=f"Mitglied {n}", password="!")
        for n in range(args.voters + 1)
    )
    users = list(User.objects.filter(email__endswith=f"-{suffix}@bench.example.org").order_by("pk"))
    chair, members = users[0], users[1:]
    Membership.objects.create(club=club, user=chair, role=Role.OWNER)
    Membership.objects.bulk_create(Membership(club=club, user=u, role=Role.MEMBER) for u in members)
    start = timezone.now() + timedelta(days=60)
    scheduled = ScheduledMeeting.objects.create(
        club=club, room=room, title="Mitgliederversammlung", start_at=start, end_at=start + timedelta(hours=2)
    )
    assembly = assembly_services.assembly_plan(
        scheduled=scheduled, actor=chair, attendance_enabled=True, agenda=["Entlastung des Vorstands"]
    )
    motion = assembly_services.motion_create(
        assembly=assembly, actor=chair, title="Entlastung des Vorstands", options=[], secret=args.secret
    )
    motion = assembly_services.motion_open(motion=motion, actor=chair)
    services.meeting_start(room=room, display_name="Versammlungsleitung")
    Meeting.objects.filter(room=room).update(status=Meeting.Status.RUNNING)

    cookies = []
    for user in members:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    from django.db import connections

    connections.close_all()
    page = f"/c/{club.slug}/termine/{scheduled.pk}/versammlung/"
    return env, {
        "club": club,
        "server": server,
        "room": room,
        "users": users,
        "chair": chair,
        "motion": motion,
        "cookies": cookies,
        "page": page,
        "ballot": f"{page}abstimmung/{motion.pk}/stimme/",
    }


def cleanup_site(objects: dict) -> None:
    from django.contrib.sessions.models import Session

    from accounts.models import User
    from meetings.models import Meeting

    Session.objects.filter(session_key__in=[c.split("=", 1)[1] for c in objects["cookies"]]).delete()
    Meeting.objects.filter(club=objects["club"]).delete()
    objects["club"].delete()
    objects["server"].delete()
    User.objects.filter(pk__in=[u.pk for u in objects["users"]]).delete()


async def run_load(args, port: int, objects: dict) -> tuple[Stats, Stats, float]:
    page_stats, vote_stats = Stats(), Stats()
    rng = random.Random(args.seed)
    arrivals = sorted(rng.uniform(0, args.window) for _ in objects["cookies"])

    async def voter(n: int, session_cookie: str, delay: float) -> None:
        conn = Connection("127.0.0.1", port)
        await asyncio.sleep(delay)
        try:
            result = await timed(
                page_stats,
                lambda: conn.request("GET", objects["page"], {"Cookie": session_cookie}),
                lambda r: r[0] == 200,
            )
            if result is None or result[0] != 200:
                return
            csrf = [c.split(";", 1)[0] for c in result[1].get("set-cookie", []) if c.startswith("csrftoken=")]
            token, options = CSRF_INPUT.search(result[2]), OPTION_INPUT.findall(result[2])
            if not (csrf and token and options):
                page_stats.errors += 1
                return
            body = urlencode(
                {"csrfmiddlewaretoken": token.group(1).decode(), "option": rng.choice(options).decode()}
            ).encode()
            headers = {
                "Cookie": f"{session_cookie}; {csrf[0]}",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            await timed(
                vote_stats,
                lambda: conn.request("POST", objects["ballot"], headers, body),
                lambda r: r[0] == 302 and r[1].get("location", [""])[0].endswith(objects["page"]),
            )
        finally:
            await conn.close()

    # Warm up the workers (imports, first database connections) before the clock starts.
    warm = [Connection("127.0.0.1", port) for _ in range(2 * args.workers)]
    await asyncio.gather(*(c.request("GET", objects["page"], {"Cookie": objects["cookies"][0]}) for c in warm))
    for c in warm:
        await c.close()
    started = time.perf_counter()
    await asyncio.gather(*(voter(n, c, d) for n, (c, d) in enumerate(zip(objects["cookies"], arrivals, strict=True))))
    return page_stats, vote_stats, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=300, help="members who vote")
    parser.add_argument("--window", type=float, default=10.0, help="seconds over which the members arrive")
    parser.add_argument("--secret", action="store_true", help="a secret vote (ballot + receipt) instead of an open one")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--port", type=int, default=8202, help="port of the site")
    parser.add_argument("--sim-port", type=int, default=8292, help="port of the BBB simulator")
    parser.add_argument("--seed", type=int, default=18, help="random seed for arrivals and choices")
    args = parser.parse_args()

    from bbb.simulator import Simulator, serve_in_thread

    sim = Simulator(secret=SECRET)
    sim_server, sim_url = serve_in_thread(sim, port=args.sim_port)
    sim_api_url = f"{sim_url}/bigbluebutton/api/"
    tmp = Path(tempfile.mkdtemp(prefix="herzdigital-bench-vote-"))
    objects: dict = {}
    proc = None
    try:
        env, objects = prepare_site(args, tmp, sim_api_url)
        start_calls = sum(sim.calls.values())
        sim.calls.clear()
        gunicorn = [
            str(Path(sys.executable).with_name("gunicorn")),
            "herzdigital.wsgi:application",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--worker-class=gthread",
            "--keep-alive=30",
            "--backlog=2048",
            "--log-level=warning",
        ]
        log_path = tmp / "gunicorn.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(gunicorn, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        wait_until_up(args.port, proc, log_path)
        page_stats, vote_stats, elapsed = asyncio.run(run_load(args, args.port, objects))
        bbb_calls = sum(sim.calls.values())

        from assemblies import services as assembly_services

        closed = assembly_services.motion_close(motion=objects["motion"], actor=objects["chair"])
        counted = sum(closed.results.values())
        missing = args.voters - closed.voter_count
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(15)
        if objects:
            cleanup_site(objects)
        sim_server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)

    errors = page_stats.errors + vote_stats.errors + abs(missing) + abs(closed.voter_count - counted)
    print(f"setup: BBB calls to start the meeting: {start_calls} (create)")
    print(
        f"config: voters={args.voters} window_s={args.window:g} secret={'yes' if args.secret else 'no'} "
        f"workers={args.workers} threads={args.threads} db={env['DATABASE_URL'].split(':', 1)[0]}"
    )
    for name, stats in (("page", page_stats), ("vote", vote_stats)):
        print(
            f"{name:5s} requests={len(stats.latencies)} p50_ms={stats.pct(0.5):.1f} p95_ms={stats.pct(0.95):.1f} "
            f"max_ms={stats.pct(1.0):.1f} errors={stats.errors}"
        )
    print(f"elapsed_s={elapsed:.1f} counted_voters={closed.voter_count} ballots={counted} results={closed.results}")
    print(f"RESULT voters={closed.voter_count} p95_ms={vote_stats.pct(0.95):.1f} errors={errors} bbb_calls={bbb_calls}")


if __name__ == "__main__":
    main()
