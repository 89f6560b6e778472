"""Server actions: test connection (BBB's version endpoint), drain and enable."""

from __future__ import annotations

from clubs.models import AuditEntry
from rooms.models import Server
from tests.admin.conftest import messages_of, run_action
from tests.factories import ServerFactory


def test_test_connection_shows_the_api_version_the_server_answers(staff_client, bbb_server, sim):
    response = run_action(staff_client, "rooms_server", "test_connection", [bbb_server.pk])
    assert response.status_code == 200
    assert messages_of(response) == ["bbb-sim antwortet: API-Version 2.0"]
    assert sum(sim.calls.values()) == 1  # exactly one call: the version endpoint


def test_test_connection_shows_the_error_when_bbb_is_down(staff_client, bbb_server, sim):
    sim.configure(down=True)
    response = run_action(staff_client, "rooms_server", "test_connection", [bbb_server.pk])
    [message] = messages_of(response)
    assert message.startswith("bbb-sim: BBB-Server nicht erreichbar")
    bbb_server.refresh_from_db()
    assert bbb_server.enabled and bbb_server.healthy  # a test changes nothing


def test_test_connection_with_a_wrong_api_url_is_reported(staff_client, bbb_server, sim):
    Server.objects.filter(pk=bbb_server.pk).update(api_url=f"{sim.base_url}/no-such-path/")
    response = run_action(staff_client, "rooms_server", "test_connection", [bbb_server.pk])
    [message] = messages_of(response)
    assert "nicht erreichbar" in message or "abgelehnt" in message


def test_drain_stops_new_meetings_and_is_audited(staff_client, staff):
    server, other = ServerFactory(name="bbb-a"), ServerFactory(name="bbb-b")
    response = run_action(staff_client, "rooms_server", "drain", [server.pk])
    server.refresh_from_db()
    other.refresh_from_db()
    assert server.enabled is False and other.enabled is True
    assert "Für neue Besprechungen gesperrt: bbb-a" in messages_of(response)[0]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_label) == ("server.drain", staff, "bbb-a")


def test_enable_allows_new_meetings_again_and_is_audited(staff_client, staff):
    server = ServerFactory(name="bbb-a", enabled=False)
    already = ServerFactory(name="bbb-b", enabled=True)
    response = run_action(staff_client, "rooms_server", "enable", [server.pk, already.pk])
    server.refresh_from_db()
    assert server.enabled is True
    assert messages_of(response) == ["Für neue Besprechungen freigegeben: bbb-a."]
    assert list(AuditEntry.objects.values_list("action", "target_label")) == [("server.enable", "bbb-a")]


def test_server_list_shows_health_load_and_failures(staff_client):
    ServerFactory(name="bbb-krank", healthy=False, consecutive_failures=4, last_error="ConnectTimeout")
    ServerFactory(name="bbb-gesund", load=150, capacity=300)
    response = staff_client.get("/admin/rooms/server/")
    html = response.content.decode()
    assert "Nicht erreichbar" in html and "ConnectTimeout" in html
    assert "150 / 300 (50 %)" in html


def test_server_secret_is_not_shown_in_clear_text_on_the_list(staff_client):
    ServerFactory(name="bbb-a", secret="very-secret-value")
    assert "very-secret-value" not in staff_client.get("/admin/rooms/server/").content.decode()
