"""The dashboard on the admin index: the service's figures from aggregates (herzdigital.overview.service_overview)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clubs.models import Club
from meetings.models import Meeting, Server
from tests.factories import ClubFactory, MeetingFactory, RecordingFactory, ServerFactory


def _service(size: int) -> None:
    server = Server.objects.filter(name="bbb-gesund").first()
    if server is None:
        server = ServerFactory(name="bbb-gesund", healthy=True, load=40, capacity=300)
        ServerFactory(name="bbb-krank", healthy=False, consecutive_failures=5, capacity=200)
    for _ in range(size):
        ClubFactory(status=Club.Status.PENDING, approved_at=None)
        ClubFactory(status=Club.Status.SUSPENDED)
        MeetingFactory(server=server, participant_count=4, peak_participants=6)
        ended = MeetingFactory(server=server, ended_at=timezone.now(), peak_participants=10)
        old = MeetingFactory(server=server, ended_at=timezone.now(), peak_participants=50)
        Meeting.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
        RecordingFactory(server=server, meeting=ended, room=ended.room, size_bytes=1000, protected=True)
        RecordingFactory(server=server, size_bytes=99, deleted_at=timezone.now())


def _index_queries(client) -> tuple[int, str]:
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:index"))
    return len(captured), response.content.decode()


def test_admin_index_shows_the_dashboard(staff_client):
    _service(1)
    response = staff_client.get(reverse("admin:index"))
    html = response.content.decode()
    overview = response.context["overview"]
    assert overview["meetings"]["running"] == 1 and overview["clubs"]["pending"] == 1
    assert "laufen gerade" in html
    assert "1 Anmeldung wartet" in html
    assert "nicht erreichbar (5 Fehlschläge)" in html
    assert "bbb-gesund" in html and "40 / 300 (13 %)" in html
    assert reverse("admin:clubs_clubapplication_changelist") in html


def test_dashboard_costs_the_same_queries_with_few_and_many_rows(staff_client):
    _service(1)
    few, _ = _index_queries(staff_client)
    _service(20)
    many, html = _index_queries(staff_client)
    assert many == few
    assert "21 Anmeldungen warten" in html


def test_dashboard_without_servers_says_what_to_do(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "Noch kein Server eingetragen." in html
