"""Friendly German error pages (403, 404, 429, 500, 503), rendered through the real handlers."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ui.urls_errors")]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="de")


def test_403_page_says_the_role_is_not_enough(client: Client) -> None:
    response = client.get("/test/403/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Dafür fehlt Ihnen die Berechtigung" in text
    assert '<main id="main"' in text  # inside the site layout, with navigation and footer
    assert "Impressum" in text


def test_404_page_for_an_unknown_address_helps_with_room_links(client: Client) -> None:
    response = client.get("/diese-seite-gibt-es-nicht/")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.content.decode()
    assert "Raum-Link" in response.content.decode()


def test_404_raised_by_a_view_uses_the_same_page(client: Client) -> None:
    response = client.get("/test/404/")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.content.decode()


def test_500_page_is_rendered_without_database_or_context(client: Client) -> None:
    response = client.get("/test/500/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Es ist ein Fehler aufgetreten" in text
    assert 'lang="de"' in text


def test_429_page_says_how_long_to_wait_and_sends_retry_after(client: Client) -> None:
    response = client.get("/test/429/")
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    text = response.content.decode()
    assert "Zu viele Versuche" in text
    assert "etwa 5 Minuten" in text
    assert 'href="/zurueck/"' in text


def test_503_page_has_a_retry_button_that_repeats_the_post(client: Client) -> None:
    response = client.get("/test/503/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Der Dienst ist gerade nicht erreichbar" in text
    assert '<form method="post" action="/r/abc-def-ghi/starten/"' in text
    assert "Erneut versuchen" in text
    assert "csrfmiddlewaretoken" in text


def test_allauth_rate_limit_renders_our_429_page(client: Client, settings) -> None:
    from allauth.core.ratelimit import respond_429
    from django.test import RequestFactory

    request = RequestFactory().get("/konto/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.content.decode()


def test_error_pages_in_english_when_english_is_chosen(client: Client) -> None:
    client.cookies["django_language"] = "en"
    response = client.get("/diese-seite-gibt-es-nicht/")
    assert 'lang="en"' in response.content.decode()
