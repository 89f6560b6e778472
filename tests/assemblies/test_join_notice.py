"""Attendance is announced on join: the room's pages say so while an assembly that records it runs there."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from assemblies.models import Assembly
from events.models import ScheduledMeeting
from rooms import personal_links
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db

NOTICE = "Anwesenheit wird erfasst"


def today(assembly: Assembly) -> Assembly:
    """The assembly's day has come: it starts in an hour."""
    start = timezone.now() + timedelta(hours=1)
    ScheduledMeeting.objects.filter(pk=assembly.scheduled_meeting_id).update(
        start_at=start, end_at=start + timedelta(hours=2)
    )
    return assembly


def public_page(client, room) -> str:
    return client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).content.decode()


def test_guests_and_members_read_on_the_room_page_that_attendance_is_recorded(client, personas, assembly, assembly_url):
    room = today(assembly).scheduled_meeting.room
    guest_page = public_page(client, room)
    assert NOTICE in guest_page and assembly_url("assemblies:detail", assembly) not in guest_page
    client.force_login(personas.member)
    member_page = public_page(client, room)
    assert NOTICE in member_page and assembly_url("assemblies:detail", assembly) in member_page  # where to vote
    detail = reverse("rooms:detail", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    assert NOTICE in client.get(detail).content.decode()


def test_a_personal_link_page_says_it_too(client, personas, assembly):
    room = today(assembly).scheduled_meeting.room
    link = personal_links.personal_link_create(
        room=room, actor=None, name="Mia Mitglied", expires_at=timezone.now() + timedelta(days=1)
    )
    page = client.get(urlsplit(personal_links.personal_link_url(link)).path).content.decode()
    assert "Persönliche Einladung für Mia Mitglied" in page and NOTICE in page


def test_no_notice_without_attendance_before_the_day_or_in_other_rooms(client, personas, assembly):
    room = assembly.scheduled_meeting.room
    assert NOTICE not in public_page(client, room)  # three weeks ahead
    today(assembly)
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=False)
    assert NOTICE not in public_page(client, room)
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=True)
    assert NOTICE in public_page(client, room)
    assert NOTICE not in public_page(client, RoomFactory(club=personas.club))


def test_the_room_page_during_an_assembly_costs_one_query_more(
    client, personas, assembly, django_assert_num_queries, settings
):
    """The notice is one query; the link for members reads the club's slug the room page loaded already."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as deployed (plain db: one more)
    room = today(assembly).scheduled_meeting.room
    # The room (with its open meeting: none), the servers' shared dial-in number, the next scheduled date,
    # the assembly in session.
    with django_assert_num_queries(4):
        assert NOTICE in public_page(client, room)
    client.force_login(personas.admin)
    public_page(client, room)  # the session is cached now
    with django_assert_num_queries(7):  # and the user, the membership, the navigation's memberships
        assert NOTICE in public_page(client, room)
