"""The public join flow: name, access codes, rate limit, waiting page, status poll, zero BBB calls."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from meetings.bbb_clients import client_for
from meetings.models import Meeting, Server
from rooms import services
from tests.conftest import require_service
from tests.factories import MeetingFactory, RoomFactory


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Elternabend")


@pytest.fixture
def running(room, bbb_server, simulator):
    """The room's meeting, started for real on the simulator; call counters reset afterwards."""
    services.meeting_start(room=room, display_name="Vorstand")
    simulator.calls.clear()
    client_for(bbb_server).calls.clear()
    return Meeting.objects.get(room=room)


def public_url(room) -> str:
    return reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})


def join_url(room) -> str:
    return reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})


def assert_no_bbb_calls(simulator, bbb_server) -> None:
    assert sum(simulator.calls.values()) == 0
    assert sum(client_for(bbb_server).calls.values()) == 0


# -- public room page --------------------------------------------------------------------------


def test_public_page_asks_for_a_name_and_makes_no_bbb_call(client, room, running, bbb_server, simulator):
    response = client.get(public_url(room))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="name"' in content
    assert 'name="code"' not in content
    assert "Die Besprechung läuft." in content
    assert_no_bbb_calls(simulator, bbb_server)


def test_public_page_asks_for_the_code_when_the_room_has_one(client, room):
    room.viewer_code = "4711"
    room.save()
    content = client.get(public_url(room)).content.decode()
    assert 'name="code"' in content
    assert "4711" not in content


def test_public_page_of_unknown_or_inactive_club_room_is_404(client, personas, room):
    assert client.get(reverse("rooms:public", kwargs={"friendly_id": "bcd-fgh-jkm-npq"})).status_code == 404
    personas.club.status = "suspended"
    personas.club.save()
    assert client.get(public_url(room)).status_code == 404


def test_recording_rooms_tell_everybody_before_joining(client, personas, room):
    room.record = True
    room.save()
    assert "Hinweis zur Aufzeichnung" in client.get(public_url(room)).content.decode()
    client.force_login(personas.member)
    assert "Hinweis zur Aufzeichnung" in client.get(public_url(room)).content.decode()


def test_no_recording_notice_when_the_club_may_not_record(client, personas, room):
    room.record = True
    room.save()
    personas.club.recording_allowed = False
    personas.club.save()
    assert "Hinweis zur Aufzeichnung" not in client.get(public_url(room)).content.decode()


def test_member_sees_no_code_field_and_is_named_by_profile(client, personas, room):
    room.viewer_code = "4711"
    room.members_can_start = True
    room.save()
    client.force_login(personas.member)
    content = client.get(public_url(room)).content.decode()
    assert 'name="code"' not in content
    assert personas.member.name in content
    assert "Besprechung starten" in content


# -- joining a running meeting -----------------------------------------------------------------


def test_guest_joins_a_running_meeting_as_viewer_with_zero_bbb_calls(client, room, running, bbb_server, simulator):
    response = client.post(join_url(room), {"name": "  Gabi   Gast "})
    assert response.status_code == 302
    params = query_of(response["Location"])
    assert response["Location"].startswith(simulator.api_url + "join?")
    assert params["fullName"] == "Gabi Gast"
    assert params["role"] == "VIEWER"
    assert params["guest"] == "false"
    assert params["meetingID"] == room.meeting_id
    assert_no_bbb_calls(simulator, bbb_server)


def test_the_join_url_is_accepted_by_bbb(client, room, running, simulator):
    import requests

    location = client.post(join_url(room), {"name": "Gabi"})["Location"]
    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302  # the simulator lets the guest into the client
    assert "html5client" in answer.headers["Location"]


def test_guest_with_the_viewer_code_joins(client, room, running):
    room.viewer_code = "4711"
    room.save()
    response = client.post(join_url(room), {"name": "Gabi", "code": "4711"})
    assert query_of(response["Location"])["role"] == "VIEWER"


def test_guest_with_the_moderator_code_joins_as_moderator(client, room, running):
    room.viewer_code, room.moderator_code = "4711", "0815"
    room.save()
    response = client.post(join_url(room), {"name": "Mona", "code": "0815"})
    assert query_of(response["Location"])["role"] == "MODERATOR"


def test_moderator_code_alone_is_optional_for_guests(client, room, running):
    room.moderator_code = "0815"
    room.save()
    assert query_of(client.post(join_url(room), {"name": "Gabi"})["Location"])["role"] == "VIEWER"
    assert query_of(client.post(join_url(room), {"name": "Mona", "code": "0815"})["Location"])["role"] == "MODERATOR"


def test_everyone_joins_as_moderator_when_the_room_says_so(client, room, running):
    room.all_moderators = True
    room.save()
    assert query_of(client.post(join_url(room), {"name": "Gabi"})["Location"])["role"] == "MODERATOR"


def test_waiting_room_sends_guests_to_the_bbb_lobby(client, personas, room, running):
    room.waiting_room = True
    room.save()
    assert query_of(client.post(join_url(room), {"name": "Gabi"})["Location"])["guest"] == "true"
    client.force_login(personas.member)
    assert query_of(client.post(join_url(room))["Location"])["guest"] == "false"


def test_host_member_joins_without_code_under_profile_name_as_moderator(
    client, personas, room, running, bbb_server, simulator
):
    room.viewer_code = "4711"
    room.save()
    room.hosts.add(personas.club.memberships.get(user=personas.member))
    client.force_login(personas.member)
    response = client.post(join_url(room), {"name": "Fake", "code": "wrong"})
    params = query_of(response["Location"])
    assert params["fullName"] == personas.member.name
    assert params["role"] == "MODERATOR"
    assert params["userID"] == f"hd-{personas.member.pk}"
    assert_no_bbb_calls(simulator, bbb_server)


def test_outsider_is_treated_as_a_guest(client, personas, room, running):
    room.viewer_code = "4711"
    room.save()
    client.force_login(personas.outsider)
    response = client.post(join_url(room), {"name": "Otto"})
    assert response.status_code == 400
    assert "Bitte geben Sie den Zugangscode ein." in response.content.decode()


def test_missing_name_keeps_the_input_and_says_what_to_do(client, room):
    room.viewer_code = "4711"
    room.save()
    response = client.post(join_url(room), {"name": "", "code": "4711"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "Bitte geben Sie Ihren Namen ein." in content
    assert 'value="4711"' in content


def test_a_get_of_the_join_url_goes_back_to_the_room_page_instead_of_a_blank_405(client, room):
    """Issue 16, item 5: reloading the page a failed attempt answered (or following it later)."""
    response = client.get(join_url(room))
    assert response.status_code == 302
    assert response["Location"] == reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})


# -- access codes: wrong and rate-limited ------------------------------------------------------


def test_wrong_code_is_refused_with_a_german_message(client, room, running, bbb_server, simulator):
    room.viewer_code = "4711"
    room.save()
    response = client.post(join_url(room), {"name": "Gabi", "code": "1234"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "Der Zugangscode stimmt nicht." in content
    assert 'value="Gabi"' in content
    assert_no_bbb_calls(simulator, bbb_server)


def test_a_code_where_none_is_needed_is_wrong(client, room, running):
    response = client.post(join_url(room), {"name": "Gabi", "code": "1234"})
    assert response.status_code == 302  # no code field at all: the value is ignored
    room.moderator_code = "0815"
    room.save()
    assert client.post(join_url(room), {"name": "Gabi", "code": "1234"}).status_code == 400


# Wrong access codes and their limits: tests/security/test_access_codes.py


# -- not running: waiting page, status poll, starting ------------------------------------------


def test_guest_waits_when_the_meeting_does_not_run(client, room, bbb_server, simulator):
    response = client.post(join_url(room), {"name": "Gabi"})
    assert response.status_code == 302
    assert response["Location"] == reverse("rooms:waiting", kwargs={"friendly_id": room.friendly_id})
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert 'aria-live="polite"' in content
    assert reverse("rooms:status", kwargs={"friendly_id": room.friendly_id}) in content
    assert "Gabi" in content
    assert_no_bbb_calls(simulator, bbb_server)
    assert Meeting.objects.count() == 0


def test_status_poll_reads_the_database_only(client, room, bbb_server, simulator, django_assert_max_num_queries):
    url = reverse("rooms:status", kwargs={"friendly_id": room.friendly_id})
    data = json.loads(client.get(url).content)
    assert data == {"state": "none", "joinable": False, "participants": 0}
    MeetingFactory(room=room, server=bbb_server, participant_count=7)
    with django_assert_max_num_queries(1):  # room, club, open meeting and server: one query
        data = json.loads(client.get(url).content)
    assert data == {"state": "running", "joinable": True, "participants": 7}
    Server.objects.update(healthy=False)
    assert json.loads(client.get(url).content)["state"] == "unknown"
    assert_no_bbb_calls(simulator, bbb_server)


def test_waiting_guest_joins_with_the_stored_decision_once_the_meeting_runs(client, room, bbb_server, simulator):
    room.moderator_code = "0815"
    room.save()
    client.post(join_url(room), {"name": "Mona", "code": "0815"})
    # Still not running: the resume post brings the guest back to the waiting page.
    again = client.post(join_url(room), {"resume": "1"})
    assert again["Location"].endswith("/warten/")
    services.meeting_start(room=room, display_name="Vorstand")
    simulator.calls.clear()
    response = client.post(join_url(room), {"resume": "1"})
    params = query_of(response["Location"])
    assert params["fullName"] == "Mona" and params["role"] == "MODERATOR"
    assert sum(simulator.calls.values()) == 0


def test_waiting_page_without_a_pending_join_goes_back_to_the_room(client, room):
    response = client.get(reverse("rooms:waiting", kwargs={"friendly_id": room.friendly_id}))
    assert response["Location"] == public_url(room)
    assert client.post(join_url(room), {"resume": "1"})["Location"] == public_url(room)


def test_host_member_starts_from_the_public_page_with_one_create(client, personas, room, bbb_server, simulator):
    room.hosts.add(personas.club.memberships.get(user=personas.member))
    client.force_login(personas.member)
    response = client.post(join_url(room))
    params = query_of(response["Location"])
    assert params["role"] == "MODERATOR"
    assert simulator.calls == {"create": 1}
    assert Meeting.objects.get(room=room).started_by == personas.member


def test_anyone_may_start_when_the_room_allows_it_but_keeps_the_code_role(client, room, bbb_server, simulator):
    room.anyone_can_start = True
    room.save()
    response = client.post(join_url(room), {"name": "Gabi"})
    params = query_of(response["Location"])
    assert params["role"] == "VIEWER"
    assert simulator.calls == {"create": 1}
    assert Meeting.objects.get(room=room).started_by is None


def test_guest_start_failure_shows_503_with_retry_keeping_the_input(client, room, bbb_server, simulator):
    room.anyone_can_start = True
    room.save()
    simulator.configure(down=True)
    response = client.post(join_url(room), {"name": "Gabi"})
    content = response.content.decode()
    assert response.status_code == 503
    assert 'name="name" value="Gabi"' in content
    assert "Erneut versuchen" in content
    assert Meeting.objects.count() == 0
    simulator.configure(down=False)
    assert client.post(join_url(room), {"name": "Gabi"}).status_code == 302


def test_guest_start_quota_refusal_is_a_german_message(client, personas, room, bbb_server, simulator):
    room.anyone_can_start = True
    room.save()
    personas.club.max_concurrent_meetings = 0
    personas.club.save()
    response = client.post(join_url(room), {"name": "Gabi"})
    assert response.status_code == 409
    assert "gleichzeitig" in response.content.decode()
    assert simulator.calls["create"] == 0


@pytest.mark.parametrize("rooms", [1, 30])
def test_joining_a_running_meeting_is_one_query(
    client, personas, room, running, bbb_server, rooms, django_assert_num_queries
):
    for _ in range(rooms):
        MeetingFactory(room=RoomFactory(club=personas.club), server=bbb_server)
    with django_assert_num_queries(1):
        response = client.post(join_url(room), {"name": "Gabi"})
    assert response.status_code == 302


def test_the_join_lookup_gives_partial_instances_that_load_the_rest_on_access(room, running, bbb_server):
    looked_up, meeting = services.room_join_target(friendly_id=room.friendly_id)
    assert (looked_up.pk, looked_up.friendly_id, meeting.pk, meeting.server.api_url) == (
        room.pk,
        room.friendly_id,
        running.pk,
        bbb_server.api_url,
    )
    assert not looked_up._state.adding and "name" in looked_up.get_deferred_fields()
    assert looked_up.name == room.name  # deferred: one query on access, like a from_db instance
    assert meeting.room is looked_up and looked_up.club.pk == room.club_id


def test_postgresql_plans_the_join_lookup_once_per_connection(client, room, running, bbb_server):
    """Prepared after its 5th run (server-side binding, DB_PREPARED_STATEMENTS): issue 20."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    for _ in range(6):
        assert client.post(join_url(room), {"name": "Gabi"}).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("r.friendly_id = $1" in statement for statement in statements), statements


def test_join_of_an_unknown_room_is_404(client, db):
    assert (
        client.post(reverse("rooms:join", kwargs={"friendly_id": "xxx-xxx-xxx-xxx"}), {"name": "Gabi"}).status_code
        == 404
    )


def test_join_uses_the_meeting_server_credentials(client, personas, room, bbb_server, simulator):
    """The lean join lookup signs with the meeting's own server, not any other."""
    from tests.bbb_fixtures import SIMULATOR_SECRET

    other = Server.objects.create(name="other", api_url="http://127.0.0.1:9/bigbluebutton/api/", secret="x" * 20)
    MeetingFactory(room=room, server=bbb_server)
    location = client.post(join_url(room), {"name": "Gabi"})["Location"]
    assert location.startswith(bbb_server.api_url)
    assert not location.startswith(other.api_url)
    assert client_for(bbb_server).secret == SIMULATOR_SECRET
