"""A slow BBB server does not hold up the other servers' sync (issue 21 item 6), through a real worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from bbb.simulator import Simulator, serve_in_thread
from meetings.models import Meeting, Server
from meetings.tasks import sync_tick
from tests.conftest import require_service
from tests.processes import celery_worker, wait_for
from tests.sync_fixtures import SIM_SECRET, bbb_sim  # noqa: F401 (fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _broker_available() -> bool:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return True  # the file broker needs no server
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL).ping())
    except redis.RedisError:
        return False


def test_a_hanging_server_delays_the_next_servers_sync_only_by_the_short_sync_timeout(bbb_sim):  # noqa: F811
    require_service(_broker_available(), "Redis")
    hanging = Simulator(secret=SIM_SECRET, recording_delay=0, callbacks_enabled=False, latency=30.0)
    http, url = serve_in_thread(hanging)
    try:
        slow = Server.objects.create(name="a-slow", api_url=f"{url}/bigbluebutton/api/", secret=SIM_SECRET)
        fast = bbb_sim.server_row(name="b-fast")  # synced after the slow one (servers go by pk)
        meeting = bbb_sim.open_meeting()
        bbb_sim.run(meeting.meeting_id, attendees=3)

        # One worker slot for both servers; BBB_READ_TIMEOUT keeps its default 10 s (x3 attempts).
        log = Path(settings.VAR_DIR) / "worker.log"
        offset = log.stat().st_size if log.exists() else 0

        def worker_log() -> str:
            with log.open("rb") as handle:
                handle.seek(offset)
                return handle.read().decode("utf-8", "replace")

        with celery_worker(queues="default", SYNC_READ_TIMEOUT="1", SYNC_CONNECT_TIMEOUT="1") as worker:
            assert wait_for(lambda: " ready." in worker_log(), timeout=90), worker_log()[-2000:]
            sent = time.monotonic()
            sync_tick.delay()
            synced = wait_for(lambda: Meeting.objects.get(pk=meeting.pk).participant_count == 3, timeout=60)
            elapsed = time.monotonic() - sent
            assert worker.poll() is None
        assert synced
        # The slow server's poll gave up after ~1 s; at the user-action timeouts it would take 30 s.
        assert elapsed < 12, elapsed
        slow.refresh_from_db()
        assert slow.consecutive_failures == 1 and slow.last_error
        assert fast.pk > slow.pk
    finally:
        http.shutdown()
        http.server_close()
