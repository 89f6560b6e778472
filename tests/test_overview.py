"""The staff dashboard's figures (herzdigital.overview.service_overview): the whole service in five queries."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from clubs.models import Club
from herzdigital.overview import service_overview
from meetings.models import Meeting
from tests.factories import ClubFactory, MeetingFactory, RecordingFactory, RoomFactory, ServerFactory

pytestmark = pytest.mark.django_db


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


def test_service_overview_sums_up_the_service():
    ClubFactory(status=Club.Status.PENDING)
    ClubFactory(status=Club.Status.SUSPENDED)
    room = RoomFactory()  # an active club
    server = ServerFactory(name="bbb-a", load=30, capacity=300, healthy=False)
    MeetingFactory(room=room, server=server, participant_count=7, started_at=timezone.now())
    MeetingFactory(server=server, status=Meeting.Status.STARTING, started_at=None)
    held(RoomFactory(club=room.club), timezone.now(), hours=2, participants=3)
    RecordingFactory(size_bytes=1000)
    RecordingFactory(size_bytes=500, deleted_at=timezone.now())

    overview = service_overview()

    assert overview["clubs"]["pending"] == 1
    assert overview["clubs"]["suspended"] == 1
    assert overview["clubs"]["active"] >= 1
    assert overview["meetings"]["running"] == 1
    assert overview["meetings"]["starting"] == 1
    assert overview["meetings"]["held_this_month"] == 2
    assert overview["meetings"]["participants_now"] == 7
    assert overview["meetings"]["participant_hours_this_month"] == 6.0
    assert overview["recordings"] == {"count": 1, "storage_bytes": 1000}
    bbb_a = next(s for s in overview["servers"] if s["name"] == "bbb-a")
    assert bbb_a["healthy"] is False and bbb_a["load_percent"] == 10
    assert overview["top_clubs"][0]["club_id"] == room.club_id


def test_service_overview_needs_five_queries_whatever_the_size(django_assert_max_num_queries):
    for size in (1, 30):
        for _ in range(size):
            held(RoomFactory(), timezone.now())
            ServerFactory()
        with django_assert_max_num_queries(5):
            service_overview()
