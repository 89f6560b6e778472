"""Rooms as a newcomer meets them (issue 16, items 2, 5 and 12)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from rooms import services
from tests.factories import RoomFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vorstandsrunde", viewer_code="482913", moderator_code="771199")


def test_print_view_is_the_invitation_only_and_never_holds_the_moderator_code(client, personas, room):
    client.force_login(personas.owner)  # the owner sees the moderator code on the room page …
    detail = client.get(reverse("rooms:detail", kwargs={"club_slug": personas.club.slug, "room_id": room.pk}))
    assert "771199" in detail.content.decode()
    print_url = reverse("rooms:invitation", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    assert f'href="{print_url}"' in detail.content.decode()
    html = client.get(print_url).content.decode()
    assert "771199" not in html  # … but never on paper
    assert "Vorstandsrunde" in html and "482913" in html
    assert f"/r/{room.friendly_id}/" in html and "<svg" in html  # link and QR code
    main = html.split("<main")[1].split("</main>")[0]
    assert "Besprechung starten" not in main and "Einstellungen" not in main


def test_print_view_without_a_guest_code_says_nothing_about_codes(client, personas):
    room = RoomFactory(club=personas.club, name="Offener Treff", viewer_code="", moderator_code="123456")
    client.force_login(personas.member)
    html = client.get(reverse("rooms:invitation", kwargs={"club_slug": personas.club.slug, "room_id": room.pk}))
    assert "Zugangscode" not in html.content.decode() and "123456" not in html.content.decode()


@pytest.mark.parametrize(
    "typed",
    ["{upper}", " {id} ", "{spaced}", "{upper_spaced}", "{nodash}"],
)
def test_room_ids_typed_in_capitals_or_with_spaces_find_the_room(client, room, typed):
    fid = room.friendly_id
    variants = {
        "upper": fid.upper(),
        "id": fid,
        "spaced": fid.replace("-", " "),
        "upper_spaced": fid.upper().replace("-", " "),
        "nodash": fid.replace("-", ""),
    }
    response = client.get(f"/r/{typed.format(**variants)}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/r/{fid}/" if response.redirect_chain else True
    assert "Vorstandsrunde" in response.content.decode()


def test_normalising_keeps_unknown_ids_unknown(client, room):
    assert client.get("/r/ABC-DEF-GHI-JKL/", follow=True).status_code == 404
    assert services.friendly_id_normalise(friendly_id=" KXM PQT_WZB–FHD ") == "kxm-pqt-wzb-fhd"


def test_a_failed_join_then_reload_shows_the_room_page_not_a_blank_405(client, room):
    join = reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})
    failed = client.post(join, {"name": "Gustav Gast", "code": "000000"})
    assert failed.status_code in (400, 409) or "stimmt nicht" in failed.content.decode()
    reloaded = client.get(join, follow=True)  # the browser's reload of that page, as a GET
    assert reloaded.status_code == 200 and "Vorstandsrunde" in reloaded.content.decode()


def test_each_room_card_of_the_room_list_has_a_start_button(client, personas, room, bbb_server, simulator):
    other = RoomFactory(club=personas.club, name="Kassenprüfung")
    client.force_login(personas.admin)
    html = client.get(reverse("rooms:list", kwargs={"club_slug": personas.club.slug})).content.decode()
    for r in (room, other):
        action = reverse("rooms:start", kwargs={"club_slug": personas.club.slug, "room_id": r.pk})
        assert f'action="{action}"' in html
    assert html.count(">Starten</button>") == 2
    response = client.post(reverse("rooms:start", kwargs={"club_slug": personas.club.slug, "room_id": other.pk}))
    assert response.status_code == 302 and simulator.calls["create"] == 1
    html = client.get(reverse("rooms:list", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert html.count(">Beitreten</button>") == 1 and html.count(">Starten</button>") == 1


def test_the_start_button_shows_only_where_the_member_may_start(client, personas, room):
    client.force_login(personas.member)  # a plain member, no host of the room, which does not let members start
    html = client.get(reverse("rooms:list", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert ">Starten</button>" not in html
