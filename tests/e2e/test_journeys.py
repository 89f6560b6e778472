"""The issue's browser journeys, each independent, each in German and once more in English.

1. A club registers → staff approve it in the admin (with two-factor login) → the owner verifies the email with
   the link from the captured mail → logs in → creates a room with an access code.
2. The owner starts the meeting (simulator) → a guest on a phone opens the room link, enters name and code and
   lands in the simulator's meeting page → the owner ends the meeting from the room page.
3. Waiting: a guest waits on the waiting page, which joins by itself once the owner starts the meeting.
4. Recordings: a recorded meeting ends → the recording appears after the simulator's processing delay (its
   recording-ready callback reaches the site, a real Celery worker fetches the recording) → the owner
   unpublishes, protects and deletes it.
"""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from playwright.sync_api import expect

from clubs.models import Club, Membership, Role
from meetings.models import Meeting
from recordings.models import Recording
from rooms.models import Room
from tests.e2e.helpers import PASSWORD, exact, login, mail_link, tr
from tests.factories import ClubFactory, MembershipFactory, RoomFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
LANGS = pytest.mark.parametrize("lang", ["de", "en"])
LOCALES = {"de": "de-DE", "en": "en-GB"}


@pytest.fixture
def site(settings, live_server, bbb_server):
    """Links in emails and BBB callbacks point at the live server."""
    settings.SITE_URL = live_server.url.replace("localhost", "127.0.0.1")
    return bbb_server


def owner_with_room(lang: str, **room_options) -> tuple[object, Club, Room]:
    club = ClubFactory(name="Herzsport Beispielstadt e.V.", slug="herzsport", recording_allowed=True)
    owner = MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(language=lang, name="Olga Owner")).user
    room = RoomFactory(club=club, name="Vorstandsrunde", **room_options)
    return owner, club, room


@LANGS
def test_journey_1_register_approve_verify_login_create_room(journey, site, lang) -> None:
    journey.locale = LOCALES[lang]
    page = journey.new_page()
    journey.visit(page, "/", "home")
    page.get_by_role("navigation", name=tr(lang, "Hauptnavigation")).get_by_role(
        "link", name=tr(lang, "Verein anmelden")
    ).click()
    expect(page).to_have_url(re.compile("/verein-anmelden/$"))
    journey.check_accessibility(page, "registration")
    page.get_by_label(tr(lang, "Name des Vereins")).fill("Selbsthilfe Herz Nord")
    page.get_by_label(tr(lang, "Art der Organisation")).select_option(index=1)
    page.get_by_label(tr(lang, "Kurze Beschreibung")).fill("Wir treffen uns monatlich und möchten online tagen.")
    page.get_by_label(tr(lang, "Ansprechperson (Vor- und Nachname)")).fill("Frieda Vorsitz")
    page.get_by_label(tr(lang, "E-Mail-Adresse")).fill("frieda@example.org")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.get_by_label(tr(lang, "Passwort wiederholen")).fill(PASSWORD)
    page.locator("input[name=accept_terms]").check()
    journey.shot(page, "registration-filled")
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Verein anmelden")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Vielen Dank für Ihre Anmeldung!"))
    journey.check_accessibility(page, "registration done")
    journey.shot(page, "registration-done")
    club = Club.objects.get(name="Selbsthilfe Herz Nord")
    assert club.status == Club.Status.PENDING

    # staff approve the club in the admin, after a two-factor login
    staff = UserFactory(is_staff=True, is_superuser=True, email="betrieb@example.org", language=lang)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    admin_page = journey.new_page()
    login(admin_page, lang, staff.email)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    admin_page.locator("input[name=code]").fill(code)
    admin_page.locator("form button[type=submit]").first.click()
    admin_page.goto("/admin/clubs/clubapplication/")
    expect(admin_page.get_by_role("link", name="Selbsthilfe Herz Nord")).to_be_visible()
    journey.shot(admin_page, "admin-application-queue")
    admin_page.locator(f"input[name=_selected_action][value='{club.pk}']").check()
    admin_page.locator("select[name=action]").select_option("approve_clubs")
    admin_page.locator("button[name=index]").click()
    admin_page.locator("input[type=submit]").click()  # the confirmation step (issue 16, item 10)
    journey.shot(admin_page, "admin-approved")
    club.refresh_from_db()
    assert club.status == Club.Status.ACTIVE
    # emails go out in the recipient's language (the owner registered in ``lang``)
    approved = tr(lang, "Ihr Verein „%(name)s“ ist freigeschaltet") % {"name": club.name}
    assert any(m.to == ["frieda@example.org"] and approved in m.subject for m in mail.outbox), [
        m.subject for m in mail.outbox
    ]
    assert Authenticator.objects.filter(user=staff).exists()

    # the owner verifies the email address with the link from the captured mail, then logs in
    confirmation = next(m for m in mail.outbox if m.to == ["frieda@example.org"] and "confirm-email" in m.body)
    owner_page = journey.new_page()
    journey.visit(owner_page, mail_link(confirmation, "/konto/confirm-email/"), "confirm email")
    owner_page.get_by_role("main").get_by_role("button").first.click()
    if "/konto/login/" in owner_page.url:
        login(owner_page, lang, "frieda@example.org")
    else:
        owner_page.get_by_role("button", name=tr(lang, "Abmelden")).click()
        login(owner_page, lang, "frieda@example.org")
    expect(owner_page).to_have_url(re.compile(f"/c/{club.slug}/$"))
    journey.check_accessibility(owner_page, "new club dashboard")
    journey.shot(owner_page, "club-dashboard")

    # … and creates a room with an access code for guests
    owner_page.get_by_role("navigation", name=tr(lang, "Vereinsnavigation")).get_by_role(
        "link", name=tr(lang, "Räume")
    ).click()
    journey.check_accessibility(owner_page, "room list (empty)")
    journey.shot(owner_page, "rooms-empty")
    owner_page.get_by_role("link", name=tr(lang, "Neuen Raum anlegen")).first.click()
    journey.check_accessibility(owner_page, "room form")
    owner_page.locator("input[name=name]").fill("Gruppenabend")
    owner_page.get_by_role("textbox", name=tr(lang, "Zugangscode für Gäste")).fill("482913")
    journey.shot(owner_page, "room-form")
    owner_page.get_by_role("button", name=tr(lang, "Raum anlegen")).click()
    expect(owner_page.get_by_role("heading", level=1)).to_have_text("Gruppenabend")
    expect(owner_page.get_by_role("status").first).to_contain_text("Gruppenabend")
    journey.check_accessibility(owner_page, "room detail")
    journey.shot(owner_page, "room-detail")
    room = Room.objects.get(club=club, name="Gruppenabend")
    assert room.viewer_code == "482913"
    assert Membership.objects.filter(club=club, user__email="frieda@example.org", role=Role.OWNER).exists()


@LANGS
def test_journey_2_owner_starts_guest_joins_on_phone_owner_ends(journey, site, simulator, lang) -> None:
    journey.locale = LOCALES[lang]
    owner, club, room = owner_with_room(lang, viewer_code="482913")
    page = journey.new_page()
    login(page, lang, owner.email)
    journey.visit(page, f"/c/{club.slug}/raeume/{room.pk}/", "room detail before start")
    page.get_by_role("button", name=tr(lang, "Besprechung starten")).click()
    expect(page.get_by_test_id("sim-meeting-name")).to_have_text("Vorstandsrunde")
    expect(page.get_by_test_id("sim-role")).to_have_attribute("data-role", "MODERATOR")
    journey.shot(page, "owner-in-meeting")
    assert simulator.calls["create"] == 1

    guest = journey.new_page(phone=True)
    journey.visit(guest, f"/r/{room.friendly_id}/", "public room (phone)")
    assert guest.evaluate("document.documentElement.scrollWidth") <= 360
    guest.get_by_label(tr(lang, "Ihr Name")).fill("Gustav Gast")
    guest.get_by_label(tr(lang, "Zugangscode")).fill("000000")
    guest.get_by_role("button", name=exact(lang, "Beitreten")).click()
    expect(guest.get_by_role("main")).to_contain_text(
        tr(lang, "Der Zugangscode stimmt nicht. Bitte prüfen Sie die Einladung.")
    )
    expect(guest.get_by_label(tr(lang, "Ihr Name"))).to_have_value("Gustav Gast")  # nothing lost
    journey.check_accessibility(guest, "wrong code (phone)")
    journey.shot(guest, "guest-wrong-code")
    guest.get_by_label(tr(lang, "Zugangscode")).fill("482913")
    guest.get_by_role("button", name=exact(lang, "Beitreten")).click()
    expect(guest.get_by_test_id("sim-user-name")).to_have_text("Gustav Gast")
    expect(guest.get_by_test_id("sim-role")).to_have_attribute("data-role", "VIEWER")
    journey.shot(guest, "guest-in-meeting")

    owner_room = page.context.new_page()  # the owner, in a second tab
    owner_room.goto(f"/c/{club.slug}/raeume/{room.pk}/")
    owner_room.get_by_role("link", name=tr(lang, "Besprechung beenden")).click()
    journey.check_accessibility(owner_room, "end meeting confirmation")
    journey.shot(owner_room, "end-confirmation")
    owner_room.get_by_role("button", name=tr(lang, "Für alle beenden")).click()
    expect(owner_room.get_by_role("status").first).to_contain_text(tr(lang, "Die Besprechung ist beendet."))
    journey.shot(owner_room, "meeting-ended")
    assert simulator.calls["end"] == 1
    assert not Meeting.objects.filter(room=room, ended_at__isnull=True).exists()


@LANGS
def test_journey_3_waiting_guest_joins_by_itself_when_the_owner_starts(journey, site, lang) -> None:
    journey.locale = LOCALES[lang]
    owner, club, room = owner_with_room(lang)
    guest = journey.new_page(phone=True)
    guest.goto(f"/r/{room.friendly_id}/")
    expect(guest.get_by_role("main")).to_contain_text(tr(lang, "Die Besprechung hat noch nicht begonnen."))
    guest.get_by_label(tr(lang, "Ihr Name")).fill("Wanda Wartend")
    guest.get_by_role("button", name=exact(lang, "Beitreten")).click()
    expect(guest).to_have_url(re.compile(f"/r/{room.friendly_id}/warten/$"))
    status = guest.locator("[aria-live=polite]#room-status")
    expect(status).to_contain_text("Wanda Wartend")
    journey.check_accessibility(guest, "waiting page (phone)")
    journey.shot(guest, "waiting")

    owner_page = journey.new_page()
    login(owner_page, lang, owner.email)
    owner_page.goto(f"/c/{club.slug}/raeume/{room.pk}/")
    owner_page.get_by_role("button", name=tr(lang, "Besprechung starten")).click()
    expect(owner_page.get_by_test_id("sim-role")).to_have_attribute("data-role", "MODERATOR")

    # no click: the waiting page polls our status endpoint and joins by itself
    expect(guest.get_by_test_id("sim-user-name")).to_have_text("Wanda Wartend", timeout=20_000)
    journey.shot(guest, "guest-taken-in")


@LANGS
def test_journey_4_recording_appears_then_unpublish_protect_delete(journey, site, simulator, lang) -> None:
    from tests.processes import celery_worker, wait_for

    journey.locale = LOCALES[lang]
    simulator.configure(recording_delay=2)
    owner, club, room = owner_with_room(lang, record=True)
    page = journey.new_page()
    login(page, lang, owner.email)
    page.goto(f"/c/{club.slug}/raeume/{room.pk}/")
    page.locator("input[name=consent]").check()  # the room may record: confirmed before starting
    page.get_by_role("button", name=tr(lang, "Besprechung starten")).click()
    page.get_by_test_id("sim-start-recording").click()
    expect(page.get_by_test_id("sim-recording")).to_be_visible()
    journey.shot(page, "recording-in-meeting")

    page.goto(f"/c/{club.slug}/raeume/{room.pk}/")
    page.get_by_role("link", name=tr(lang, "Besprechung beenden")).click()
    page.get_by_role("button", name=tr(lang, "Für alle beenden")).click()
    expect(page.get_by_role("status").first).to_contain_text(tr(lang, "Die Besprechung ist beendet."))

    recordings_url = f"/c/{club.slug}/aufzeichnungen/"
    journey.visit(page, recordings_url, "recordings (processing)")
    with celery_worker():
        # No sweep: the simulator's recording-ready callback (JWT) reaches the live site, which queues
        # the fetch that this real worker runs.
        appeared = wait_for(lambda: Recording.objects.filter(room=room).exists(), timeout=60, interval=0.5)
        assert appeared, "the recording did not arrive through the recording-ready callback"
    page.reload()
    row = page.get_by_role("main").locator("li, tr").filter(has_text=room.name).first
    expect(row).to_be_visible()
    journey.check_accessibility(page, "recordings list")
    journey.shot(page, "recording-listed")

    page.get_by_role("button", name=tr(lang, "Nicht mehr veröffentlichen")).first.click()
    expect(page.get_by_role("status").first).to_contain_text(
        tr(lang, "Die Aufzeichnung ist jetzt nicht mehr veröffentlicht.")
    )
    page.get_by_role("button", name=tr(lang, "Vor Löschen schützen")).first.click()
    expect(page.get_by_role("status").first).to_contain_text(
        tr(lang, "Die Aufzeichnung ist vor dem automatischen Löschen geschützt.")
    )
    recording = Recording.objects.get(room=room)
    assert (recording.published, recording.protected) == (False, True)
    journey.shot(page, "recording-unpublished-protected")

    page.get_by_role("link", name=tr(lang, "Löschen")).first.click()
    journey.check_accessibility(page, "delete recording confirmation")
    journey.shot(page, "delete-confirmation")
    page.get_by_role("main").get_by_role(
        "button", name=re.compile(tr(lang, "Löschen") + "|" + tr(lang, "Endgültig löschen"))
    ).first.click()
    expect(page.get_by_role("status").first).to_contain_text(recording.name)
    recording.refresh_from_db()
    assert recording.deleted_at is not None
    assert (
        recording.record_id not in simulator.recordings or simulator.recordings[recording.record_id].state == "deleted"
    )
