"""A tour of the pages that exist for everyone: public, account and club pages, in German and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import RoomFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, email: str, password: str = "correct-horse-battery") -> None:
    page.goto("/konto/login/")
    page.get_by_label(re.compile("E-Mail|Email")).fill(email)
    page.get_by_label(re.compile("Passwort|Password")).fill(password)
    page.locator("form.allauth-form button[type=submit]").click()


def test_site_tour_in_german(journey, personas) -> None:
    room = RoomFactory(club=personas.club, name="Mitgliederversammlung", viewer_code="482913")
    page = journey.new_page()

    journey.visit(page, "/", "home")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Videokonferenzen")

    # keyboard: the first Tab reaches the skip link, which becomes visible and jumps to the content
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))

    for path, title in (("/impressum/", "Impressum"), ("/datenschutz/", "Datenschutzerklärung"),
                        ("/nutzungsbedingungen/", "Nutzungsbedingungen")):  # fmt: skip
        page.goto("/")
        page.get_by_role("contentinfo").get_by_role("link", name=title.removesuffix("erklärung")).click()
        expect(page).to_have_url(re.compile(path))
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        journey.check_accessibility(page, title)
    page.goto("/datenschutz/")
    expect(page.get_by_role("main")).to_contain_text("sessionid")
    journey.shot(page, "privacy")

    # a wrong password: a clear German message, the address is kept
    page.goto("/konto/login/")
    page.get_by_label("E-Mail").fill(personas.owner.email)
    page.get_by_label("Passwort").fill("falsch-falsch")
    page.locator("form.allauth-form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse und/oder das Passwort")
    expect(page.get_by_label("E-Mail")).to_have_value(personas.owner.email)
    journey.check_accessibility(page, "login with error")
    journey.shot(page, "login-error")

    login(page, personas.owner.email)
    expect(page).to_have_url(re.compile(f"/c/{personas.club.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(personas.club.name)
    journey.check_accessibility(page, "club dashboard")
    journey.shot(page, "club-dashboard")

    for path, label in (("/konto/profil/", "profile"), ("/konto/email/", "email addresses"),
                        ("/konto/password/change/", "change password"), ("/konto/2fa/", "two-factor")):  # fmt: skip
        journey.visit(page, path, label)
        if path != "/konto/profil/":  # allauth's pages sit next to the account navigation
            expect(page.get_by_role("navigation", name="Kontonavigation")).to_be_visible()

    journey.visit(page, "/diese-seite-gibt-es-nicht/", "404")
    expect(page.get_by_role("heading", level=1)).to_have_text("Diese Seite gibt es nicht")

    # the guest's view of a room link, on a phone
    phone = journey.new_page(phone=True)
    journey.visit(phone, f"/r/{room.friendly_id}/", "public room (phone)")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mitgliederversammlung")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scrolling on a phone"

    # switching the language in the footer is remembered on the account
    page.goto("/konto/profil/")
    page.get_by_role("contentinfo").get_by_label("Sprache").select_option("en")
    page.get_by_role("contentinfo").get_by_role("button", name="Wechseln").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
    assert User.objects.get(pk=personas.owner.pk).language == "en"
    journey.check_accessibility(page, "profile (English)")
    journey.shot(page, "profile-english")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Sign in")).to_be_visible()
