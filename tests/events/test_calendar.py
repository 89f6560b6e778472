"""The club's calendar page (upcoming, past with attendance) and the secret iCal feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clubs.models import AuditEntry
from events import calendar, services
from events.models import ScheduledMeeting
from events.occurrences import to_local
from meetings.models import Meeting
from tests.events.helpers import plan
from tests.factories import MeetingFactory, RoomFactory, ServerFactory


def _plan_at(personas, room, start, *, hours=2, title="Mitgliederversammlung", **kwargs):
    local = to_local(start).replace(second=0, microsecond=0)
    end = local + timedelta(hours=hours)
    return plan(
        club=personas.club,
        room=room,
        by=personas.admin,
        day=local.date(),
        start=local.time(),
        end=end.time() if end.date() == local.date() else local.time().replace(hour=23, minute=59),
        title=title,
        **kwargs,
    )


def _past_meeting(room, started, ended, peak, server):
    return MeetingFactory(
        room=room,
        server=server,
        status=Meeting.Status.ENDED,
        started_at=started,
        ended_at=ended,
        peak_participants=peak,
    )


def _noonish(days: int):
    local = to_local(timezone.now() + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)
    return local


def test_calendar_lists_upcoming_and_past_with_the_meetings_that_took_place(client, personas, room):
    server = ServerFactory()
    past_start = _noonish(-7)
    held = _plan_at(personas, room, past_start, title="Vorstandssitzung")
    _past_meeting(room, past_start - timedelta(minutes=10), past_start + timedelta(minutes=95), 17, server)
    _past_meeting(room, past_start - timedelta(days=2), past_start - timedelta(days=2, hours=-1), 99, server)
    missed = _plan_at(personas, room, _noonish(-3), title="Ausgefallene Sitzung")
    coming = _plan_at(personas, room, _noonish(5), title="Jahreshauptversammlung")

    client.force_login(personas.member)
    response = client.get(reverse("events:calendar", kwargs={"club_slug": personas.club.slug}))
    assert response.status_code == 200
    upcoming = response.context["upcoming"]
    past = response.context["past"]
    assert [o.scheduled for o in upcoming] == [coming]
    assert [p.occurrence.scheduled for p in past] == [missed, held]
    assert past[0].took_place is False
    assert past[1].took_place is True and past[1].peak_participants == 17
    text = response.content.decode()
    assert "Jahreshauptversammlung" in text and "Vorstandssitzung" in text
    assert "Keine Besprechung in diesem Raum" in text
    assert "Termin planen" not in text  # members do not plan


def test_another_rooms_meeting_does_not_count_as_attendance(personas, room):
    server = ServerFactory()
    other_room = RoomFactory(club=personas.club)
    start = _noonish(-2)
    _plan_at(personas, room, start)
    _past_meeting(other_room, start, start + timedelta(hours=1), 8, server)
    past = calendar.club_calendar(club=personas.club).past
    assert past[0].took_place is False


def _fill(personas, rooms, count, server):
    for i in range(count):
        room = rooms[i % len(rooms)]
        start = _noonish(-(i % 20) - 1) + timedelta(minutes=i)
        _plan_at(personas, room, start, hours=1, title=f"Kurs {i}")
        _past_meeting(room, start, start + timedelta(minutes=50), i, server)
        _plan_at(personas, room, _noonish(i % 20 + 1), hours=1, title=f"Bald {i}")
    _plan_at(personas, rooms[0], _noonish(-30), hours=1, recurrence=ScheduledMeeting.Recurrence.WEEKLY, title="Chor")


@pytest.mark.parametrize("count", [2, 20])
def test_calendar_page_needs_the_same_queries_at_any_size(client, personas, count, django_assert_max_num_queries):
    server = ServerFactory()
    rooms = [RoomFactory(club=personas.club) for _ in range(3)]
    _fill(personas, rooms, count, server)
    client.force_login(personas.member)
    url = reverse("events:calendar", kwargs={"club_slug": personas.club.slug})
    # session + user + membership, scheduled meetings, meetings; the rest is navigation chrome.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["past"]) >= count
    assert sum(p.took_place for p in response.context["past"]) >= count


def test_detail_page_shows_invitees_only_to_those_who_plan(client, personas, room):
    scheduled = _plan_at(personas, room, _noonish(4), guest_emails=["gast@example.org"])
    url = reverse("events:detail", kwargs={"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk})
    client.force_login(personas.member)
    text = client.get(url).content.decode()
    assert "Mitgliederversammlung" in text and "gast@example.org" not in text
    client.force_login(personas.admin)
    text = client.get(url).content.decode()
    assert "gast@example.org" in text and "482913" in text


def _feed_url(club):
    return reverse("events:feed", kwargs={"calendar_token": club.calendar_token})


def test_feed_lists_the_clubs_meetings_for_whoever_has_the_secret_url(client, personas, room):
    coming = _plan_at(personas, room, _noonish(3), title="Jahreshauptversammlung")
    cancelled = _plan_at(personas, room, _noonish(4), title="Abgesagter Termin")
    services.scheduled_meeting_cancel(scheduled=cancelled, cancelled_by=personas.admin)
    other_room = RoomFactory(club=personas.other_club)
    other = plan(
        club=personas.other_club,
        room=other_room,
        by=personas.outsider,
        day=_noonish(3).date(),
        title="Fremder Termin",
    )

    response = client.get(_feed_url(personas.club))  # anonymous: the URL is the secret
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [coming.uid]
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == personas.club.name
    assert f"/r/{room.friendly_id}/" in str(events[0]["URL"])
    assert room.viewer_code not in response.content.decode()  # codes stay in the invitation emails

    other_cal = Calendar.from_ical(client.get(_feed_url(personas.other_club)).content)
    assert [str(e["UID"]) for e in other_cal.walk("VEVENT")] == [other.uid]


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("events:feed", kwargs={"calendar_token": "nicht-geheim"})).status_code == 404


def test_regenerating_the_token_kills_the_old_url(client, personas, room):
    old_url = _feed_url(personas.club)
    url = reverse("events:feed_regenerate", kwargs={"club_slug": personas.club.slug})
    client.force_login(personas.member)
    assert client.post(url).status_code == 403
    client.force_login(personas.admin)
    assert client.get(url).status_code == 200  # the confirmation page changes nothing
    assert client.get(old_url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    personas.club.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(_feed_url(personas.club)).status_code == 200
    assert AuditEntry.objects.filter(action="club.calendar_token_regenerate", actor=personas.admin).exists()


def test_feed_of_a_closed_club_is_404(client, personas):
    personas.club.status = "closed"
    personas.club.save()
    assert client.get(_feed_url(personas.club)).status_code == 404
