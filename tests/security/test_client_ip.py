"""Finding 1: every rate limit counts the real client, not the reverse proxy in front of gunicorn."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from herzdigital.client_ip import client_address
from tests.factories import UserFactory

PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = [PROXY]
    return settings


def _request(remote: str = PROXY, **headers: str):
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_the_address_the_proxy_appended_is_the_client(behind_proxy):
    assert client_address(_request(**{"X-Forwarded-For": "203.0.113.7"})) == "203.0.113.7"


def test_addresses_the_client_put_in_front_are_ignored(behind_proxy):
    request = _request(**{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert client_address(request) == "203.0.113.7"


def test_a_client_reaching_gunicorn_directly_cannot_forge_the_header(behind_proxy):
    request = _request(remote="192.0.2.50", **{"X-Forwarded-For": "203.0.113.7"})
    assert client_address(request) == "192.0.2.50"


def test_without_configured_proxies_the_header_is_never_believed(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(**{"X-Forwarded-For": "203.0.113.7"})) == PROXY


def test_a_configured_client_ip_header_replaces_x_forwarded_for(behind_proxy):
    behind_proxy.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = _request(**{"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "198.51.100.1"})
    assert client_address(request) == "203.0.113.9"


def test_ipv6_addresses_count_by_their_64_network(behind_proxy):
    one = client_address(_request(**{"X-Forwarded-For": "2001:db8:1:2:aaaa::1"}))
    other = client_address(_request(**{"X-Forwarded-For": "2001:db8:1:2:bbbb::2"}))
    neighbour = client_address(_request(**{"X-Forwarded-For": "2001:db8:1:3::1"}))
    assert one == other == "2001:db8:1:2::"
    assert neighbour != one


def test_ipv4_mapped_ipv6_peer_is_the_ipv4_address(settings):
    assert client_address(_request(remote="::ffff:192.0.2.5")) == "192.0.2.5"


def _failed_logins(client, xff: str, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        client.post(
            reverse("account_login"),
            {"login": f"fremd{n}@example.org", "password": "falsch"},
            REMOTE_ADDR=PROXY,
            headers={"X-Forwarded-For": xff},
        )


def _login(client, xff: str):
    return client.post(
        reverse("account_login"),
        {"login": "inhaberin@example.org", "password": "correct-horse-battery"},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": xff},
    )


def test_strangers_failed_logins_behind_the_proxy_do_not_lock_out_the_owner(behind_proxy, db, client):
    UserFactory(email="inhaberin@example.org")
    _failed_logins(client, "198.51.100.66", 6)
    assert _login(client, "198.51.100.66").status_code != 302  # the stranger's address is limited
    client.logout()
    assert _login(client, "203.0.113.10").status_code == 302  # the owner, elsewhere, is not


def test_login_limit_ignores_forged_addresses_in_front(behind_proxy, db, client):
    UserFactory(email="inhaberin@example.org")
    for n in range(6):
        _failed_logins(client, f"10.0.0.{n}, 198.51.100.66", 1, start=n)
    assert _login(client, "1.2.3.4, 198.51.100.66").status_code != 302


def test_a_client_bypassing_the_proxy_cannot_escape_the_limit_by_forging_the_header(behind_proxy, db, client):
    UserFactory(email="inhaberin@example.org")
    for n in range(6):
        client.post(
            reverse("account_login"),
            {"login": f"fremd{n}@example.org", "password": "falsch"},
            REMOTE_ADDR="192.0.2.50",
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        )
    response = client.post(
        reverse("account_login"),
        {"login": "inhaberin@example.org", "password": "correct-horse-battery"},
        REMOTE_ADDR="192.0.2.50",
        headers={"X-Forwarded-For": "10.0.0.99"},
    )
    assert response.status_code != 302


def test_the_proxy_settings_come_from_the_environment():
    import subprocess
    import sys

    from tests.processes import ROOT

    code = (
        "from django.conf import settings as s;"
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER, s.TRUSTED_PROXY_IPS)"
    )
    env = {"TRUSTED_PROXY_COUNT": "2", "TRUSTED_CLIENT_IP_HEADER": "X-Real-IP", "TRUSTED_PROXY_IPS": "10.1.0.0/16"}
    import os

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["2", "X-Real-IP", "['10.1.0.0/16']"], result.stderr
