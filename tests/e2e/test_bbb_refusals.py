"""A join BBB refuses lands on our page, which explains it and shows the way back (issue 14 bug 3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rooms import services
from tests.e2e.helpers import exact, tr
from tests.e2e.test_journeys import LANGS, LOCALES, owner_with_room, site  # noqa: F401 (fixture "site")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@LANGS
def test_guest_refused_by_a_full_meeting_reads_why_and_finds_the_way_back(journey, site, simulator, lang) -> None:  # noqa: F811
    journey.locale = LOCALES[lang]
    _owner, _club, room = owner_with_room(lang, max_participants=1)
    services.meeting_start(room=room, display_name="Olga Owner")
    simulator.add_attendees(room.meeting_id, 1)  # the one allowed participant is in

    guest = journey.new_page(phone=True)
    journey.visit(guest, f"/r/{room.friendly_id}/", "public room", shot=False)
    guest.get_by_label(tr(lang, "Ihr Name")).fill("Gustav Gast")
    guest.get_by_role("button", name=exact(lang, "Beitreten")).click()

    expect(guest.get_by_role("alert")).to_contain_text(tr(lang, "Der Beitritt hat nicht geklappt"))
    expect(guest.locator('[data-error-key="maxParticipantsReached"]')).to_be_visible()
    assert f"/r/{room.friendly_id}/zurueck/" in guest.url
    journey.check_accessibility(guest, "join refused (phone)")
    journey.shot(guest, "join-refused")
    guest.get_by_role("link", name=tr(lang, "Zurück zur Raumseite")).click()
    expect(guest.get_by_label(tr(lang, "Ihr Name"))).to_be_visible()
