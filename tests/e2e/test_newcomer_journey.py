"""Issue 16's acceptance journey, as a newcomer walks it, in German and in English.

Register a club → confirm the address → (while pending: told what happens next and when) → staff approve in the
admin, after a confirmation step → the owner follows the approval mail's link while logged out, logs in and lands
on the club → creates a room with a guest code and a moderator code → prints the invitation (the print page holds
no moderator code) → starts the meeting from the room list's "Starten" → a guest on a 360 px phone types the room
id in capitals, sees no club-registration links and the right name hint, gets the code wrong, reloads (no blank
405), and joins. Plus the members page on a phone: cards, hyphenation, nothing wider than the screen.
"""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from playwright.sync_api import expect

from clubs.models import Club, Role
from rooms.models import Room
from tests.e2e.helpers import PASSWORD, exact, login, mail_link, tr
from tests.factories import ClubFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
LANGS = pytest.mark.parametrize("lang", ["de", "en"])
LOCALES = {"de": "de-DE", "en": "en-GB"}


@pytest.fixture
def site(settings, live_server, bbb_server):
    settings.SITE_URL = live_server.url.replace("localhost", "127.0.0.1")
    settings.SUPPORT_EMAIL = "hilfe@herzdigital.example"
    return bbb_server


def _logout(page, lang: str) -> None:
    page.get_by_role("button", name=tr(lang, "Abmelden")).click()


def _wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > page.viewport_size["width"]


@LANGS
def test_newcomer_registers_is_approved_follows_the_mail_prints_the_invitation_and_a_guest_joins(
    journey, site, simulator, lang
) -> None:
    journey.locale = LOCALES[lang]
    page = journey.new_page()
    journey.visit(page, "/", "landing page")
    expect(page.get_by_role("main")).to_contain_text("Nichts." if lang == "de" else "Nothing.")
    expect(page.get_by_role("contentinfo")).to_contain_text("hilfe@herzdigital.example")

    # 1. register the club
    page.get_by_role("navigation", name=tr(lang, "Hauptnavigation")).get_by_role(
        "link", name=tr(lang, "Verein anmelden")
    ).click()
    page.get_by_label(tr(lang, "Name des Vereins")).fill("Gesangverein Harmonie 1898")
    page.get_by_label(tr(lang, "Art der Organisation")).select_option(index=1)
    page.get_by_label(tr(lang, "Kurze Beschreibung")).fill("Wir proben donnerstags und wollen online singen.")
    page.get_by_label(tr(lang, "Ansprechperson (Vor- und Nachname)")).fill("Gisela Müller-Lüdenscheidt")
    page.get_by_label(tr(lang, "E-Mail-Adresse")).fill("gisela@example.org")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.get_by_label(tr(lang, "Passwort wiederholen")).fill(PASSWORD)
    terms = page.get_by_label(
        tr(lang, "Ich habe die Nutzungsbedingungen und die Datenschutzhinweise gelesen und bin einverstanden.")
    )
    terms.check()
    label_text = page.locator("label[for=id_accept_terms]").inner_text()
    assert not label_text.strip().endswith(":"), label_text  # item 10: no colon after a checkbox label
    journey.shot(page, "registration")
    page.get_by_role("main").get_by_role("button", name=tr(lang, "Verein anmelden")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Vielen Dank für Ihre Anmeldung!"))
    expect(page.get_by_role("main")).to_contain_text("3")
    journey.check_accessibility(page, "registration done")
    journey.shot(page, "registration-done")
    club = Club.objects.get(name="Gesangverein Harmonie 1898")

    # 2. confirm the address with the mail's link; the mail is ours, formal, with the site's name
    confirmation = next(m for m in mail.outbox if m.to == ["gisela@example.org"])
    assert confirmation.subject.startswith("[herzdigital] ") and "Hallo von" not in confirmation.body
    journey.visit(page, mail_link(confirmation, "/konto/confirm-email/"), "confirm email")
    page.get_by_role("main").get_by_role("button").first.click()
    if "/konto/login/" in page.url:
        login(page, lang, "gisela@example.org")
    # while pending, she is told what happens next and when — not to ask "a person who manages the club"
    page.goto(f"/c/{club.slug}/raeume/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("wartet auf die Freigabe" if lang == "de" else "waiting for approval")
    expect(main).to_contain_text("3 Werktagen" if lang == "de" else "3 working days")
    expect(main).not_to_contain_text(
        tr(lang, "Bitten Sie eine Person, die den Verein verwaltet, einen Raum anzulegen.")[:25]
    )
    journey.check_accessibility(page, "pending club rooms")
    journey.shot(page, "pending-club-rooms")
    _logout(page, lang)

    # 3. staff approve, with a confirmation step
    staff = UserFactory(is_staff=True, is_superuser=True, email="betrieb@example.org", language=lang)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    admin_page = journey.new_page()
    login(admin_page, lang, staff.email)
    if 30 - time.time() % 30 < 3:
        time.sleep(3.5)
    admin_page.locator("input[name=code]").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    admin_page.locator("form button[type=submit]").first.click()
    admin_page.goto("/admin/clubs/clubapplication/")
    row = admin_page.locator("tr", has=admin_page.get_by_role("link", name="Gesangverein Harmonie 1898"))
    expect(row.locator("td.field-email_verified img")).to_have_attribute("alt", "True")  # item 4
    journey.shot(admin_page, "admin-queue")
    admin_page.locator(f"input[name=_selected_action][value='{club.pk}']").check()
    admin_page.locator("select[name=action]").select_option("approve_clubs")
    admin_page.locator("button[name=index]").click()
    club.refresh_from_db()
    assert club.status == Club.Status.PENDING  # nothing yet: a confirmation page first
    journey.shot(admin_page, "admin-approve-confirmation")
    admin_page.locator("input[type=submit]").click()
    club.refresh_from_db()
    assert club.status == Club.Status.ACTIVE

    # 4. the owner, logged out, follows the approval mail's link → login → the club
    approved = next(m for m in mail.outbox if m.to == ["gisela@example.org"] and f"/c/{club.slug}/" in m.body)
    assert approved.reply_to == ["hilfe@herzdigital.example"]
    page.goto(mail_link(approved, f"/c/{club.slug}/"))
    expect(page).to_have_url(re.compile(r"/konto/login/\?next=" + re.escape(f"/c/{club.slug}/")))
    journey.shot(page, "mail-link-logged-out")
    page.locator("input[name=login]").fill("gisela@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.allauth-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"/c/{club.slug}/$"))
    journey.check_accessibility(page, "club dashboard")
    journey.shot(page, "club-dashboard")

    # 5. a room with a code for guests and one for moderation
    page.goto(f"/c/{club.slug}/raeume/neu/")
    page.locator("input[name=name]").fill("Chorprobe")
    page.locator("input[name=viewer_code]").fill("482913")
    page.locator("input[name=moderator_code]").fill("771199")
    page.get_by_role("button", name=tr(lang, "Raum anlegen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chorprobe")
    room = Room.objects.get(club=club, name="Chorprobe")

    # 6. print the invitation: name, link, QR code, guest code — no moderator code
    page.get_by_role("link", name=tr(lang, "Einladung drucken")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chorprobe")
    printed = page.get_by_role("main").inner_text()
    assert "482913" in printed and room.friendly_id in printed and "771199" not in printed
    assert "771199" not in page.content()
    assert page.locator(".room-qr svg").count() == 1
    journey.check_accessibility(page, "printable invitation")
    journey.shot(page, "print-invitation")
    page.emulate_media(media="print")
    page.screenshot(path=str(journey.folder / "print-invitation-as-printed.png"), full_page=True)
    page.emulate_media(media="screen")

    # 7. start from the room list
    page.goto(f"/c/{club.slug}/raeume/")
    journey.shot(page, "room-list-with-start")
    page.get_by_role("button", name=tr(lang, "„%(name)s“ starten") % {"name": "Chorprobe"}).click()
    expect(page.get_by_test_id("sim-role")).to_have_attribute("data-role", "MODERATOR")
    assert simulator.calls["create"] == 1

    # 8. a guest on a 360 px phone types the room id from the paper, in capitals
    guest = journey.new_page(phone=True)
    journey.visit(guest, f"/r/{room.friendly_id.upper()}/", "room link typed in capitals (phone)")
    expect(guest).to_have_url(re.compile(f"/r/{room.friendly_id}/$"))
    nav = guest.get_by_role("banner")
    expect(nav.get_by_role("link", name=tr(lang, "Verein anmelden"))).to_have_count(0)
    expect(nav.get_by_role("link", name=exact(lang, "Anmelden"))).to_have_count(0)
    expect(guest.get_by_role("main")).to_contain_text(
        tr(lang, "Unter diesem Namen sehen die anderen Sie in der Besprechung.")
    )
    assert not _wide(guest)
    guest.get_by_label(tr(lang, "Ihr Name")).fill("Gustav Gast")
    guest.get_by_label(tr(lang, "Zugangscode")).fill("000000")
    guest.get_by_role("button", name=exact(lang, "Beitreten")).click()
    expect(guest.get_by_role("main")).to_contain_text(
        tr(lang, "Der Zugangscode stimmt nicht. Bitte prüfen Sie die Einladung.")
    )
    guest.goto(guest.url)  # reload as a fresh visit: no blank 405
    expect(guest.get_by_role("heading", level=1)).to_have_text("Chorprobe")
    journey.shot(guest, "guest-after-reload")
    guest.get_by_label(tr(lang, "Ihr Name")).fill("Gustav Gast")
    guest.get_by_label(tr(lang, "Zugangscode")).fill("482913")
    guest.get_by_role("button", name=exact(lang, "Beitreten")).click()
    expect(guest.get_by_test_id("sim-user-name")).to_have_text("Gustav Gast")
    expect(guest.get_by_test_id("sim-role")).to_have_attribute("data-role", "VIEWER")
    journey.shot(guest, "guest-in-meeting")


@LANGS
def test_members_page_on_a_phone_shows_cards_and_hyphenates_long_words(journey, site, lang) -> None:
    journey.locale = LOCALES[lang]
    club = ClubFactory(name="Mitgliederversammlungsvorbereitungsgruppe Nord", slug="mvg-nord")
    owner = MembershipFactory(
        club=club, role=Role.OWNER, user=UserFactory(name="Gisela Müller-Lüdenscheidt", language=lang)
    ).user
    MembershipFactory(club=club, user=UserFactory(name="Hans-Dieter Oberbürgermeisterstellvertreter"))
    page = journey.new_page(phone=True)
    login(page, lang, owner.email)
    journey.visit(page, f"/c/{club.slug}/mitglieder/", "members on a phone")
    assert not _wide(page)
    assert page.evaluate("document.documentElement.lang") == lang
    table = page.locator("table.members-table")
    assert table.evaluate("t => getComputedStyle(t.querySelector('tr')).display") == "block"
    name_cell = page.get_by_role("cell", name=re.compile("Oberbürgermeisterstellvertreter"))
    style = name_cell.evaluate("c => [getComputedStyle(c).hyphens, getComputedStyle(c).overflowWrap]")
    assert style == ["auto", "break-word"], style
    width = name_cell.evaluate("c => c.getBoundingClientRect().width")
    assert width > 250, f"the name cell is {width}px wide: words would break letter by letter"
    heading = page.get_by_role("heading", level=1)
    assert heading.evaluate("h => getComputedStyle(h).hyphens") == "auto"
