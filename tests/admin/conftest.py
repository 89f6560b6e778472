"""Fixtures for the staff console: a logged-in staff client (password + TOTP) and a BBB simulator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bbb.simulator import Simulator, serve_in_thread
from meetings.bbb_clients import clients_reset
from meetings.models import Server
from tests.factories import ServerFactory, UserFactory

PASSWORD = "correct-horse-battery"
SIM_SECRET = "admin-tests-simulator-secret"


def totp_code(secret: str) -> str:
    """The current TOTP code, as an authenticator app would show it.

    allauth accepts only the current 30-second window (no tolerance): near its end, wait for the
    next one, so that the code is still valid when the server checks it.
    """
    now = time.time()
    if 30 - now % 30 < 3:
        time.sleep(30 - now % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def add_totp(user) -> str:
    """Give ``user`` a TOTP authenticator through allauth's MFA API; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def login_with_mfa(client: Client, user, secret: str) -> None:
    """Log in the way staff do: allauth's login form, then the TOTP code."""
    cache.clear()  # allauth's rate limits and used-code markers live in the cache
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:2000]
    assert response["Location"] == reverse("mfa_authenticate"), response["Location"]
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:2000]
    client.get(reverse("admin:index"))  # shows (and so consumes) the "logged in" message


@pytest.fixture
def staff(db):
    user = UserFactory(is_staff=True, is_superuser=True, email="staff@herzdigital.example", name="Sabine Staff")
    user.totp_secret = add_totp(user)
    return user


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    login_with_mfa(client, staff, staff.totp_secret)
    return client


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(secret=SIM_SECRET, recording_delay=0)
    server, url = serve_in_thread(simulator, host="127.0.0.1", port=0)
    simulator.base_url = url
    yield simulator
    server.shutdown()
    server.server_close()
    simulator.reset()
    clients_reset()


@pytest.fixture
def bbb_server(db, sim) -> Server:
    return ServerFactory(name="bbb-sim", api_url=f"{sim.base_url}/bigbluebutton/api/", secret=SIM_SECRET)


def run_action(client: Client, model: str, action: str, pks: list[int], **extra: str):
    """POST an admin action on the changelist of ``model`` ("app_model"), following redirects."""
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], **extra}
    return client.post(reverse(f"admin:{model}_changelist"), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
