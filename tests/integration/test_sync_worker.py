"""The sync through a real Celery worker process (file broker locally, Redis on CI) and the simulator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting, Server
from meetings.tasks import sync_tick
from tests.processes import celery_worker, require_broker, wait_for

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _broker_available() -> None:
    require_broker()


def _worker_log() -> Path:
    return Path(settings.VAR_DIR) / "worker.log"


def _log_size() -> int:
    log = _worker_log()
    return log.stat().st_size if log.exists() else 0


def _log_since(offset: int) -> str:
    log = _worker_log()
    if not log.exists():
        return ""
    with log.open("rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def test_tick_run_by_a_worker_brings_the_database_up_to_date(bbb_sim):
    ours = bbb_sim.open_meeting()
    bbb_sim.run(ours.meeting_id, attendees=3)
    bbb_sim.run("meeting-of-another-frontend", attendees=2)
    vanished = bbb_sim.open_meeting(status=Meeting.Status.RUNNING)
    Meeting.objects.filter(pk=vanished.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    with celery_worker():
        sync_tick.delay()
        assert wait_for(lambda: Meeting.objects.get(pk=ours.pk).status == Meeting.Status.RUNNING, timeout=60), (
            _log_since(0)[-3000:]
        )

    ours.refresh_from_db()
    assert ours.participant_count == 3
    assert ours.started_at is not None
    vanished.refresh_from_db()
    assert vanished.ended_at is not None
    server = Server.objects.get(pk=bbb_sim.server.pk)
    assert (server.meeting_count, server.foreign_meeting_count, server.load) == (2, 1, 5)
    assert server.healthy
    assert bbb_sim.sim.calls["getMeetings"] == 1


def test_two_overlapping_ticks_poll_a_server_only_once(bbb_sim):
    server = bbb_sim.server_row()
    bbb_sim.sim.configure(latency=4.0)  # the first poll is still under way when the second task starts
    offset = _log_size()

    with celery_worker(), celery_worker():  # two workers, so that the two syncs can overlap
        # Both must be listening before the ticks go out, or one worker could run both syncs in turn.
        assert wait_for(lambda: _log_since(offset).count(" ready.") >= 2, timeout=90), _log_since(offset)[-3000:]
        sync_tick.delay()
        sync_tick.delay()
        assert wait_for(lambda: "skipped" in _log_since(offset), timeout=90), _log_since(offset)[-3000:]
        assert wait_for(lambda: Server.objects.get(pk=server.pk).last_success_at is not None, timeout=60)

    assert bbb_sim.sim.calls["getMeetings"] == 1
    assert _log_since(offset).count(f"server {server.pk}: 0 listed") == 1
