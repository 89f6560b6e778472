"""Only one beat schedules (issue 19): a leader lock, and a second beat idles and says so in /healthz."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.core.cache import cache

from herzdigital import health
from herzdigital.beat import LeaderScheduler

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_beat_reports():
    """The cache may be Redis, shared with earlier runs: forget the beats they reported."""
    from django.core.cache import cache

    cache.delete_many([health.BEAT_LEADER_KEY, health.BEAT_STANDBY_KEY])
    yield
    cache.delete_many([health.BEAT_LEADER_KEY, health.BEAT_STANDBY_KEY])


@pytest.fixture
def app() -> Celery:
    app = Celery("beat-test", set_as_current=False)
    app.conf.broker_url = "memory://"
    app.conf.beat_schedule = {"often": {"task": "tests.often", "schedule": 0.05}}
    return app


def _beat(app: Celery, tmp_path, name: str) -> tuple[LeaderScheduler, list[str]]:
    sent: list[str] = []
    scheduler = LeaderScheduler(app=app, schedule_filename=str(tmp_path / name))

    def apply_async(entry, producer=None, advance=True, **kwargs):  # noqa: ANN001, ANN202
        sent.append(entry.task)
        return None

    scheduler.apply_async = apply_async  # record instead of publishing
    return scheduler, sent


@pytest.fixture(autouse=True)
def _no_beats_of_earlier_tests():
    """The cache is shared (Redis on CI): beats of earlier tests must not show up in these /healthz answers."""
    cache.delete_many([health.BEAT_LEADER_KEY, health.BEAT_STANDBY_KEY])


def test_a_second_beat_idles_while_the_first_schedules_and_healthz_says_so(app, tmp_path, settings, client):
    settings.BEAT_LEADER_LOCK_TTL = 30
    first, first_sent = _beat(app, tmp_path, "one")
    second, second_sent = _beat(app, tmp_path, "two")
    second.identity = "standby-beat"  # both run in this process: tell them apart
    try:
        for _ in range(3):
            time.sleep(0.06)
            first.tick()
            second.tick()
        assert first_sent == ["tests.often"] * 3
        assert second_sent == []
        assert first.leading and not second.leading

        beats = client.get("/healthz").json()["beats"]
        assert beats["leader"] == first.identity
        assert [b["id"] for b in beats["standby"]] == ["standby-beat"]
    finally:
        first.close()
        second.close()


def test_the_standby_takes_over_when_the_leader_stops(app, tmp_path, settings):
    settings.BEAT_LEADER_LOCK_TTL = 30
    first, _ = _beat(app, tmp_path, "one")
    second, second_sent = _beat(app, tmp_path, "two")
    second.identity = "standby-beat"
    first.tick()
    second.tick()
    assert second_sent == [] and not second.leading
    first.close()  # releases the lock; a killed leader's lock expires after BEAT_LEADER_LOCK_TTL instead
    time.sleep(0.06)
    second.tick()
    try:
        assert second.leading and second_sent == ["tests.often"]
        assert health.health_report()[1]["beats"]["leader"] == "standby-beat"
    finally:
        second.close()


def test_a_dead_leaders_lock_expires_after_its_ttl(app, tmp_path, settings):
    settings.BEAT_LEADER_LOCK_TTL = 1
    first, _ = _beat(app, tmp_path, "one")
    second, second_sent = _beat(app, tmp_path, "two")
    first.tick()  # then it dies: no close, no refresh
    second.tick()
    assert not second.leading
    time.sleep(1.2)
    second.tick()
    try:
        assert second.leading and second_sent
    finally:
        second.close()


def test_the_project_uses_the_leader_scheduler():
    from herzdigital.celery import app

    assert app.conf.beat_scheduler == "herzdigital.beat:LeaderScheduler"


def test_a_standby_that_stops_leaves_the_healthz_list(app, tmp_path, settings, client):
    settings.BEAT_LEADER_LOCK_TTL = 30
    first, _ = _beat(app, tmp_path, "one")
    second, _ = _beat(app, tmp_path, "two")
    second.identity = "standby-beat"
    try:
        first.tick()
        second.tick()
        assert [b["id"] for b in client.get("/healthz").json()["beats"]["standby"]] == ["standby-beat"]
        second.close()
        assert client.get("/healthz").json()["beats"]["standby"] == []
    finally:
        first.close()
