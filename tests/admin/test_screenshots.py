"""Screenshots of the staff console in Chromium: the dashboard and a club's page (staff log in with TOTP)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from clubs.audit import audit_log
from clubs.models import Club, Role
from tests.admin.conftest import PASSWORD, add_totp, totp_code
from tests.conftest import require_service
from tests.factories import (
    ClubFactory,
    MeetingFactory,
    MembershipFactory,
    RecordingFactory,
    RoomFactory,
    ServerFactory,
    UserFactory,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUT = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "admin"

pytestmark = pytest.mark.e2e


def _demo_service():
    now = timezone.now()
    bbb1 = ServerFactory(name="bbb1.herzdigital.example", load=84, capacity=300, meeting_count=3, participant_count=42)
    bbb1.last_success_at = bbb1.last_poll_at = now
    bbb1.save()
    ServerFactory(
        name="bbb2.herzdigital.example",
        healthy=False,
        consecutive_failures=6,
        last_poll_at=now,
        last_success_at=now - timedelta(minutes=4),
        last_error="ConnectTimeout",
    )
    club = ClubFactory(
        name="TSV Beispielstadt e.V.",
        slug="tsv-beispielstadt",
        kind=Club.Kind.SPORTS,
        description="Sportverein mit Abteilungen für Fußball, Turnen und Tischtennis.",
        contact_name="Vera Vorstand",
        contact_email="vorstand@tsv-beispielstadt.example",
        contact_phone="0351 123456",
        max_rooms=5,
        retention_days=90,
        terms_accepted_at=now - timedelta(days=40),
    )
    people = [
        ("vorstand@tsv-beispielstadt.example", "Vera Vorstand", Role.OWNER),
        ("kassenwart@tsv-beispielstadt.example", "Karl Kassenwart", Role.ADMIN),
        ("trainerin@tsv-beispielstadt.example", "Tanja Trainerin", Role.MEMBER),
        ("jugend@tsv-beispielstadt.example", "Jonas Jugendwart", Role.MEMBER),
    ]
    for email, name, role in people:
        MembershipFactory(club=club, role=role, user=UserFactory(email=email, name=name))
    rooms = [RoomFactory(club=club, name=n) for n in ("Vorstandssitzung", "Jugendabteilung", "Mitgliederversammlung")]
    MeetingFactory(room=rooms[0], server=bbb1, participant_count=7, peak_participants=9, participant_seconds=7 * 2400)
    for room in rooms:
        ended = MeetingFactory(room=room, server=bbb1, ended_at=now, peak_participants=12, participant_seconds=40_000)
        RecordingFactory(room=room, server=bbb1, meeting=ended, name=f"{room.name} – März", size_bytes=740_000_000)
    for name in ("Selbsthilfegruppe Lichtblick", "Elternbeirat Grundschule Am Park"):
        pending = ClubFactory(name=name, status=Club.Status.PENDING, approved_at=None, kind=Club.Kind.SELF_HELP)
        MembershipFactory(club=pending, role=Role.OWNER)
    ClubFactory(name="Schachfreunde 1920", status=Club.Status.SUSPENDED, status_reason="Zahlungsverzug")
    for _ in range(3):
        MeetingFactory(server=bbb1, participant_count=12, peak_participants=15, participant_seconds=12 * 1800)
    staff = UserFactory(email="staff@herzdigital.example", name="Sabine Staff", is_staff=True, is_superuser=True)
    audit_log(action="club.approve", actor=staff, club=club, target=club)
    return staff, add_totp(staff), club


@pytest.fixture
def browser():
    require_service(Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None, "Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_screenshots_of_dashboard_and_club_page(live_server, transactional_db, browser, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    staff, secret, club = _demo_service()
    OUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="de-DE")

    page.goto(f"{live_server.url}/admin/")
    assert "/konto/login/" in page.url  # the admin sends staff to allauth's login
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    page.fill("input[name=code]", totp_code(secret))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/admin/")
    assert page.locator(".hd-dashboard").is_visible()
    assert "laufen gerade" in page.content()
    page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/clubs/club/{club.pk}/change/")
    assert page.locator(".hd-usage-table").is_visible()
    assert "Karl Kassenwart" in page.content()
    page.screenshot(path=str(OUT / "club_change.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/clubs/club/")
    page.screenshot(path=str(OUT / "club_list.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/clubs/clubapplication/")
    page.screenshot(path=str(OUT / "application_queue.png"), full_page=True)
    pending = Club.objects.filter(status=Club.Status.PENDING).first()
    page.goto(f"{live_server.url}/admin/clubs/clubapplication/{pending.pk}/change/")
    page.screenshot(path=str(OUT / "application_change.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/recordings/recording/")
    page.screenshot(path=str(OUT / "recording_list.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/meetings/server/")
    page.screenshot(path=str(OUT / "server_list.png"), full_page=True)
    assert (OUT / "dashboard.png").stat().st_size > 10_000
