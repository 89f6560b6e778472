"""The dashboard on the admin index: the service's figures from aggregates."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clubs.models import Club
from rooms.models import Meeting
from rooms.stats import service_overview
from tests.factories import ClubFactory, MeetingFactory, RecordingFactory, ServerFactory


def _service(size: int) -> None:
    server = ServerFactory(healthy=True, load=40, capacity=300)
    ServerFactory(healthy=False, consecutive_failures=5, capacity=200)
    ServerFactory(enabled=False)
    for _ in range(size):
        ClubFactory(status=Club.Status.PENDING, approved_at=None)
        ClubFactory(status=Club.Status.SUSPENDED)
        MeetingFactory(server=server, participant_count=4, peak_participants=6)
        ended = MeetingFactory(server=server, ended_at=timezone.now(), peak_participants=10)
        old = MeetingFactory(server=server, ended_at=timezone.now(), peak_participants=50)
        Meeting.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
        RecordingFactory(server=server, meeting=ended, room=ended.room, size_bytes=1000, protected=True)
        RecordingFactory(server=server, size_bytes=99, deleted_at=timezone.now())


def test_service_overview_counts(db):
    _service(2)
    overview = service_overview()
    # Per round: one pending, one suspended, and an active club for each of 3 meetings and 1 recording.
    assert overview["clubs"] == {"total": 12, "active": 8, "pending": 2, "suspended": 2}
    meetings = overview["meetings"]
    assert (meetings["running"], meetings["participants_now"]) == (2, 8)
    assert (meetings["this_month"], meetings["participants_this_month"], meetings["peak_this_month"]) == (4, 32, 10)
    assert overview["recordings"] == {"count": 2, "size_bytes": 2000, "protected": 2, "processing": 0}
    servers = overview["servers"]
    assert (servers["total"], servers["enabled"], servers["healthy"], servers["unhealthy"]) == (3, 2, 1, 1)
    assert (servers["load"], servers["capacity"]) == (40, 500)


def test_service_overview_costs_the_same_queries_at_any_size(db, django_assert_num_queries):
    _service(1)
    with django_assert_num_queries(4):
        service_overview()
    _service(30)
    with django_assert_num_queries(4):
        service_overview()


def test_admin_index_shows_the_dashboard(staff_client):
    _service(1)
    response = staff_client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.context["overview"]["meetings"]["running"] == 1
    assert "laufen gerade" in html
    assert "1 Anmeldung wartet" in html
    assert "1 nicht erreichbar" in html
    assert reverse("admin:clubs_clubapplication_changelist") in html
