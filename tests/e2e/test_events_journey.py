"""Browser journey: a club admin schedules a meeting, the invitation email's link opens the room page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import ScheduledMeeting
from tests.conftest import require_service
from tests.factories import RoomFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    require_service(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev requirements pin it
        require_service(False, "Playwright for Python")
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM synchronously.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # ORM calls made while Playwright's loop ran may hold their own connection: close them all.
            connections.close_all()


@pytest.fixture
def eager_tasks():
    from herzdigital.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def _logged_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def test_schedule_invite_and_open_the_room_from_the_email(browser, live_server, personas, settings, eager_tasks):
    settings.SITE_URL = live_server.url
    room = RoomFactory(club=personas.club, name="Vereinsheim online", viewer_code="735108")
    day = (timezone.now() + timedelta(days=10)).astimezone(timezone.get_default_timezone()).date()

    context = _logged_in_context(browser, live_server, personas.admin)
    page = context.new_page()
    page.goto(live_server.url + reverse("events:calendar", kwargs={"club_slug": personas.club.slug}))
    page.get_by_role("link", name="Termin planen").click()

    page.get_by_label("Titel").fill("Mitgliederversammlung 2027")
    page.get_by_label("Raum").select_option(label="Vereinsheim online")
    page.get_by_label("Beschreibung und Tagesordnung").fill("TOP 1: Begrüßung\nTOP 2: Wahlen")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Beginn").fill("19:00")
    page.get_by_label("Ende").fill("21:00")
    page.get_by_label("Alle Mitglieder des Vereins").check()
    page.get_by_label("Gäste per E-Mail einladen").fill("gerda.gast@example.org")
    page.get_by_role("button", name="Termin planen und einladen").click()

    page.wait_for_selector("text=Der Termin ist geplant")
    assert page.locator("h1").inner_text().startswith("Mitgliederversammlung 2027")
    scheduled = ScheduledMeeting.objects.get()
    assert scheduled.room == room

    invitation = next(m for m in mail.outbox if m.to == ["gerda.gast@example.org"])
    assert invitation.subject.startswith("Einladung: Mitgliederversammlung 2027")
    assert "735108" not in invitation.body  # a personal link instead of the shared code
    link = re.search(r"https?://\S+/l/[A-Za-z0-9_-]+/", invitation.body).group(0)
    assert link.startswith(live_server.url)
    assert len(mail.outbox) == 4  # three members and the guest

    guest = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin").new_page()
    response = guest.goto(link)
    assert response.status == 200
    assert guest.locator("h1").first.inner_text() == "Vereinsheim online"
    # The guest is early: her personal link's page says which meeting comes and when it starts (she was
    # invited by name, so she sees the title that the public room page keeps for those with the code).
    next_event = guest.locator(".next-event")
    assert "Mitgliederversammlung 2027" in next_event.inner_text()
    assert "19:00–21:00 Uhr" in next_event.inner_text()
    assert "Bis zum Beginn:" in next_event.inner_text()
    context.close()
