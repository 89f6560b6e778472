"""Server pools (tags), planned maintenance that drains a server, and retired servers."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs.models import AuditEntry
from meetings import services
from meetings.models import Meeting, server_tags_parse
from recordings.models import Recording
from recordings.services import recordings_reconcile
from rooms import services as room_services
from tests.factories import MeetingFactory, RoomFactory, ServerFactory
from tests.recordings.recording_sim import bbb_fixture  # noqa: F401 (fixture "bbb")


def test_tags_are_parsed_case_insensitively():
    assert server_tags_parse(" Gross, schule,,gross ") == ["gross", "schule"]


def test_a_room_asking_for_a_pool_gets_the_pool_server_even_when_it_is_busier(db):
    ServerFactory(name="small", load=0)
    big = ServerFactory(name="big", load=200, tags="gross")
    assert services.server_choose(tag="gross") == big
    assert services.server_choose(tag="GROSS") == big


def test_rooms_without_a_pool_prefer_untagged_servers_and_fall_back_to_tagged_ones(db):
    big = ServerFactory(name="big", load=0, tags="gross")
    small = ServerFactory(name="small", load=250)
    assert services.server_choose() == small
    small.healthy = False
    small.save()
    assert services.server_choose() == big


def test_pool_without_a_healthy_server_falls_back_to_any_server_and_logs(db, caplog):
    ServerFactory(name="big", tags="gross", healthy=False)
    other = ServerFactory(name="other")
    with caplog.at_level(logging.WARNING, logger="rooms.services"):
        assert services.server_choose(tag="gross") == other
    assert "no healthy server in pool 'gross'" in caplog.text


def test_strict_fallback_refuses_the_start_when_the_pool_is_down(db, settings):
    settings.SERVER_TAG_FALLBACK = "none"
    ServerFactory(name="big", tags="gross", enabled=False)
    ServerFactory(name="other")
    with pytest.raises(services.MeetingUnavailable, match="pool 'gross'"):
        services.server_choose(tag="gross")


def test_meeting_start_uses_the_rooms_pool(personas, simulator):
    from tests.bbb_fixtures import SIMULATOR_SECRET

    ServerFactory(name="small-down", api_url="http://127.0.0.1:1/bigbluebutton/api/", load=0)
    big = ServerFactory(name="big", api_url=simulator.api_url, secret=SIMULATOR_SECRET, load=100, tags="gross")
    room = RoomFactory(club=personas.club, server_tag="gross")
    room_services.meeting_start(room=room, actor=personas.admin, display_name="Ada")
    assert Meeting.objects.get(room=room).server == big


@pytest.mark.parametrize(
    ("starts_in", "ends_in", "drained"),
    [
        (timedelta(hours=3), timedelta(hours=4), False),  # maintenance still far off
        (timedelta(minutes=90), timedelta(hours=3), True),  # within the drain time before it
        (timedelta(minutes=-30), timedelta(minutes=30), True),  # under way
        (timedelta(hours=-3), timedelta(hours=-1), False),  # over
        (timedelta(minutes=30), None, True),  # open end
    ],
)
def test_planned_maintenance_drains_the_server_ahead_of_time(db, settings, starts_in, ends_in, drained):
    settings.SERVER_MAINTENANCE_DRAIN_MINUTES = 120
    now = timezone.now()
    planned = ServerFactory(
        name="a-planned",
        maintenance_starts_at=now + starts_in,
        maintenance_ends_at=now + ends_in if ends_in is not None else None,
    )
    other = ServerFactory(name="b-other", load=100)
    assert services.server_choose() == (other if drained else planned)


def test_a_drained_servers_running_meeting_is_still_found_for_its_room(db):
    server = ServerFactory(maintenance_starts_at=timezone.now())
    meeting = MeetingFactory(server=server)
    ServerFactory(name="other")
    assert services.server_choose(room=meeting.room) == server


def test_retired_servers_take_no_meetings_and_retiring_is_audited(db, personas):
    old = ServerFactory(name="old", load=0)
    ServerFactory(name="new", load=200)
    services.server_retire(server=old, actor=personas.staff)
    old.refresh_from_db()
    assert old.retired and not old.enabled
    assert services.server_choose().name == "new"
    # Re-enabling by hand does not bring a retired server back into the choice.
    old.enabled = True
    old.save()
    assert services.server_choose().name == "new"
    assert AuditEntry.objects.filter(action="server.retire", target_id=str(old.pk)).count() == 1
    services.server_retire(server=old, actor=personas.staff)  # twice: nothing new
    assert AuditEntry.objects.filter(action="server.retire").count() == 1


def test_recordings_of_a_retired_server_stay_listed_and_are_deleted_through_it(client, personas, bbb):
    room = RoomFactory(club=personas.club, name="Archiv")
    record_id = bbb.add(room, days_ago=3, name="Alte Versammlung")
    assert recordings_reconcile(server=bbb.server).ok
    services.server_retire(server=bbb.server, actor=personas.staff)
    recording = Recording.objects.get(record_id=record_id)

    client.force_login(personas.admin)
    listing = client.get(reverse("recordings:list", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert "Alte Versammlung" in listing
    url = reverse("recordings:delete", kwargs={"club_slug": personas.club.slug, "recording_id": recording.pk})
    assert client.post(url).status_code == 302

    recording.refresh_from_db()
    assert recording.state == Recording.State.DELETED
    assert bbb.calls("deleteRecordings") == 1
    assert bbb.bbb_state(record_id) == "deleted"
