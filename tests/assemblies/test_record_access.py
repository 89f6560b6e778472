"""Who opens the record for the minutes (page and CSV): the club's owners and admins and the room's hosts.

Plain members get 403, people of another club 404 (tenancy: clubs.tenancy via assemblies.views.assembly_view),
also when they name this club's assembly from their own club's URL.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from clubs.models import Membership
from tests.factories import MembershipFactory, RoomFactory, ScheduledMeetingFactory

pytestmark = pytest.mark.django_db

RECORD_PAGES = ("assemblies:record", "assemblies:record_csv")


@pytest.fixture
def voted(assembly, closed_vote, personas):
    closed_vote(assembly, title="Haushalt 2027", ballots={personas.member: "Ja"})
    return assembly


@pytest.mark.parametrize("page", RECORD_PAGES)
@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owners_and_admins_open_the_record(client, personas, voted, assembly_url, page, who):
    client.force_login(getattr(personas, who))
    response = client.get(assembly_url(page, voted))
    assert response.status_code == 200
    assert "Haushalt 2027" in response.content.decode()


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_an_owner_who_is_no_host_of_the_room_by_name_still_opens_it(client, personas, voted, assembly_url, page):
    other_host = MembershipFactory(club=personas.club)
    voted.scheduled_meeting.room.hosts.set([other_host])  # the room names someone else as its host
    client.force_login(personas.owner)
    assert client.get(assembly_url(page, voted)).status_code == 200


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_a_member_named_host_of_the_room_opens_it(client, personas, voted, assembly_url, page):
    voted.scheduled_meeting.room.hosts.add(Membership.objects.get(club=personas.club, user=personas.member))
    client.force_login(personas.member)
    assert client.get(assembly_url(page, voted)).status_code == 200


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_plain_members_are_refused(client, personas, voted, assembly_url, page):
    client.force_login(personas.member)
    response = client.get(assembly_url(page, voted))
    assert response.status_code == 403
    assert "Haushalt 2027" not in response.content.decode()


def test_plain_members_cannot_reach_the_chair_desk_either(client, personas, assembly, assembly_url):
    client.force_login(personas.member)
    assert client.get(assembly_url("assemblies:chair", assembly)).status_code == 403


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_the_owner_of_another_club_gets_404_for_this_clubs_record(client, personas, voted, assembly_url, page):
    client.force_login(personas.outsider)
    assert client.get(assembly_url(page, voted)).status_code == 404


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_another_clubs_assembly_cannot_be_reached_through_ones_own_club(client, personas, voted, page):
    """The outsider owns the other club; naming this club's assembly under their club's URL finds nothing."""
    client.force_login(personas.outsider)
    url = reverse(
        page, kwargs={"club_slug": personas.other_club.slug, "scheduled_meeting_id": voted.scheduled_meeting_id}
    )
    assert client.get(url).status_code == 404
    # ... while their own club's meeting of the same shape resolves (the 404 is the tenancy, not a typo).
    own = ScheduledMeetingFactory(room=RoomFactory(club=personas.other_club))
    url = reverse(page, kwargs={"club_slug": personas.other_club.slug, "scheduled_meeting_id": own.pk})
    assert client.get(url).status_code == 302  # not an assembly yet: to the chair's desk


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, voted, assembly_url, page):
    url = assembly_url(page, voted)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"
