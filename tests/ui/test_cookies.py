"""Only strictly necessary cookies are set (sessionid, csrftoken, django_language, and hd_guest after a wrong
access code: rooms/access_codes.py) — the privacy page says so."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ALLOWED = {"sessionid", "csrftoken", "django_language"}


def test_a_visit_through_login_language_switch_and_logout_sets_only_the_listed_cookies(personas) -> None:
    client = Client(enforce_csrf_checks=False)
    seen: set[str] = set()

    def visit(response) -> None:
        seen.update(response.cookies.keys())

    visit(client.get("/"))
    visit(client.get(reverse("pages:privacy")))
    visit(client.get(reverse("account_login")))
    visit(client.post(reverse("account_login"), {"login": personas.owner.email, "password": "correct-horse-battery"}))
    visit(client.get(reverse("clubs:dashboard", kwargs={"club_slug": personas.club.slug})))
    visit(client.post(reverse("set_language"), {"language": "en", "next": "/"}))
    visit(client.get(reverse("accounts:profile")))
    visit(client.post(reverse("account_logout")))
    visit(client.get("/", follow=True))
    assert "sessionid" in seen and "csrftoken" in seen and "django_language" in seen
    assert seen <= ALLOWED, f"unexpected cookies: {seen - ALLOWED}"


def test_flash_messages_live_in_the_session_not_in_a_cookie(personas) -> None:
    client = Client()
    client.force_login(personas.owner)
    response = client.post(reverse("account_logout"))  # allauth adds "Sie haben sich abgemeldet."
    assert "messages" not in response.cookies
    follow = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert "messages" not in follow.cookies
    assert '<p class="message message-' in follow.content.decode()  # shown once, from the session
    assert list(get_messages(client.get("/").wsgi_request)) == []


def test_the_language_switch_is_stored_on_the_logged_in_user(personas) -> None:
    client = Client()
    client.force_login(personas.member)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    personas.member.refresh_from_db()
    assert personas.member.language == "en"
    # on another device (no language cookie) the stored choice applies
    other = Client()
    other.force_login(personas.member)
    response = other.get(reverse("accounts:profile"))
    assert '<html lang="en">' in response.content.decode()


def test_anonymous_language_switch_sets_only_the_cookie() -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
