"""Finding 12 in a real browser: the Content-Security-Policy blocks nothing on our pages (no inline code)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rooms import access_codes
from tests.admin.conftest import add_totp, totp_code
from tests.factories import RoomFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def _login(page, email: str) -> None:
    page.goto("/konto/login/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("correct-horse-battery")
    page.locator("form.allauth-form button[type=submit]").click()


def test_no_page_violates_the_content_security_policy(journey, personas, bbb_simulator) -> None:
    room = RoomFactory(club=personas.club, name="Elternabend", viewer_code="482913")
    guest = journey.new_page()
    violations = _watch(guest)
    response = journey.visit(guest, "/", "home", axe=False, shot=False)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    guest.goto(f"/r/{room.friendly_id}/")
    guest.get_by_label("Ihr Name").fill("Gabi")
    guest.get_by_label(re.compile("Zugangscode")).fill("000000")
    guest.get_by_role("button", name="Beitreten").click()
    expect(guest.get_by_text("Der Zugangscode stimmt nicht")).to_be_visible()
    guest.get_by_label(re.compile("Zugangscode")).fill("482913")
    guest.get_by_label("Ihr Name").fill("Gabi")
    guest.get_by_role("button", name="Beitreten").click()
    expect(guest).to_have_url(re.compile("/warten/$"))
    guest.wait_for_timeout(3500)  # the waiting page's poll (static/js/waiting.js) has run once
    journey.shot(guest, "waiting")

    owner = journey.new_page()
    violations += _watch(owner)
    _login(owner, personas.owner.email)
    access_codes._start_guarding(room)  # as after 100 wrong codes in a day
    journey.visit(owner, f"/c/{personas.club.slug}/raeume/{room.pk}/", "room detail with code alert")
    expect(owner.get_by_role("alert")).to_contain_text("Viele falsche Zugangscodes")
    owner.get_by_role("alert").get_by_role("button", name="Sperren aufheben").click()
    expect(owner.get_by_text("Alle Sperren wegen falscher Zugangscodes")).to_be_visible()
    owner.goto(f"/c/{personas.club.slug}/raeume/{room.pk}/einladung/")  # the print page (data-print button)
    expect(owner.get_by_role("button", name="Jetzt drucken")).to_be_visible()

    staff = UserFactory(is_staff=True, is_superuser=True, email="staff-csp@herzdigital.example")
    secret = add_totp(staff)
    admin = journey.new_page()
    violations += _watch(admin)
    _login(admin, staff.email)
    admin.get_by_label(re.compile("Code")).fill(totp_code(secret))
    admin.locator("form button[type=submit]").first.click()
    admin.goto("/admin/")
    server_row = bbb_simulator[1]
    admin.goto(f"/admin/meetings/server/{server_row.pk}/change/")
    expect(admin.locator("input[name=secret]")).to_have_value("")
    journey.shot(admin, "admin-server")
    admin.goto("/admin/clubs/club/")
    assert violations == []
