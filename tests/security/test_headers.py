"""Finding 12: Content-Security-Policy, no caching of personal pages, throttled password check."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory
from tests.processes import ROOT

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+=\"", re.I)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_sends_a_strict_content_security_policy(db, client):
    policy = _policy(client.get(reverse("home")))
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html")))
def test_no_template_has_inline_script_style_or_event_handler(path):
    text = (ROOT / path).read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js/"
    assert not INLINE_STYLE.search(text), "inline style: move it to static/css/"
    assert not EVENT_HANDLER.search(text), "inline event handler: bind it in static/js/"


def test_htmx_does_not_inject_its_inline_indicator_style(db, client):
    page = client.get(reverse("home")).content.decode()
    assert '"includeIndicatorStyles":false' in page.replace(" ", "")


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:export", "accounts:delete"])
def test_personal_pages_and_exports_are_never_stored(db, client, name):
    client.force_login(UserFactory())
    response = client.get(reverse(name))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_public_pages_of_anonymous_visitors_stay_cacheable(db, client):
    assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")


def test_the_password_check_of_the_delete_form_is_throttled(db, client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(5):
        assert client.post(reverse("accounts:delete"), {"password": "geraten"}).status_code == 200
    response = client.post(reverse("accounts:delete"), {"password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.content.decode()
    user.refresh_from_db()  # still there: the right password after the limit did not delete it
