"""Two beats and two workers on Redis for three ticks: every periodic task runs once per tick and
every mail goes out once (issue 21 acceptance; issue 19: only one beat schedules).

Real processes: two ``celery beat`` (our ``LeaderScheduler``) and two ``celery worker`` on the Redis
broker, the test database, and the BBB simulator on a local port. ``BEAT_EVERY_SECONDS`` makes every
periodic task (including the daily ones) fall due every few seconds.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from clubs.models import AuditEntry, Role
from events.models import ScheduledMeeting
from herzdigital import health
from herzdigital.celery import build_beat_schedule
from recordings.models import Recording
from recordings.services import recordings_reconcile
from tests.conftest import require_service
from tests.events.helpers import plan
from tests.factories import ClubFactory, MembershipFactory, RoomFactory
from tests.processes import ROOT, process_env, wait_for

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TICK = 4.0  # seconds between two runs of every periodic task
TICKS = 3
SENT = re.compile(r"Scheduler: Sending due task (\S+) \((\S+)\)")
RECEIVED = re.compile(r"Task (\S+)\[([0-9a-f-]+)\] received")
LEADS = re.compile(r"beat \S+ holds the leader lock")
SUCCEEDED = re.compile(r"Task (\S+)\[([0-9a-f-]+)\] succeeded")


def _redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL).ping())
    except redis.RedisError:
        return False


@contextmanager
def _celery(args: list[str], log: Path, **env: str) -> Iterator[subprocess.Popen]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "herzdigital", *args],
            cwd=ROOT,
            env=process_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _read(path: Path) -> str:
    return path.read_text("utf-8", "replace") if path.exists() else ""


def _mails(folder: Path) -> list[str]:
    """Messages the file-based mail backend wrote (one file per connection, messages separated)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        messages += [m for m in path.read_text("utf-8").split("-" * 79) if "Subject:" in m]
    return messages


def test_two_beats_and_two_workers_run_every_periodic_task_once_per_tick(bbb_sim, tmp_path):
    require_service(_redis_available(), "Redis (REDIS_URL=redis://...)")
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete("herzdigital:lock:beat-leader")  # from an earlier run

    club = ClubFactory(retention_days=30)
    owner = MembershipFactory(club=club, role=Role.OWNER).user
    room = RoomFactory(club=club)
    bbb_sim.server_row()
    now_ms = int(time.time() * 1000)
    expired = bbb_sim.sim.add_recording(room.meeting_id, start_time=now_ms - 40 * 86_400_000, published=True)
    due_soon = bbb_sim.sim.add_recording(room.meeting_id, start_time=now_ms - 26 * 86_400_000, published=True)
    assert recordings_reconcile(server=bbb_sim.server).ok
    bbb_sim.sim.calls.clear()
    # A meeting in 50 minutes: its reminder (60 minutes before) is due at every tick of the test.
    start = (timezone.now() + timedelta(minutes=50)).replace(second=0, microsecond=0)
    guests = ["gast-a@example.org", "gast-b@example.org"]
    scheduled = plan(
        club=club, room=room, by=owner, start_at=start, end_at=start + timedelta(hours=1), guest_emails=guests
    )
    ScheduledMeeting.objects.filter(pk=scheduled.pk).update(created_at=start - timedelta(days=2))

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        "BEAT_EVERY_SECONDS": str(TICK),
        "BEAT_LEADER_LOCK_TTL": "6",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "RECORDING_DELETION_NOTICE_DAYS": "7",
    }
    beats = [tmp_path / f"beat-{n}.log" for n in (1, 2)]
    workers = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    entries = build_beat_schedule()
    with ExitStack() as stack:
        for n, log in enumerate(workers, start=1):
            args = ["worker", "-Q", "default,maintenance", "--pool", "solo", "-n", f"w{n}@%h", "--loglevel", "INFO"]
            stack.enter_context(_celery([*args, "--without-gossip", "--without-mingle"], log, **env))
        assert wait_for(lambda: all(" ready." in _read(log) for log in workers), timeout=90), _read(workers[0])[-2000:]
        beat_procs = []
        for n, log in enumerate(beats, start=1):
            args = ["beat", "--loglevel", "INFO", "-s", str(tmp_path / f"beat-{n}-schedule"), "--pidfile="]
            beat_procs.append(stack.enter_context(_celery(args, log, **env)))

        def sent_by(log: Path) -> Counter:
            return Counter(entry for entry, _task in SENT.findall(_read(log)))

        def enough_ticks() -> bool:
            counts = sent_by(beats[0]) + sent_by(beats[1])
            return all(counts[name] >= TICKS for name in entries)

        assert wait_for(enough_ticks, timeout=120, interval=0.5), [_read(b)[-2000:] for b in beats]
        report = health.health_report()[1]
        # Stop the standby first: stopping the leader first would hand the lock over (that is failover).
        standby_first = sorted(range(2), key=lambda n: bool(LEADS.search(_read(beats[n]))))
        for n in standby_first:
            beat_procs[n].terminate()
            beat_procs[n].wait(timeout=20)
        sends = Counter(task for log in beats for _entry, task in SENT.findall(_read(log)))

        def all_done() -> bool:
            done = Counter(task for log in workers for task, _id in set(SUCCEEDED.findall(_read(log))))
            return all(done[task] >= count for task, count in sends.items())

        assert wait_for(all_done, timeout=90, interval=0.5), [_read(w)[-3000:] for w in workers]

    leader_sends = [sum(sent_by(log).values()) for log in beats]
    assert sorted(leader_sends)[0] == 0, f"both beats scheduled: {leader_sends}"
    standby_log = beats[leader_sends.index(0)]
    assert "is on standby" in _read(standby_log)
    assert report["beats"]["leader"] and len(report["beats"]["standby"]) == 1

    received = Counter(task for log in workers for task, _id in set(RECEIVED.findall(_read(log))))
    for entry in entries.values():
        task = entry["task"]
        assert received[task] == sends[task] >= TICKS, (task, received[task], sends[task])
    # The sync's fan-out: one getMeetings per server per tick that the sync tick made.
    assert (
        bbb_sim.sim.calls["getMeetings"]
        == received["meetings.tasks.sync_server"]
        == sends[entries["sync-tick"]["task"]]
    )

    mails = _mails(mail_dir)
    to = Counter(re.search(r"^To: (.+)$", m, re.M).group(1).strip() for m in mails)
    # The owner: one deletion notice. Each guest: the invitation (a task after planning) and one reminder.
    assert to == {owner.email: 1, guests[0]: 2, guests[1]: 2}, to
    assert sum("Erinnerung" in m for m in mails) == 2
    deleted = AuditEntry.objects.filter(action="recording.cleanup_deleted")
    assert [e.details["record_id"] for e in deleted] == [expired]
    assert bbb_sim.sim.calls["deleteRecordings"] == 1
    assert Recording.objects.get(record_id=due_soon).deletion_notice_sent_at is not None
    assert Recording.objects.get(record_id=due_soon).deleted_at is None
    assert timezone.now() - Recording.objects.get(record_id=expired).deleted_at < timedelta(minutes=5)
