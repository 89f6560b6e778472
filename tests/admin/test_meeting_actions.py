"""Ending meetings from the admin: on BBB first (simulator), then in the database, audited."""

from __future__ import annotations

import pytest

from clubs.models import AuditEntry
from meetings.models import Meeting
from rooms.services import meeting_start
from tests.admin.conftest import messages_of, run_action
from tests.factories import MeetingFactory, RoomFactory


@pytest.fixture
def running(bbb_server, sim, staff):
    """A meeting started the normal way: created on the simulator and recorded here."""
    room = RoomFactory(name="Vorstandssitzung")
    meeting_start(room=room, actor=None, display_name="Vera Vorstand")
    sim.add_attendees(room.meeting_id, 2)
    meeting = Meeting.objects.get(room=room)
    assert sim.meetings[room.meeting_id].running or room.meeting_id in sim.meetings
    return meeting


def test_end_meeting_ends_it_on_bbb_and_here_and_audits(staff_client, staff, running, sim):
    response = run_action(staff_client, "meetings_meeting", "end_meeting", [running.pk], apply="1")
    assert messages_of(response) == ["Beendet: Vorstandssitzung."]
    assert sim.calls["end"] == 1
    sim.advance(1)  # bbb-web's `end` is asynchronous: the meeting goes once akka-apps reports it ended
    assert running.meeting_id not in sim.meetings
    running.refresh_from_db()
    assert running.ended_at is not None and running.status == Meeting.Status.ENDED
    entry = AuditEntry.objects.get(action="meeting.end")
    assert (entry.actor, entry.target_id) == (staff, str(running.pk))


def test_end_meeting_while_bbb_is_down_changes_nothing_and_says_so(staff_client, running, sim):
    sim.configure(down=True)
    response = run_action(staff_client, "meetings_meeting", "end_meeting", [running.pk], apply="1")
    [message] = messages_of(response)
    assert message.startswith("Nicht beendet, BBB hat nicht geantwortet: Vorstandssitzung")
    running.refresh_from_db()
    assert running.ended_at is None
    assert not AuditEntry.objects.filter(action="meeting.end").exists()
    sim.configure(down=False)
    assert sim.meetings[running.meeting_id].running


def test_end_meeting_first_asks_for_confirmation_and_ends_nothing(staff_client, running, sim):
    """Issue 16, item 10: the action lists the meeting and waits for "Ja, für alle beenden"."""
    response = run_action(staff_client, "meetings_meeting", "end_meeting", [running.pk])
    assert response.templates[0].name == "admin/meetings/meeting/end_confirm.html"
    html = response.content.decode()
    assert str(running.room) in html and 'value="Ja, für alle beenden"' in html
    running.refresh_from_db()
    assert running.ended_at is None and sim.calls["end"] == 0


def test_end_meeting_on_an_ended_meeting_does_nothing(staff_client, bbb_server, sim):
    from django.utils import timezone

    ended = MeetingFactory(server=bbb_server, ended_at=timezone.now(), status=Meeting.Status.ENDED)
    response = run_action(staff_client, "meetings_meeting", "end_meeting", [ended.pk])
    assert messages_of(response) == ["Keine der ausgewählten Besprechungen läuft."]
    assert sim.calls["end"] == 0


def test_end_meeting_from_the_room_list(staff_client, running, sim):
    response = run_action(staff_client, "rooms_room", "end_running_meeting", [running.room_id], apply="1")
    assert messages_of(response) == ["Beendet: Vorstandssitzung."]
    assert sim.calls["end"] == 1


def test_meeting_list_shows_running_meetings_first(staff_client, bbb_server):
    from django.utils import timezone

    ended = MeetingFactory(server=bbb_server, ended_at=timezone.now(), status=Meeting.Status.ENDED)
    running = MeetingFactory(server=bbb_server)
    later_ended = MeetingFactory(server=bbb_server, ended_at=timezone.now(), status=Meeting.Status.ENDED)
    response = staff_client.get("/admin/meetings/meeting/")
    assert [m.pk for m in response.context["cl"].result_list] == [running.pk, later_ended.pk, ended.pk]
