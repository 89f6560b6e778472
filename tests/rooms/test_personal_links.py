"""Personal join links: named person, fixed name, role, expiry, revocation; the hosts' list; events hand them out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs.models import AuditEntry, Role
from meetings.models import Meeting
from rooms import personal_links, services
from rooms.models import PersonalLink
from tests.factories import MembershipFactory, RoomFactory


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def room_url(name: str, room, **kwargs) -> str:
    return reverse(f"rooms:{name}", kwargs={"club_slug": room.club.slug, "room_id": room.pk, **kwargs})


def link_url(link) -> str:
    return reverse("rooms:personal", kwargs={"link_token": link.token})


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Mitgliederversammlung", viewer_code="4711")


@pytest.fixture
def running(room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Vorstand")
    simulator.calls.clear()
    return Meeting.objects.get(room=room)


def make_link(room, actor, **overrides) -> PersonalLink:
    values = {"name": "Gerda Gast", "role": "VIEWER", "expires_at": timezone.now() + timedelta(days=3)}
    values.update(overrides)
    return personal_links.personal_link_create(room=room, actor=actor, **values)


# -- the hosts' pages ------------------------------------------------------------------------------


def test_host_creates_a_link_and_sees_it_listed_on_the_room_page(client, personas, room):
    client.force_login(personas.admin)
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        room_url("links", room), {"name": "  Gerda   Gast ", "email": "", "role": "MODERATOR", "valid_until": day}
    )
    assert response.status_code == 302
    link = PersonalLink.objects.get()
    assert (link.name, link.role, link.created_by) == ("Gerda Gast", "MODERATOR", personas.admin)
    assert timezone.localtime(link.expires_at).date().isoformat() > day  # valid through the whole day
    assert AuditEntry.objects.filter(action="personal_link.create").exists()
    content = client.get(room_url("detail", room)).content.decode()
    assert "Gerda Gast" in content and f"/l/{link.token}/" in content


def test_plain_members_neither_see_nor_make_links(client, personas, room):
    link = make_link(room, personas.admin)
    client.force_login(personas.member)
    assert link.token not in client.get(room_url("detail", room)).content.decode()
    assert client.get(room_url("links", room)).status_code == 403
    assert client.post(room_url("link_revoke", room, link_id=link.pk)).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "valid_until": "2099-01-01"}, "Bitte geben Sie den Namen der Person an."),
        ({"name": "X", "valid_until": "2099-01-01"}, "Bitte geben Sie einen Namen mit 2 bis 100 Zeichen an"),
        ({"name": "Gerda", "valid_until": "2001-01-01"}, "Das Ablaufdatum muss in der Zukunft liegen."),
        ({"name": "Gerda", "valid_until": ""}, "Bitte geben Sie an, bis wann der Link gilt."),
        (
            {"name": "Gerda", "valid_until": "2099-01-01", "role": "ADMIN"},
            "Bitte wählen Sie Teilnahme oder Moderation.",
        ),
    ],
)
def test_bad_link_input_is_refused_in_german_and_nothing_is_written(client, personas, room, data, message):
    client.force_login(personas.admin)
    response = client.post(room_url("links", room), {"role": "VIEWER", "email": "", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PersonalLink.objects.exists()
    assert not AuditEntry.objects.filter(action="personal_link.create").exists()


def test_service_refuses_a_user_from_another_club(personas, room):
    with pytest.raises(personal_links.PersonalLinkRefused) as exc:
        make_link(room, personas.admin, user=personas.outsider)
    assert exc.value.problems[0].message == "Diese Person ist kein Mitglied Ihres Vereins."
    assert not PersonalLink.objects.exists()


def test_host_revokes_a_link_and_it_stops_working(client, personas, room, running, simulator):
    link = make_link(room, personas.admin)
    client.force_login(personas.admin)
    assert client.get(room_url("link_revoke", room, link_id=link.pk)).status_code == 405
    client.post(room_url("link_revoke", room, link_id=link.pk), {"back": "detail"})
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert AuditEntry.objects.filter(action="personal_link.revoke").count() == 1
    assert personal_links.personal_link_revoke(link=link, actor=personas.admin) is False  # idempotent
    client.logout()
    response = client.post(link_url(link))
    assert response.status_code == 410
    assert "Dieser persönliche Link wurde zurückgezogen und gilt nicht mehr." in response.content.decode()
    assert sum(simulator.calls.values()) == 0


# -- the invited person ----------------------------------------------------------------------------


def test_guest_joins_with_the_links_name_and_role_without_code_or_lobby(client, personas, room, running, simulator):
    room.waiting_room = True
    room.members_only = True
    room.save()
    link = make_link(room, personas.admin)
    page = client.get(link_url(link)).content.decode()
    assert "Persönliche Einladung für Gerda Gast." in page and 'name="name"' not in page
    response = client.post(link_url(link), {"name": "Somebody Else"})
    params = query_of(response["Location"])
    assert (params["fullName"], params["role"], params["guest"]) == ("Gerda Gast", "VIEWER", "false")
    assert params["userID"] == f"hd-link-{link.pk}"
    assert sum(simulator.calls.values()) == 0  # joining a running meeting: zero BBB calls
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_moderator_link_joins_as_moderator(client, personas, room, running):
    link = make_link(room, personas.admin, role="MODERATOR", name="Kursleiterin")
    assert query_of(client.post(link_url(link))["Location"])["role"] == "MODERATOR"


def test_expired_link_is_refused_with_a_german_message(client, personas, room, running, simulator):
    link = make_link(room, personas.admin)
    PersonalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    for method in ("get", "post"):
        response = getattr(client, method)(link_url(link))
        assert response.status_code == 410
        assert "Dieser persönliche Link ist abgelaufen." in response.content.decode()
    assert sum(simulator.calls.values()) == 0


def test_unknown_token_and_inactive_club_are_404(client, personas, room):
    assert client.get(reverse("rooms:personal", kwargs={"link_token": "nope"})).status_code == 404
    link = make_link(room, personas.admin)
    personas.club.status = "suspended"
    personas.club.save()
    assert client.get(link_url(link)).status_code == 404


def test_link_without_name_asks_once_then_the_name_is_fixed(client, personas, room, running):
    link = make_link(room, personas.admin, name="", ask_name=True)
    assert 'name="name"' in client.get(link_url(link)).content.decode()
    response = client.post(link_url(link), {"name": "x"})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Namen mit mindestens 2 Zeichen ein." in response.content.decode()
    assert query_of(client.post(link_url(link), {"name": "Gerda Gast"})["Location"])["fullName"] == "Gerda Gast"
    assert query_of(client.post(link_url(link), {"name": "Other"})["Location"])["fullName"] == "Gerda Gast"


def test_moderator_link_starts_the_meeting_with_one_create(client, personas, room, bbb_server, simulator):
    link = make_link(room, personas.admin, role="MODERATOR")
    response = client.post(link_url(link))
    assert query_of(response["Location"])["role"] == "MODERATOR"
    assert simulator.calls == {"create": 1}


def test_viewer_link_waits_and_a_revocation_while_waiting_keeps_them_out(client, personas, room, bbb_server, simulator):
    room.members_only = True
    room.save()
    link = make_link(room, personas.admin)
    response = client.post(link_url(link))
    assert response["Location"] == reverse("rooms:waiting", kwargs={"friendly_id": room.friendly_id})
    assert client.get(response["Location"]).status_code == 200
    services.meeting_start(room=room, display_name="Vorstand")
    join = reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})
    # Resuming from the waiting page joins, even in a members-only room.
    assert query_of(client.post(join, {"resume": "1"})["Location"])["fullName"] == "Gerda Gast"
    personal_links.personal_link_revoke(link=link, actor=personas.admin)
    assert client.post(join, {"resume": "1"})["Location"] == link_url(link)


# -- events hand out personal links ----------------------------------------------------------------


def test_invitees_get_links_with_the_role_their_membership_gives(personas, room):
    from events import services as events

    leader = MembershipFactory(club=personas.club, role=Role.MEMBER)
    room.hosts.add(leader)
    start = timezone.now() + timedelta(days=3)
    scheduled = events.scheduled_meeting_create(
        club=personas.club,
        created_by=personas.admin,
        room=room,
        title="Versammlung",
        description="",
        start_at=start,
        end_at=start + timedelta(hours=2),
        member_ids=[leader.user.pk, personas.member.pk],
        guest_emails=["gerda@example.org"],
    )
    events.scheduled_meeting_notify(scheduled_meeting_id=scheduled.pk)
    links = {i.email: i.personal_link for i in scheduled.invitees.select_related("personal_link")}
    assert links[leader.user.email].role == "MODERATOR" and links[leader.user.email].name == leader.user.name
    assert links[personas.member.email].role == "VIEWER" and links[personas.member.email].user == personas.member
    assert links["gerda@example.org"].role == "VIEWER" and links["gerda@example.org"].name == ""
    # Notifying again (an update) keeps the same links.
    events.scheduled_meeting_notify(scheduled_meeting_id=scheduled.pk)
    assert PersonalLink.objects.count() == 3
    # Removing a guest revokes her link at once; cancelling revokes the rest.
    events.scheduled_meeting_update(
        scheduled=scheduled, changed_by=personas.admin, member_ids=[leader.user.pk, personas.member.pk], guest_emails=[]
    )
    assert PersonalLink.objects.get(email="gerda@example.org").revoked_at is not None
    events.scheduled_meeting_cancel(scheduled=scheduled, cancelled_by=personas.admin)
    assert not PersonalLink.objects.filter(revoked_at__isnull=True).exists()
