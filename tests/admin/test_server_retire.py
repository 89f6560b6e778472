"""Staff console: retiring a server, the warning before deleting one with recordings, pools and maintenance."""

from __future__ import annotations

from django.urls import reverse

from meetings.models import Server
from tests.admin.conftest import messages_of, run_action
from tests.factories import RecordingFactory, ServerFactory


def test_deleting_a_server_with_recordings_warns_and_suggests_retiring(staff_client, db):
    server = ServerFactory(name="alt")
    RecordingFactory.create_batch(3, server=server)
    response = staff_client.get(reverse("admin:meetings_server_delete", args=[server.pk]))
    text = " ".join(messages_of(response))
    assert "noch 3 Aufzeichnungen" in text
    assert "stattdessen still" in text
    assert Server.objects.filter(pk=server.pk).exists()


def test_deleting_a_server_without_recordings_shows_no_warning(staff_client, db):
    server = ServerFactory(name="leer")
    response = staff_client.get(reverse("admin:meetings_server_delete", args=[server.pk]))
    assert response.status_code == 200
    assert not any("Aufzeichnungen" in m for m in messages_of(response))


def test_retire_action_marks_the_server_retired_and_shows_it(staff_client, db):
    server = ServerFactory(name="alt")
    response = run_action(staff_client, "meetings_server", "retire", [server.pk])
    server.refresh_from_db()
    assert server.retired and not server.enabled
    assert any("stillgelegt" in m for m in messages_of(response))
    changelist = staff_client.get(reverse("admin:meetings_server_changelist")).content.decode()
    assert "Stillgelegt" in changelist


def test_staff_set_pools_and_a_maintenance_window_in_the_server_form(staff_client, db):
    server = ServerFactory(name="gross-1")
    url = reverse("admin:meetings_server_change", args=[server.pk])
    data = {
        "name": "gross-1",
        "kind": "bbb",
        "api_url": server.api_url,
        "secret": server.secret,
        "checksum_algorithm": "sha256",
        "enabled": "on",
        "capacity": "800",
        "tags": "gross",
        "maintenance_starts_at_0": "2027-01-09",
        "maintenance_starts_at_1": "08:00",
        "maintenance_ends_at_0": "2027-01-09",
        "maintenance_ends_at_1": "10:00",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    server.refresh_from_db()
    assert server.tag_list == ["gross"]
    assert server.maintenance_starts_at.isoformat() == "2027-01-09T07:00:00+00:00"


def test_staff_write_the_maintenance_banner_in_the_admin_and_every_page_shows_it(staff_client, client, db):
    from operations.models import MaintenanceNotice

    response = staff_client.post(
        reverse("admin:operations_maintenancenotice_add"),
        {
            "text": "Heute Abend Wartung der Videoserver.",
            "shows_from_0": "2020-01-01",
            "shows_from_1": "00:00",
            "shows_until_0": "2099-01-01",
            "shows_until_1": "00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MaintenanceNotice.objects.count() == 1
    assert "Heute Abend Wartung der Videoserver." in client.get(reverse("home")).content.decode()
    changelist = staff_client.get(reverse("admin:operations_maintenancenotice_changelist")).content.decode()
    assert "Heute Abend Wartung" in changelist


def test_a_notice_must_end_after_it_starts(staff_client, db):
    response = staff_client.post(
        reverse("admin:operations_maintenancenotice_add"),
        {
            "text": "x",
            "shows_from_0": "2030-01-02",
            "shows_from_1": "00:00",
            "shows_until_0": "2030-01-01",
            "shows_until_1": "00:00",
        },
    )
    assert response.status_code == 200
    from operations.models import MaintenanceNotice

    assert not MaintenanceNotice.objects.exists()
