"""Statistics from the meeting history: the club page and the staff overview."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from meetings.stats import club_monthly_stats
from tests.factories import ClubFactory, MeetingFactory, RoomFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=BERLIN)


def held(room, started: datetime, *, hours: float = 1.0, participants: int = 3, **fields) -> Meeting:
    return MeetingFactory(
        room=room,
        started_at=started,
        ended_at=started,
        status=Meeting.Status.ENDED,
        participant_seconds=int(hours * participants * 3600),
        peak_participants=participants,
        **fields,
    )


def test_monthly_stats_count_meetings_and_participant_hours_per_month():
    club = ClubFactory()
    room = RoomFactory(club=club)
    held(room, datetime(2026, 5, 3, 18, tzinfo=BERLIN), hours=2, participants=5)  # 10 h
    held(room, datetime(2026, 5, 10, 18, tzinfo=BERLIN), hours=1, participants=4)  # 4 h
    held(room, datetime(2026, 3, 1, 0, 30, tzinfo=BERLIN), hours=1, participants=2)  # March in Berlin
    MeetingFactory(room=room, started_at=None, status=Meeting.Status.STARTING)  # never entered: not held
    held(RoomFactory(), datetime(2026, 5, 4, tzinfo=BERLIN), hours=50)  # another club's meeting

    months = club_monthly_stats(club=club, months=12, now=NOW)

    assert len(months) == 12
    assert months[0].month == date(2026, 5, 1)
    assert (months[0].meetings, months[0].participant_hours, months[0].peak_participants) == (2, 14.0, 5)
    assert months[1].month == date(2026, 4, 1) and months[1].meetings == 0
    assert (months[2].month, months[2].meetings, months[2].participant_hours) == (date(2026, 3, 1), 1, 2.0)
    assert months[-1].month == date(2025, 6, 1)


def test_busiest_rooms_are_the_top_three_by_participant_hours_per_month():
    club = ClubFactory()
    rooms = [RoomFactory(club=club, name=f"Raum {n}") for n in range(5)]
    may = datetime(2026, 5, 5, 19, tzinfo=BERLIN)
    for n, room in enumerate(rooms):
        held(room, may, hours=n + 1, participants=1)
    held(rooms[0], datetime(2026, 4, 5, tzinfo=BERLIN), hours=9, participants=1)

    months = club_monthly_stats(club=club, months=2, now=NOW)

    assert [r.name for r in months[0].busiest_rooms] == ["Raum 4", "Raum 3", "Raum 2"]
    assert months[0].busiest_rooms[0].participant_hours == 5.0
    assert [r.name for r in months[1].busiest_rooms] == ["Raum 0"]


def _stats_queries(meetings: int) -> int:
    club = ClubFactory()
    rooms = [RoomFactory(club=club) for _ in range(4)]
    for n in range(meetings):
        held(rooms[n % 4], datetime(2026, 1 + n % 5, 2, tzinfo=BERLIN))
    with CaptureQueriesContext(connection) as queries:
        club_monthly_stats(club=club, now=NOW)
    return len(queries)


def test_monthly_stats_take_two_queries_for_few_and_many_meetings():
    assert _stats_queries(3) == _stats_queries(60) == 2


# -- the club page ---------------------------------------------------------------------------------


def test_member_sees_the_statistics_page_in_german(client, personas):
    room = RoomFactory(club=personas.club, name="Vorstandsraum")
    held(room, timezone.now(), hours=1.5, participants=2)
    client.force_login(personas.member)

    response = client.get(reverse("meetings:statistics", kwargs={"club_slug": personas.club.slug}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Statistik" in html
    assert "Vorstandsraum" in html
    assert "3,0" in html  # participant-hours, German decimal comma


def test_statistics_page_explains_what_to_do_when_empty(client, personas):
    client.force_login(personas.owner)
    response = client.get(reverse("meetings:statistics", kwargs={"club_slug": personas.club.slug}))
    assert "Noch keine Besprechungen" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "staff"])
def test_statistics_page_is_hidden_from_non_members(client, personas, who):
    if who != "anonymous":
        client.force_login(getattr(personas, who))
    response = client.get(reverse("meetings:statistics", kwargs={"club_slug": personas.club.slug}))
    # Anonymous visitors are sent to the login page first (clubs/tenancy.py); nothing about the club is shown.
    assert response.status_code == (302 if who == "anonymous" else 404)


def test_statistics_page_shows_only_the_own_clubs_rooms(client, personas):
    held(RoomFactory(club=personas.other_club, name="Fremder Raum"), timezone.now())
    client.force_login(personas.member)
    response = client.get(reverse("meetings:statistics", kwargs={"club_slug": personas.club.slug}))
    assert "Fremder Raum" not in response.content.decode()
