"""Server actions: test connection (BBB's version endpoint), drain and enable."""

from __future__ import annotations

from clubs.models import AuditEntry
from meetings.models import Server
from tests.admin.conftest import messages_of, run_action
from tests.factories import ServerFactory


def test_test_connection_shows_the_api_version_the_server_answers(staff_client, bbb_server, sim):
    response = run_action(staff_client, "meetings_server", "test_connection", [bbb_server.pk])
    assert response.status_code == 200
    assert messages_of(response) == ["bbb-sim antwortet: API-Version 2.0"]
    # A signed call proves the secret, the unsigned version call names the version.
    assert dict(sim.calls) == {"isMeetingRunning": 1, "apiVersion": 1}


def test_test_connection_with_a_wrong_secret_says_so(staff_client, bbb_server, sim):
    """Issue 14 bug 6: the unsigned version call answered "OK" for any secret."""
    Server.objects.filter(pk=bbb_server.pk).update(secret="not-the-secret-of-this-server")
    response = run_action(staff_client, "meetings_server", "test_connection", [bbb_server.pk])
    [message] = messages_of(response)
    assert "lehnt das gemeinsame Geheimnis oder das Prüfsummen-Verfahren ab" in message


def test_test_connection_with_an_algorithm_the_server_refuses_says_so(staff_client, bbb_server, sim):
    sim.configure(supported_checksum_algorithms="sha1")
    response = run_action(staff_client, "meetings_server", "test_connection", [bbb_server.pk])
    [message] = messages_of(response)
    assert "Prüfsummen-Verfahren ab" in message


def test_test_connection_shows_the_error_when_bbb_is_down(staff_client, bbb_server, sim):
    sim.configure(down=True)
    response = run_action(staff_client, "meetings_server", "test_connection", [bbb_server.pk])
    [message] = messages_of(response)
    assert message.startswith("bbb-sim: BBB-Server nicht erreichbar")
    bbb_server.refresh_from_db()
    assert bbb_server.enabled and bbb_server.healthy  # a test changes nothing


def test_test_connection_with_a_wrong_api_url_is_reported(staff_client, bbb_server, sim):
    Server.objects.filter(pk=bbb_server.pk).update(api_url=f"{sim.base_url}/no-such-path/")
    response = run_action(staff_client, "meetings_server", "test_connection", [bbb_server.pk])
    [message] = messages_of(response)
    assert "nicht erreichbar" in message or "abgelehnt" in message


def test_drain_stops_new_meetings_and_is_audited(staff_client, staff):
    server, other = ServerFactory(name="bbb-a"), ServerFactory(name="bbb-b")
    response = run_action(staff_client, "meetings_server", "drain", [server.pk])
    server.refresh_from_db()
    other.refresh_from_db()
    assert server.enabled is False and other.enabled is True
    assert "Für neue Besprechungen gesperrt: bbb-a" in messages_of(response)[0]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_label) == ("server.drain", staff, "bbb-a")


def test_enable_allows_new_meetings_again_and_is_audited(staff_client, staff):
    server = ServerFactory(name="bbb-a", enabled=False)
    already = ServerFactory(name="bbb-b", enabled=True)
    response = run_action(staff_client, "meetings_server", "enable", [server.pk, already.pk])
    server.refresh_from_db()
    assert server.enabled is True
    assert messages_of(response) == ["Für neue Besprechungen freigegeben: bbb-a."]
    assert list(AuditEntry.objects.values_list("action", "target_label")) == [("server.enable", "bbb-a")]


def test_server_list_shows_health_load_and_failures(staff_client):
    ServerFactory(name="bbb-krank", healthy=False, consecutive_failures=4, last_error="ConnectTimeout")
    ServerFactory(name="bbb-gesund", load=150, capacity=300)
    response = staff_client.get("/admin/meetings/server/")
    html = response.content.decode()
    assert "Nicht erreichbar" in html and "ConnectTimeout" in html
    assert "150 / 300 (50 %)" in html


def test_server_secret_is_not_shown_in_clear_text_on_the_list(staff_client):
    ServerFactory(name="bbb-a", secret="very-secret-value")
    assert "very-secret-value" not in staff_client.get("/admin/meetings/server/").content.decode()


def _start(room_name: str, sim):
    from meetings.models import Meeting
    from rooms.services import meeting_start
    from tests.factories import RoomFactory

    room = RoomFactory(name=room_name)
    meeting_start(room=room, actor=None, display_name="Vera Vorstand")
    return Meeting.objects.get(room=room)


def test_sync_now_polls_bbb_once_and_applies_the_answer(staff_client, bbb_server, sim):
    from meetings.bbb_clients import client_for

    meeting = _start("Vorstandssitzung", sim)
    sim.add_attendees(meeting.meeting_id, 3)
    client_for(bbb_server).create("fremde-besprechung", "Fremd")
    calls_before = sim.calls["getMeetings"]
    response = run_action(staff_client, "meetings_server", "sync_now", [bbb_server.pk])
    assert messages_of(response) == [
        "bbb-sim: abgeglichen – 1 eigene und 1 fremde Besprechungen, 3 Teilnehmende, 0 als beendet erkannt."
    ]
    assert sim.calls["getMeetings"] == calls_before + 1
    meeting.refresh_from_db()
    bbb_server.refresh_from_db()
    assert meeting.participant_count == 3 and meeting.ended_at is None
    assert (bbb_server.meeting_count, bbb_server.foreign_meeting_count) == (2, 1)  # the load counts both
    assert bbb_server.last_success_at is not None and bbb_server.consecutive_failures == 0


def test_sync_now_ends_meetings_bbb_no_longer_lists(staff_client, bbb_server, sim, settings):
    from meetings.bbb_clients import client_for

    settings.SYNC_GRACE_SECONDS = 0  # the sync spares meetings younger than this
    meeting = _start("Jugendabteilung", sim)
    client_for(bbb_server).end(meeting.meeting_id)
    sim.advance(1)  # bbb-web's `end` is asynchronous: gone from getMeetings once akka-apps ended it
    response = run_action(staff_client, "meetings_server", "sync_now", [bbb_server.pk])
    assert "1 als beendet erkannt" in messages_of(response)[0]
    meeting.refresh_from_db()
    assert meeting.ended_at is not None


def test_sync_now_while_bbb_is_down_ends_nothing_and_counts_the_failure(staff_client, bbb_server, sim):
    meeting = _start("Vorstandssitzung", sim)
    sim.configure(down=True)
    response = run_action(staff_client, "meetings_server", "sync_now", [bbb_server.pk])
    [message] = messages_of(response)
    assert message.startswith("bbb-sim: Abgleich fehlgeschlagen (") and message.endswith("Es wurde nichts beendet.")
    meeting.refresh_from_db()
    bbb_server.refresh_from_db()
    assert meeting.ended_at is None
    assert bbb_server.consecutive_failures == 1 and bbb_server.last_error
