"""Finding 5 (first half): the BBB shared secret is write-only in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from meetings.models import Server
from tests.admin.conftest import add_totp, login_with_mfa
from tests.factories import ServerFactory, UserFactory

SECRET = "s3cr3t-value-from-bbb-conf-8d7f6e5a4b3c2d1e"


@pytest.fixture
def server(db):
    return ServerFactory(name="bbb-a", secret=SECRET)


def _form_data(server: Server, **overrides: str) -> dict[str, str]:
    data = {
        "name": server.name,
        "kind": server.kind,
        "api_url": server.api_url,
        "secret": "",
        "checksum_algorithm": server.checksum_algorithm,
        "enabled": "on",
        "capacity": str(server.capacity),
    }
    data.update(overrides)
    return data


def test_the_change_form_never_renders_the_secret(staff_client, server):
    page = staff_client.get(reverse("admin:meetings_server_change", args=[server.pk])).content.decode()
    assert 'name="secret"' in page
    assert SECRET not in page


def test_saving_without_a_new_secret_keeps_the_old_one(staff_client, server):
    url = reverse("admin:meetings_server_change", args=[server.pk])
    response = staff_client.post(url, _form_data(server, name="bbb-umbenannt"))
    assert response.status_code == 302, response.content.decode()[:3000]
    server.refresh_from_db()
    assert (server.name, server.secret) == ("bbb-umbenannt", SECRET)


def test_a_new_secret_replaces_the_old_one(staff_client, server):
    url = reverse("admin:meetings_server_change", args=[server.pk])
    staff_client.post(url, _form_data(server, secret="neues-geheimnis"))
    server.refresh_from_db()
    assert server.secret == "neues-geheimnis"


def test_a_new_server_needs_a_secret(staff_client, db):
    data = {"name": "bbb-neu", "kind": "bbb", "api_url": "https://bbb.example.org/bigbluebutton/api/", "secret": ""}
    data.update({"checksum_algorithm": "sha256", "enabled": "on", "capacity": "100"})
    response = staff_client.post(reverse("admin:meetings_server_add"), data)
    assert response.status_code == 200
    assert not Server.objects.filter(name="bbb-neu").exists()


def test_view_only_staff_do_not_see_the_secret(server):
    viewer = UserFactory(is_staff=True, email="lesen@herzdigital.example")
    viewer.user_permissions.add(Permission.objects.get(codename="view_server"))
    secret = add_totp(viewer)
    client = Client()
    login_with_mfa(client, viewer, secret)
    response = client.get(reverse("admin:meetings_server_change", args=[server.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "bbb-a" in page
    assert SECRET not in page
