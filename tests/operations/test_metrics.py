"""/metrics: Prometheus text format behind METRICS_TOKEN, with the figures staff alert on."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from meetings.models import Meeting
from meetings.tasks import sync_server
from operations.counters import CLEANUP_DELETED, counter_add
from recordings.models import Recording
from tests.factories import MeetingFactory, RecordingFactory, ServerFactory

TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client, token: str = TOKEN) -> dict[str, list]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {family.name: family.samples for family in text_string_to_metric_families(response.content.decode())}


def value(samples: list, name: str, **labels: str) -> float:
    matches = [s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(matches) == 1, (name, labels, samples)
    return matches[0]


def test_metrics_is_off_without_a_token_setting(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_refuses_a_missing_or_wrong_token(client, db, token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert b"herzdigital_" not in response.content


def test_metric_names(client, db, token):
    ServerFactory(name="bbb-a")
    families = scrape(client)
    assert {
        "herzdigital_meetings",
        "herzdigital_participants",
        "herzdigital_moderators",
        "herzdigital_server_healthy",
        "herzdigital_server_enabled",
        "herzdigital_server_load",
        "herzdigital_server_capacity",
        "herzdigital_server_meetings",
        "herzdigital_server_consecutive_failures",
        "herzdigital_server_last_success_timestamp_seconds",
        "herzdigital_sync_duration_seconds",
        "herzdigital_sync_failures",
        "herzdigital_queue_length",
        "herzdigital_recordings",
        "herzdigital_recording_storage_bytes",
        "herzdigital_cleanup_deleted",
        "herzdigital_cleanup_failed",
    } <= set(families)
    # Counters carry the _total suffix in the exposition, summaries _count and _sum.
    assert {s.name for s in families["herzdigital_sync_failures"]} == {"herzdigital_sync_failures_total"}
    assert {s.name for s in families["herzdigital_sync_duration_seconds"]} == {
        "herzdigital_sync_duration_seconds_count",
        "herzdigital_sync_duration_seconds_sum",
    }


def test_metric_values(client, db, token):
    healthy = ServerFactory(name="bbb-a", load=42, capacity=300, meeting_count=2)
    ServerFactory(name="bbb-b", healthy=False, consecutive_failures=4)
    MeetingFactory(server=healthy, participant_count=30, moderator_count=2)
    MeetingFactory(server=healthy, participant_count=12, status=Meeting.Status.STARTING)
    MeetingFactory(server=healthy, participant_count=0, ended_at="2026-01-01T00:00Z", status=Meeting.Status.ENDED)
    RecordingFactory.create_batch(2, server=healthy, size_bytes=1000)
    RecordingFactory(server=healthy, state=Recording.State.PROCESSING, size_bytes=5)
    counter_add(name=CLEANUP_DELETED, amount=7)
    families = scrape(client)
    assert value(families["herzdigital_meetings"], "herzdigital_meetings", status="running") == 1
    assert value(families["herzdigital_meetings"], "herzdigital_meetings", status="starting") == 1
    assert value(families["herzdigital_participants"], "herzdigital_participants") == 42
    assert value(families["herzdigital_server_healthy"], "herzdigital_server_healthy", server="bbb-a") == 1
    assert value(families["herzdigital_server_healthy"], "herzdigital_server_healthy", server="bbb-b") == 0
    assert value(families["herzdigital_server_load"], "herzdigital_server_load", server="bbb-a") == 42
    assert (
        value(
            families["herzdigital_server_consecutive_failures"],
            "herzdigital_server_consecutive_failures",
            server="bbb-b",
        )
        == 4
    )
    assert value(families["herzdigital_recordings"], "herzdigital_recordings", state="published") == 2
    assert value(families["herzdigital_recordings"], "herzdigital_recordings", state="processing") == 1
    assert value(families["herzdigital_recordings"], "herzdigital_recordings", state="deleted") == 0
    assert value(families["herzdigital_recording_storage_bytes"], "herzdigital_recording_storage_bytes") == 2005
    assert value(families["herzdigital_cleanup_deleted"], "herzdigital_cleanup_deleted_total") == 7
    assert {s.labels["queue"] for s in families["herzdigital_queue_length"]} == {"default", "maintenance"}


def test_sync_tasks_book_duration_and_failures(client, db, token, bbb_server):
    down = ServerFactory(name="down", api_url="http://127.0.0.1:1/bigbluebutton/api/")
    sync_server(bbb_server.pk)
    sync_server(bbb_server.pk)
    sync_server(down.pk)
    families = scrape(client)
    duration = families["herzdigital_sync_duration_seconds"]
    assert value(duration, "herzdigital_sync_duration_seconds_count", server="sim-1") == 2
    assert value(duration, "herzdigital_sync_duration_seconds_sum", server="sim-1") > 0
    assert value(duration, "herzdigital_sync_duration_seconds_count", server="down") == 1
    failures = families["herzdigital_sync_failures"]
    assert value(failures, "herzdigital_sync_failures_total", server="sim-1") == 0
    assert value(failures, "herzdigital_sync_failures_total", server="down") == 1


def test_cleanup_task_books_its_deletions(client, db, token, monkeypatch):
    from recordings import tasks
    from recordings.cleanup import CleanupReport

    def fake_cleanup(*, dry_run):
        return CleanupReport(dry_run=dry_run, cap=10, selected=3, deleted=2, failed=1)

    monkeypatch.setattr(tasks.cleanup, "recordings_cleanup", fake_cleanup)
    tasks.recordings_cleanup_run()
    tasks.recordings_cleanup_run()
    families = scrape(client)
    assert value(families["herzdigital_cleanup_deleted"], "herzdigital_cleanup_deleted_total") == 4
    assert value(families["herzdigital_cleanup_failed"], "herzdigital_cleanup_failed_total") == 2


def test_queue_length_counts_waiting_tasks(client, db, token):
    from herzdigital.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("maintenance")
    app.send_task("operations.tasks.staff_digest", queue="maintenance")
    app.send_task("operations.tasks.staff_digest", queue="maintenance")
    families = scrape(client)
    assert value(families["herzdigital_queue_length"], "herzdigital_queue_length", queue="maintenance") == 2
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("maintenance")


def test_a_scrape_costs_the_same_queries_with_1_and_20_servers(client, db, token):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            scrape(client)
        return len(captured)

    ServerFactory()
    one = cost()
    for _ in range(19):
        server = ServerFactory()
        MeetingFactory(server=server)
        RecordingFactory(server=server)
    assert cost() == one
