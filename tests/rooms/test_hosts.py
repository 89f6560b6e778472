"""Hosts moderate; other members join as viewers and start only where the room allows; members-only rooms."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from clubs import permissions
from clubs.models import AuditEntry, Role
from meetings.models import Meeting
from rooms import services
from tests.factories import MeetingFactory, MembershipFactory, RoomFactory

FORBIDDEN = "Ihre Rolle im Verein erlaubt diese Aktion nicht."


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def room_url(name: str, room) -> str:
    return reverse(f"rooms:{name}", kwargs={"club_slug": room.club.slug, "room_id": room.pk})


def join_url(room) -> str:
    return reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})


def public_url(room) -> str:
    return reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Kurs Yoga")


@pytest.fixture
def leader(personas, room):
    """A plain member named host of the room (the course leader)."""
    membership = MembershipFactory(club=personas.club, role=Role.MEMBER)
    room.hosts.add(membership)
    return membership.user


@pytest.fixture
def running(room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Vorstand")
    simulator.calls.clear()
    return Meeting.objects.get(room=room)


# -- the predicates ----------------------------------------------------------------------------


def test_owners_admins_and_named_members_are_hosts_plain_members_are_not(personas, room, leader):
    memberships = {m.user_id: m for m in personas.club.memberships.select_related("club")}
    fresh = type(room).objects.get(pk=room.pk)
    assert permissions.is_room_host(memberships[personas.owner.pk], fresh)
    assert permissions.is_room_host(memberships[personas.admin.pk], fresh)
    assert permissions.is_room_host(memberships[leader.pk], fresh)
    assert not permissions.is_room_host(memberships[personas.member.pk], fresh)
    other_room = RoomFactory(club=personas.club)
    assert not permissions.is_room_host(memberships[leader.pk], other_room)


def test_a_member_of_another_club_is_never_host(personas, room):
    foreign = personas.other_club.memberships.select_related("club").get()
    assert not permissions.is_room_host(foreign, room)


# -- joining: roles ----------------------------------------------------------------------------


def test_plain_member_joins_as_viewer_and_host_as_moderator(client, personas, room, leader, running, simulator):
    client.force_login(personas.member)
    assert query_of(client.post(join_url(room))["Location"])["role"] == "VIEWER"
    client.force_login(leader)
    assert query_of(client.post(join_url(room))["Location"])["role"] == "MODERATOR"
    client.force_login(personas.admin)
    assert query_of(client.post(join_url(room))["Location"])["role"] == "MODERATOR"
    assert sum(simulator.calls.values()) == 0  # joining a running meeting: zero BBB calls


def test_everyone_moderates_makes_plain_members_moderators(client, personas, room, running):
    room.all_moderators = True
    room.save()
    client.force_login(personas.member)
    assert query_of(client.post(join_url(room))["Location"])["role"] == "MODERATOR"


def test_plain_member_skips_the_lobby_even_as_viewer(client, personas, room, running):
    room.waiting_room = True
    room.save()
    client.force_login(personas.member)
    params = query_of(client.post(join_url(room))["Location"])
    assert params["role"] == "VIEWER" and params["guest"] == "false"


# -- starting ----------------------------------------------------------------------------------


def test_plain_member_may_not_start_where_the_room_does_not_allow_it(client, personas, room, bbb_server, simulator):
    client.force_login(personas.member)
    response = client.post(room_url("start", room))
    assert response.status_code == 403
    assert FORBIDDEN in response.content.decode()
    # From the public page the member waits for a host instead of starting.
    assert client.post(join_url(room))["Location"] == reverse("rooms:waiting", kwargs={"friendly_id": room.friendly_id})
    assert simulator.calls["create"] == 0
    assert not Meeting.objects.exists()


def test_plain_member_starts_where_members_may_start_and_joins_as_viewer(client, personas, room, bbb_server, simulator):
    room.members_can_start = True
    room.save()
    client.force_login(personas.member)
    response = client.post(room_url("start", room))
    assert query_of(response["Location"])["role"] == "VIEWER"
    assert simulator.calls == {"create": 1}


def test_named_host_starts_as_moderator(client, room, leader, bbb_server, simulator):
    client.force_login(leader)
    assert query_of(client.post(room_url("start", room))["Location"])["role"] == "MODERATOR"
    assert Meeting.objects.get(room=room).started_by == leader


def test_room_page_shows_start_only_to_those_who_may(client, personas, room, leader):
    client.force_login(personas.member)
    content = client.get(room_url("detail", room)).content.decode()
    assert "Besprechung starten" not in content
    client.force_login(leader)
    assert "Besprechung starten" in client.get(room_url("detail", room)).content.decode()


# -- ending ------------------------------------------------------------------------------------


def test_non_host_trying_to_end_is_refused_and_nothing_changes(client, personas, room, running, simulator):
    client.force_login(personas.member)
    for method in ("get", "post"):
        response = getattr(client, method)(room_url("end", room))
        assert response.status_code == 403
        assert FORBIDDEN in response.content.decode()
    assert "Besprechung beenden" not in client.get(room_url("detail", room)).content.decode()
    running.refresh_from_db()
    assert running.ended_at is None
    assert simulator.calls["end"] == 0
    assert room.meeting_id in simulator.meetings
    assert not AuditEntry.objects.filter(action="meeting.end").exists()


def test_named_host_ends_the_meeting(client, room, leader, running, simulator):
    client.force_login(leader)
    assert "Besprechung beenden" in client.get(room_url("detail", room)).content.decode()
    client.post(room_url("end", room))
    running.refresh_from_db()
    assert running.ended_at is not None
    assert simulator.calls["end"] == 1


# -- codes -------------------------------------------------------------------------------------


def test_named_host_changes_the_codes_plain_member_may_not(client, personas, room, leader):
    client.force_login(personas.member)
    response = client.post(room_url("codes", room), {"codes": "viewer"})
    assert response.status_code == 403
    room.refresh_from_db()
    assert room.viewer_code == ""
    client.force_login(leader)
    client.post(room_url("codes", room), {"codes": "viewer", "confirm": "1"})
    room.refresh_from_db()
    assert len(room.viewer_code) == 6
    # A host who is no admin still may not edit or delete the room.
    assert client.get(room_url("edit", room)).status_code == 403
    assert client.get(room_url("delete", room)).status_code == 403


# -- naming hosts ------------------------------------------------------------------------------


def form_data(**extra) -> dict:
    data = {"name": "Kurs Yoga", "welcome_text": "", "viewer_code": "", "moderator_code": "", "max_participants": ""}
    data.update(extra)
    return data


def test_admin_names_hosts_in_the_room_form(client, personas, room):
    member = personas.club.memberships.get(user=personas.member)
    client.force_login(personas.admin)
    response = client.post(room_url("edit", room), form_data(hosts=[member.pk]))
    assert response.status_code == 302
    assert list(room.hosts.all()) == [member]
    entry = AuditEntry.objects.filter(action="room.update").latest("pk")
    assert "hosts" in entry.details["changed"]
    client.post(room_url("edit", room), form_data())
    assert not room.hosts.exists()


def test_a_member_of_another_club_cannot_be_named_host(client, personas, room):
    foreign = personas.other_club.memberships.get()
    client.force_login(personas.admin)
    response = client.post(room_url("edit", room), form_data(hosts=[foreign.pk], name="Neu"))
    assert response.status_code == 200
    assert "Bitte wählen Sie nur Mitglieder Ihres Vereins." in response.content.decode()
    room.refresh_from_db()
    assert room.name == "Kurs Yoga" and not room.hosts.exists()
    with pytest.raises(ValueError):
        services.room_update(room=room, actor=personas.admin, hosts=[foreign])
    assert not room.hosts.exists()


def test_removing_a_membership_removes_the_host(personas, room, leader):
    personas.club.memberships.get(user=leader).delete()
    assert not room.hosts.exists()


# -- members-only rooms ------------------------------------------------------------------------


@pytest.fixture
def members_only(room):
    room.members_only = True
    room.viewer_code = "4711"
    room.save()
    return room


def test_guest_in_a_members_only_room_is_refused_with_the_login_offered(client, members_only, running, simulator):
    response = client.get(public_url(members_only))
    content = response.content.decode()
    assert response.status_code == 403
    assert "Dieser Raum ist nur für Mitglieder des Vereins." in content
    assert f"{reverse('account_login')}?next={public_url(members_only)}" in content
    assert 'name="code"' not in content
    response = client.post(join_url(members_only), {"name": "Gabi Gast", "code": "4711"})
    assert response.status_code == 403
    assert "Dieser Raum ist nur für Mitglieder des Vereins." in response.content.decode()
    assert not any(key.startswith("rooms:join") for key in client.session.keys())
    assert sum(simulator.calls.values()) == 0


def test_logged_in_outsider_is_refused_too(client, personas, members_only, running):
    client.force_login(personas.outsider)
    response = client.post(join_url(members_only), {"name": "Olaf", "code": "4711"})
    assert response.status_code == 403
    assert "Ihr Konto gehört nicht zu diesem Verein." in response.content.decode()


def test_member_joins_a_members_only_room_without_code(client, personas, members_only, running):
    client.force_login(personas.member)
    assert client.get(public_url(members_only)).status_code == 200
    response = client.post(join_url(members_only))
    assert response.status_code == 302
    assert query_of(response["Location"])["fullName"] == personas.member.name


def test_members_only_is_set_in_the_room_form(client, personas, room):
    client.force_login(personas.admin)
    client.post(room_url("edit", room), form_data(members_only="on", members_can_start="on"))
    room.refresh_from_db()
    assert room.members_only and room.members_can_start


def test_existing_open_meeting_row_is_not_needed_for_the_member_start_rule(personas, room, bbb_server):
    """A stale open meeting lets the member join (as viewer), never start or end."""
    MeetingFactory(room=room, server=bbb_server)
    membership = personas.club.memberships.select_related("club").get(user=personas.member)
    assert not permissions.can_end_meeting(membership, room)
    assert services.member_join_decision(room=room, membership=membership).role == "VIEWER"
