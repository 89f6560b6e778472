"""Choosing the BBB server for a new meeting (meetings.services.server_choose)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from tests.factories import MeetingFactory, RoomFactory, ServerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club)


def test_server_choose_prefers_the_server_already_running_the_room(personas, room):
    busy = ServerFactory(load=280)
    ServerFactory(load=0)
    MeetingFactory(room=room, server=busy)
    assert services.server_choose(room=room) == busy


def test_server_choose_takes_the_least_loaded_healthy_enabled_server(db):
    ServerFactory(name="full", load=250)
    ServerFactory(name="off", load=0, enabled=False)
    ServerFactory(name="sick", load=0, healthy=False)
    light = ServerFactory(name="light", load=40)
    assert services.server_choose() == light


def test_server_choose_compares_load_relative_to_capacity(db):
    ServerFactory(name="small", load=50, capacity=100)
    big = ServerFactory(name="big", load=100, capacity=1000)
    assert services.server_choose() == big


def test_young_meetings_count_as_larger_than_they_are(db):
    a = ServerFactory(name="a", load=0)
    b = ServerFactory(name="b", load=5)
    # Two fresh meetings on a: the sync has not seen their participants yet.
    for _ in range(2):
        MeetingFactory(server=a, participant_count=1)
    assert services.server_choose() == b
    # Once they are old, their real (small) size counts again.
    Meeting.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    assert services.server_choose() == a


def test_server_choose_query_count_does_not_grow_with_meetings(db, django_assert_max_num_queries):
    servers = [ServerFactory() for _ in range(3)]
    for n in range(30):
        MeetingFactory(server=servers[n % 3])
    with django_assert_max_num_queries(1):
        services.server_choose()
