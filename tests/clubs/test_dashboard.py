from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clubs.models import Role
from clubs.selectors import month_start
from meetings.models import Meeting
from tests.factories import MeetingFactory, MembershipFactory, RecordingFactory, RoomFactory, ServerFactory


def dashboard_url(club):
    return reverse("clubs:dashboard", kwargs={"club_slug": club.slug})


def test_dashboard_shows_live_state_from_the_database(personas, client):
    server = ServerFactory()
    busy = RoomFactory(club=personas.club, name="Vorstandssitzung")
    RoomFactory(club=personas.club, name="Trainerrunde")
    MeetingFactory(room=busy, server=server, participant_count=7)
    client.force_login(personas.member)
    page = client.get(dashboard_url(personas.club)).content.decode()
    assert "Vorstandssitzung" in page and "Trainerrunde" in page
    assert 'badge-running">Läuft' in page
    assert "7 Personen" in page
    assert "Gerade läuft keine Besprechung" not in page


def test_ended_meetings_and_other_clubs_do_not_show_as_running(personas, client):
    room = RoomFactory(club=personas.club, name="Vorstandssitzung")
    MeetingFactory(room=room, status=Meeting.Status.ENDED, ended_at=timezone.now())
    MeetingFactory(room=RoomFactory(club=personas.other_club, name="Fremder Raum"))
    RecordingFactory(room=RoomFactory(club=personas.other_club), name="Fremde Aufzeichnung")
    client.force_login(personas.member)
    page = client.get(dashboard_url(personas.club)).content.decode()
    assert "Gerade läuft keine Besprechung" in page
    assert "Fremder Raum" not in page and "Fremde Aufzeichnung" not in page


def test_usage_counts_this_months_meetings_and_peak_participants(personas, client):
    room = RoomFactory(club=personas.club)
    start = month_start()
    MeetingFactory(
        room=room,
        started_at=start + timedelta(hours=1),
        peak_participants=12,
        ended_at=start + timedelta(hours=2),
        status="ended",
    )
    MeetingFactory(room=room, started_at=timezone.now(), peak_participants=5)
    MeetingFactory(
        room=room, started_at=start - timedelta(minutes=1), peak_participants=100, ended_at=start, status="ended"
    )
    MeetingFactory(room=RoomFactory(club=personas.other_club), started_at=timezone.now(), peak_participants=50)
    client.force_login(personas.member)
    page = client.get(dashboard_url(personas.club)).content.decode()
    assert 'data-figure="meetings">2<' in page
    assert 'data-figure="participants">17<' in page


def test_dashboard_shows_quota_usage(personas, client):
    RoomFactory(club=personas.club)
    personas.club.max_rooms = 4
    personas.club.save()
    client.force_login(personas.owner)
    page = client.get(dashboard_url(personas.club)).content.decode()
    assert "Räume: 1 von 4" in page


def test_empty_dashboard_says_what_to_do(personas, client):
    client.force_login(personas.admin)
    page = client.get(dashboard_url(personas.club)).content.decode()
    assert "Legen Sie unter „Räume“ Ihren ersten Raum an." in page
    assert "Noch keine Aufzeichnungen." in page


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill_dashboard(club, n):
    server = ServerFactory()
    for i in range(n):
        room = RoomFactory(club=club)
        if i % 2 == 0:
            MeetingFactory(room=room, server=server, peak_participants=i)
        RecordingFactory(room=room, server=server)


@pytest.mark.parametrize("page", ["dashboard", "members"])
def test_page_query_count_is_the_same_for_1_and_50_rooms_and_members(
    personas, client, django_assert_max_num_queries, page
):
    club = personas.club
    url = reverse(f"clubs:{page}", kwargs={"club_slug": club.slug})
    client.force_login(personas.owner)
    _fill_dashboard(club, 1)
    MembershipFactory(club=club, role=Role.MEMBER)
    small = _count_queries(client, url)
    _fill_dashboard(club, 49)
    for _ in range(49):
        MembershipFactory(club=club, role=Role.MEMBER)
    from clubs.models import Invitation

    for i in range(50):
        Invitation.objects.create(club=club, email=f"i{i}@example.org", expires_at=timezone.now() + timedelta(days=3))
    assert club.rooms.count() == 50 and club.memberships.count() >= 50
    large = _count_queries(client, url)
    assert small == large, f"{page}: {small} queries with 1, {large} with 50"
    with django_assert_max_num_queries(small):
        client.get(url)
