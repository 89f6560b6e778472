"""Starting and ending meetings against the simulator: one create, one Meeting, failures leave nothing."""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, connections
from django.urls import reverse

from clubs.models import AuditEntry
from meetings import services as meeting_services
from meetings.bbb_clients import client_for
from meetings.models import Meeting, Server
from rooms import services
from tests.conftest import require_service
from tests.factories import MeetingFactory, RoomFactory


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def room(personas):
    """A room the plain member hosts (named for it), so that the member may start and end."""
    room = RoomFactory(club=personas.club, name="Vorstandssitzung", welcome_text="Willkommen!")
    room.hosts.add(personas.club.memberships.get(user=personas.member))
    return room


def start_url(room) -> str:
    return reverse("rooms:start", kwargs={"club_slug": room.club.slug, "room_id": room.pk})


def test_start_creates_the_meeting_with_one_create_and_redirects_as_moderator(
    client, personas, room, bbb_server, simulator
):
    client.force_login(personas.member)
    response = client.post(start_url(room))

    assert response.status_code == 302
    params = query_of(response["Location"])
    assert response["Location"].startswith(simulator.api_url + "join?")
    assert params["role"] == "MODERATOR"
    assert params["fullName"] == personas.member.name
    assert params["meetingID"] == room.meeting_id
    assert simulator.calls == {"create": 1}
    assert client_for(bbb_server).calls == {"create": 1}
    meeting = Meeting.objects.get(room=room)
    assert meeting.status == Meeting.Status.STARTING
    assert meeting.server == bbb_server
    assert meeting.started_by == personas.member
    sim_meeting = simulator.meetings[room.meeting_id]
    assert meeting.internal_meeting_id == sim_meeting.internal_id
    assert meeting.create_time is not None
    assert int(meeting.create_time.timestamp() * 1000) == sim_meeting.create_time


def test_create_carries_room_settings_and_our_meta_data(personas, room, bbb_server, simulator):
    room.mute_on_start = True
    room.waiting_room = True
    room.record = True
    room.max_participants = 12
    room.save()
    services.meeting_start(room=room, actor=personas.admin, display_name="Ada")

    sim_meeting = simulator.meetings[room.meeting_id]
    meeting = Meeting.objects.get(room=room)
    params, meta = sim_meeting.params, sim_meeting.metadata
    assert params["record"] == "true"
    assert params["muteOnStart"] == "true"
    assert params["guestPolicy"] == "ASK_MODERATOR"
    assert params["maxParticipants"] == "12"
    assert params["welcome"] == "Willkommen!"
    assert params["name"] == "Vorstandssitzung"
    assert meta["bbb-origin"] == "herzdigital"
    assert meta["herzdigital-club-id"] == str(room.club_id)
    assert meta["herzdigital-room-id"] == str(room.pk)
    assert meta["endcallbackurl"].startswith("http://testserver/")
    token = urlsplit(meta["endcallbackurl"]).path.rstrip("/").rsplit("/", 1)[-1]
    from meetings.callbacks import end_callback_meeting_pk

    assert end_callback_meeting_pk(token) == meeting.pk
    assert meta["bbb-recording-ready-url"] == "http://testserver" + reverse(
        "recordings:callback_ready", kwargs={"server_id": bbb_server.pk}
    )


def test_recording_is_off_when_the_club_may_not_record(personas, room, bbb_server, simulator):
    room.record = True
    room.save()
    personas.club.recording_allowed = False
    personas.club.save()
    services.meeting_start(room=room, display_name="Ada")
    assert simulator.meetings[room.meeting_id].params["record"] == "false"
    assert Meeting.objects.get(room=room).record is False


def test_starting_an_open_meeting_again_reuses_it(personas, room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Ada")
    services.meeting_start(room=room, display_name="Bert")
    assert Meeting.objects.filter(room=room).count() == 1
    assert simulator.calls["create"] == 2  # the second is BBB's idempotent duplicate
    assert len(simulator.meetings) == 1


def test_start_refreshes_the_row_when_bbb_forgot_the_meeting(personas, room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Ada")
    first = Meeting.objects.get(room=room).internal_meeting_id
    simulator.reset()  # BBB restarted: our row is still open, BBB knows nothing
    services.meeting_start(room=room, display_name="Ada")
    meeting = Meeting.objects.get(room=room)
    assert meeting.internal_meeting_id != first
    assert meeting.internal_meeting_id == simulator.meetings[room.meeting_id].internal_id


def race_two_starts(personas, simulator) -> None:
    room = RoomFactory(club=personas.club)
    simulator.configure(latency=0.3)  # both requests overlap while the first create is in flight
    barrier = threading.Barrier(2)
    urls, errors = [], []

    def start(name: str) -> None:
        try:
            barrier.wait()
            urls.append(services.meeting_start(room=room, display_name=name))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(name,)) for name in ("Ada", "Bert")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(urls) == 2
    assert Meeting.objects.filter(room=room).count() == 1
    assert len(simulator.meetings) == 1
    assert {query_of(url)["meetingID"] for url in urls} == {room.meeting_id}


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_produce_one_meeting(personas, bbb_server, simulator):
    race_two_starts(personas, simulator)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_on_postgresql_produce_one_meeting(personas, bbb_server, simulator):
    """The same race where select_for_update really blocks the second start (CI runs PostgreSQL)."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    race_two_starts(personas, simulator)


def test_the_unique_constraint_refuses_a_second_open_meeting(personas, room, bbb_server):
    from django.db import IntegrityError, transaction

    MeetingFactory(room=room, server=bbb_server)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(room=room, server=bbb_server)


@pytest.mark.parametrize(
    "knobs",
    [{"down": True}, {"malformed": True}, {"status_override": 500}, {"latency": 1.0}],
    ids=["down", "malformed", "http-500", "slow"],
)
def test_bbb_failure_shows_a_friendly_503_and_writes_nothing(
    client, settings, personas, room, bbb_server, simulator, caplog, knobs
):
    settings.BBB_READ_TIMEOUT = 0.3
    simulator.configure(**knobs)
    client.force_login(personas.member)
    with caplog.at_level(logging.WARNING, logger="meetings.services"):
        response = client.post(start_url(room))

    assert response.status_code == 503
    content = response.content.decode()
    assert "nicht erreichbar" in content
    assert "Erneut versuchen" in content
    assert f'action="{start_url(room)}"' in content
    assert "Traceback" not in content
    assert Meeting.objects.count() == 0
    assert bbb_server.name in caplog.text


def test_bbb_answering_failed_shows_503_and_writes_nothing(client, personas, room, bbb_server, simulator, caplog):
    simulator.configure(
        body_override="<response><returncode>FAILED</returncode><messageKey>internalError</messageKey>"
        "<message>Boom</message></response>"
    )
    client.force_login(personas.member)
    with caplog.at_level(logging.WARNING, logger="meetings.services"):
        response = client.post(start_url(room))
    assert response.status_code == 503
    assert Meeting.objects.count() == 0
    assert "sim-1" in caplog.text and "internalError" in caplog.text


def test_no_healthy_server_gives_503(client, personas, room, bbb_server):
    Server.objects.update(healthy=False)
    client.force_login(personas.member)
    assert client.post(start_url(room)).status_code == 503
    assert Meeting.objects.count() == 0


def test_concurrent_meeting_quota_refuses_with_a_german_message(client, personas, bbb_server, simulator):
    personas.club.max_concurrent_meetings = 1
    personas.club.save()
    MeetingFactory(room=RoomFactory(club=personas.club), server=bbb_server)
    room = RoomFactory(club=personas.club)
    client.force_login(personas.admin)
    response = client.post(start_url(room), follow=True)
    assert "bereits 1 Besprechungen gleichzeitig" in response.content.decode()
    assert simulator.calls["create"] == 0
    assert Meeting.objects.filter(room=room).count() == 0


def test_start_is_post_only_and_for_members(client, personas, room, bbb_server, simulator):
    client.force_login(personas.member)
    assert client.get(start_url(room)).status_code == 405
    client.force_login(personas.outsider)
    assert client.post(start_url(room)).status_code == 404
    assert simulator.calls["create"] == 0


def test_new_meetings_spread_over_servers(personas, simulator):
    from tests.bbb_fixtures import SIMULATOR_SECRET

    s1 = Server.objects.create(name="s1", api_url=simulator.api_url, secret=SIMULATOR_SECRET)
    s2 = Server.objects.create(
        name="s2", api_url=simulator.api_url.replace("127.0.0.1", "localhost"), secret=SIMULATOR_SECRET
    )
    personas.club.max_concurrent_meetings = 10
    personas.club.save()
    rooms = [RoomFactory(club=personas.club) for _ in range(4)]
    for room in rooms:
        services.meeting_start(room=room, display_name="Ada")
    used = Meeting.objects.values_list("server__name", flat=True)
    assert sorted(used) == ["s1", "s1", "s2", "s2"]
    assert {s1.pk, s2.pk} == set(Meeting.objects.values_list("server", flat=True))


# -- end ---------------------------------------------------------------------------------------


def end_url(room) -> str:
    return reverse("rooms:end", kwargs={"club_slug": room.club.slug, "room_id": room.pk})


def test_moderator_ends_the_meeting_after_confirming(client, personas, room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Ada")
    client.force_login(personas.member)
    confirm = client.get(end_url(room))
    assert confirm.status_code == 200
    assert "Für alle beenden" in confirm.content.decode()
    assert simulator.calls["end"] == 0

    response = client.post(end_url(room))
    assert response.status_code == 302
    meeting = Meeting.objects.get(room=room)
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.ended_at is not None
    assert simulator.calls["end"] == 1
    assert room.meeting_id not in simulator.meetings or not simulator.meetings[room.meeting_id].running
    entry = AuditEntry.objects.get(action="meeting.end")
    assert entry.actor == personas.member and entry.club == personas.club


def test_ending_a_meeting_bbb_already_forgot_still_marks_it_ended(personas, room, bbb_server, simulator):
    meeting = MeetingFactory(room=room, server=bbb_server)
    meeting_services.meeting_end(meeting=meeting, actor=personas.admin)
    meeting.refresh_from_db()
    assert meeting.ended_at is not None


def test_ending_while_bbb_is_down_changes_nothing(client, personas, room, bbb_server, simulator):
    meeting = MeetingFactory(room=room, server=bbb_server)
    simulator.configure(down=True)
    client.force_login(personas.admin)
    response = client.post(end_url(room))
    assert response.status_code == 503
    meeting.refresh_from_db()
    assert meeting.ended_at is None
    assert not AuditEntry.objects.filter(action="meeting.end").exists()


def test_outsiders_cannot_end_meetings(client, personas, room, bbb_server, simulator):
    MeetingFactory(room=room, server=bbb_server)
    client.force_login(personas.outsider)
    assert client.post(end_url(room)).status_code == 404
    assert simulator.calls["end"] == 0


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_of_two_rooms_respect_the_concurrency_quota(personas, bbb_server, simulator):
    personas.club.max_concurrent_meetings = 1
    personas.club.save()
    rooms = [RoomFactory(club=personas.club) for _ in range(2)]
    simulator.configure(latency=0.3)
    barrier = threading.Barrier(2)
    outcomes = []

    def start(room) -> None:
        try:
            barrier.wait()
            services.meeting_start(room=room, display_name="Ada")
            outcomes.append("started")
        except services.quotas.QuotaExceeded:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(room,)) for room in rooms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "started"]
    assert Meeting.objects.filter(club=personas.club, ended_at__isnull=True).count() == 1


class _LockProbingSimulator:
    """Wraps the simulator's ``create``: while BBB handles it, another connection tries to lock the
    room and club rows without waiting (NOWAIT), as a second request of that club would."""

    def __init__(self, simulator, room) -> None:
        self.room = room
        self.outcomes: dict[str, str] = {}
        self._create = simulator._api_create
        simulator._api_create = self

    def __call__(self, p, body):
        probe = threading.Thread(target=self._probe)
        probe.start()
        probe.join(10)
        return self._create(p, body)

    def _probe(self) -> None:
        from django.db import DatabaseError, transaction

        from clubs.models import Club
        from rooms.models import Room

        try:
            for name, queryset in (
                ("room", Room.objects.filter(pk=self.room.pk)),
                ("club", Club.objects.filter(pk=self.room.club_id)),
            ):
                try:
                    with transaction.atomic():
                        list(queryset.select_for_update(nowait=True))
                    self.outcomes[name] = "free"
                except DatabaseError:
                    self.outcomes[name] = "locked"
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_no_row_lock_is_held_while_bbb_creates_the_meeting(personas, bbb_server, simulator):
    """Issue 21 item 5: reserve under the locks, call BBB outside them (two real PostgreSQL connections)."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    room = RoomFactory(club=personas.club)
    probe = _LockProbingSimulator(simulator, room)

    services.meeting_start(room=room, display_name="Ada")

    assert probe.outcomes == {"room": "free", "club": "free"}
    meeting = Meeting.objects.get(room=room)
    assert meeting.internal_meeting_id == simulator.meetings[room.meeting_id].internal_id


def test_a_failed_create_takes_back_only_its_own_reservation(personas, room, bbb_server, simulator, settings):
    services.meeting_start(room=room, display_name="Ada")
    simulator.configure(down=True)
    with pytest.raises(meeting_services.MeetingUnavailable):
        services.meeting_start(room=room, display_name="Bert")  # the running meeting's row stays
    assert Meeting.objects.filter(room=room, ended_at__isnull=True).count() == 1
    other = RoomFactory(club=personas.club)
    with pytest.raises(meeting_services.MeetingUnavailable):
        services.meeting_start(room=other, display_name="Bert")
    assert not Meeting.objects.filter(room=other).exists()
