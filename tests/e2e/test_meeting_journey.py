"""Journey: a general assembly as a club holds it.

The owner creates a "Mitgliederversammlung" room with a presentation and names a member as host, then
hands a guest a personal link and starts the meeting. The named host joins as moderator, a plain member
as viewer (with the assembly's locks), the guest through the personal link under the fixed name. Our
site makes exactly one BBB call (create); BBB (the simulator) fetched the presentation itself.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clubs.models import Role
from meetings.bbb_clients import client_for
from rooms.models import PersonalLink, Room
from tests.e2e.helpers import login, tr
from tests.factories import ClubFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def site(settings, live_server, bbb_server):
    settings.SITE_URL = live_server.url.replace("localhost", "127.0.0.1")
    return bbb_server


def test_journey_general_assembly_with_host_viewer_and_personal_link(journey, site, simulator, tmp_path) -> None:
    lang = "de"
    club = ClubFactory(name="Kleingartenverein Sonnenau e.V.", slug="sonnenau")
    owner = MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(name="Olga Obfrau")).user
    host = MembershipFactory(club=club, role=Role.MEMBER, user=UserFactory(name="Kurt Kassenwart")).user
    member = MembershipFactory(club=club, role=Role.MEMBER, user=UserFactory(name="Mia Mitglied")).user
    slides = tmp_path / "Tagesordnung.pdf"
    slides.write_bytes(PDF)

    page = journey.new_page()
    login(page, lang, owner.email)
    journey.visit(page, f"/c/{club.slug}/raeume/neu/", "new room form", axe=False)
    page.locator("input[name=name]").fill("Mitgliederversammlung 2027")
    page.get_by_label(tr(lang, "Zweck des Raums")).select_option("mitgliederversammlung")
    page.get_by_label("Kurt Kassenwart").check()
    page.locator("input[name=presentation]").set_input_files(str(slides))
    page.locator("#advanced summary").click()
    journey.shot(page, "new room filled")
    page.get_by_role("button", name=tr(lang, "Raum anlegen")).click()
    expect(page.locator("#room-preset")).to_contain_text("Mitgliederversammlung")
    expect(page.locator("#room-hosts")).to_contain_text("Kurt Kassenwart")
    expect(page.locator("#room-presentations")).to_contain_text("Tagesordnung.pdf")
    room = Room.objects.get(club=club)
    assert room.webcams_only_for_moderator and room.lock_disable_private_chat and room.hosts.get().user == host

    page.get_by_role("link", name=tr(lang, "Persönlichen Link anlegen")).click()
    page.get_by_label(tr(lang, "Name, wie er in der Besprechung erscheint")).fill("Gerda Gast")
    page.get_by_role("button", name=tr(lang, "Link anlegen")).click()
    expect(page.locator("#personal-links")).to_contain_text("Gerda Gast")
    journey.shot(page, "personal links")
    link = PersonalLink.objects.get(room=room)

    page.goto(f"/c/{club.slug}/raeume/{room.pk}/")
    journey.shot(page, "room detail before start")
    page.get_by_role("button", name=tr(lang, "Besprechung starten")).click()
    expect(page.get_by_test_id("sim-role")).to_have_attribute("data-role", "MODERATOR")
    # BBB downloads the presentation after create answered; the pod lists it once fetched.
    for _ in range(20):
        if page.get_by_test_id("sim-presentation").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.get_by_test_id("sim-presentation")).to_have_attribute("data-current", "true")
    journey.shot(page, "owner in meeting with presentation")

    host_page = journey.new_page()
    login(host_page, lang, host.email)
    host_page.goto(f"/r/{room.friendly_id}/")
    host_page.get_by_role("button", name=tr(lang, "Beitreten")).click()
    expect(host_page.get_by_test_id("sim-role")).to_have_attribute("data-role", "MODERATOR")
    expect(host_page.get_by_test_id("sim-user-name")).to_have_text("Kurt Kassenwart")

    member_page = journey.new_page()
    login(member_page, lang, member.email)
    member_page.goto(f"/r/{room.friendly_id}/")
    member_page.get_by_role("button", name=tr(lang, "Beitreten")).click()
    expect(member_page.get_by_test_id("sim-role")).to_have_attribute("data-role", "VIEWER")
    expect(member_page.locator('[data-lock="private-chat"]')).to_be_visible()
    journey.shot(member_page, "member joins as viewer")

    guest = journey.new_page(phone=True)
    journey.visit(guest, f"/l/{link.token}/", "personal link page")
    expect(guest.locator("#personal-invitation")).to_contain_text("Gerda Gast")
    guest.get_by_role("button", name=tr(lang, "Beitreten")).click()
    expect(guest.get_by_test_id("sim-user-name")).to_have_text("Gerda Gast")
    expect(guest.get_by_test_id("sim-role")).to_have_attribute("data-role", "VIEWER")
    journey.shot(guest, "guest in meeting via personal link")

    page.reload()
    expect(page.get_by_test_id("sim-participant-count")).to_have_text("4")
    journey.shot(page, "owner sees four")
    assert client_for(site).calls == {"create": 1}  # start: one BBB call; three joins: none
    sim_meeting = simulator.meetings[room.meeting_id]
    assert sim_meeting.params["webcamsOnlyForModerator"] == "true"
    assert sim_meeting.documents[0]["status"] == "downloaded"
