"""The room page's "next scheduled meeting" and what guests who arrive early see."""

from __future__ import annotations

from datetime import timedelta

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from events import calendar, services
from events.models import ScheduledMeeting
from events.occurrences import local_to_utc, to_local
from tests.events.helpers import plan
from tests.factories import RoomFactory


def _plan(personas, room, start, *, minutes=60, **kwargs):
    local = to_local(start).replace(second=0, microsecond=0)
    end = local + timedelta(minutes=minutes)
    return plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=local.date(),
        start=local.time(),
        end=end.time(),
        **kwargs,
    )


def _noon(days):
    local = to_local(timezone.now() + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)
    return local_to_utc(local.date(), local.time())


def test_the_nearest_occurrence_of_the_room_is_next(personas, room, django_assert_num_queries):
    later = _plan(personas, room, _noon(9), title="Später")
    soon = _plan(personas, room, _noon(2), title="Bald")
    cancelled = _plan(personas, room, _noon(1), title="Abgesagt")
    services.scheduled_meeting_cancel(scheduled=cancelled, cancelled_by=personas.admin)
    _plan(personas, RoomFactory(club=personas.club), _noon(1), title="Anderer Raum")
    with django_assert_num_queries(1):
        found = calendar.next_occurrence_for_room(room)
    assert found.scheduled == soon
    assert later.pk != soon.pk


def test_a_weekly_series_offers_its_next_date_and_a_running_one_counts(personas, room):
    first = _noon(-14)
    series = _plan(personas, room, first, recurrence=ScheduledMeeting.Recurrence.WEEKLY)
    now = _noon(0) + timedelta(minutes=10)
    found = calendar.next_occurrence_for_room(room, now=now)
    assert found.scheduled == series
    assert found.start == _noon(0) and found.is_running(now)


def test_nothing_when_nothing_is_planned(personas, room):
    _plan(personas, room, _noon(-3))
    assert calendar.next_occurrence_for_room(room) is None


def _render(room):
    return Template('{% include "events/includes/next_event.html" with room=room %}').render(Context({"room": room}))


def test_early_guests_see_when_it_starts(personas, room):
    _plan(personas, room, _noon(3), title="Jahreshauptversammlung")
    html = _render(room)
    assert "Nächster geplanter Termin" in html
    assert "Jahreshauptversammlung" in html
    assert "Bis zum Beginn: 2" in html or "Bis zum Beginn: 3" in html
    assert "12:00" in html


def test_include_renders_nothing_without_a_plan(personas, room):
    assert _render(room).strip() == ""


def test_the_public_room_page_tells_early_guests_when_the_meeting_starts(client, personas, room):
    _plan(personas, room, _noon(2), title="Jahreshauptversammlung")
    response = client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id}))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Nächster geplanter Termin" in text and "Bis zum Beginn:" in text
    # the room has a guest code: the title only after it (tests/security/test_public_room.py)
    assert "Jahreshauptversammlung" not in text


def test_the_club_room_page_shows_the_next_meeting(client, personas, room):
    _plan(personas, room, _noon(2), title="Vorstandssitzung")
    client.force_login(personas.member)
    response = client.get(reverse("rooms:detail", kwargs={"club_slug": personas.club.slug, "room_id": room.pk}))
    assert response.status_code == 200
    assert "Vorstandssitzung" in response.content.decode()
