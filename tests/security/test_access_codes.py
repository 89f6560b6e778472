"""Findings 1 and 2: wrong access codes are counted per browser, per real address and per room."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from clubs.models import AuditEntry
from meetings.bbb_clients import client_for
from meetings.models import Meeting
from rooms import access_codes, services
from tests.factories import RoomFactory

PROXY = "127.0.0.1"
YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = [PROXY]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def room(personas, bbb_server, simulator):
    room = RoomFactory(club=personas.club, name="Elternabend", viewer_code="482913")
    services.meeting_start(room=room, display_name="Vorstand")
    simulator.calls.clear()
    client_for(bbb_server).calls.clear()
    assert Meeting.objects.filter(room=room).exists()
    return room


def join(client: Client, room, code: str, address: str = "203.0.113.5"):
    url = reverse("rooms:join", kwargs={"friendly_id": room.friendly_id})
    return client.post(url, {"name": "Gabi", "code": code}, REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": address})


def wrong(n: int) -> str:
    return f"{n:06d}"


def test_expected_time_to_guess_a_code_exceeds_a_year():
    assert access_codes.expected_guess_seconds() > YEAR
    assert access_codes.expected_guess_seconds(guarded=True) > 20 * YEAR
    # the numbers of the docstring
    assert round(access_codes.expected_guess_seconds() / YEAR, 1) == 1.9
    assert round(access_codes.expected_guess_seconds(guarded=True) / YEAR, 1) == 45.7


def test_a_mistyping_browser_is_blocked_but_its_neighbours_on_the_same_address_are_not(room):
    typist, neighbour = Client(), Client()
    statuses = [join(typist, room, wrong(n)).status_code for n in range(access_codes.BROWSER_ATTEMPTS)]
    assert statuses == [400] * (access_codes.BROWSER_ATTEMPTS - 1) + [429]
    assert join(typist, room, "482913").status_code == 429  # refused before the code is looked at
    assert join(neighbour, room, "482913").status_code == 302  # same Wi-Fi, right code: joins


def test_dropping_the_cookie_does_not_escape_the_address_limit(room):
    for n in range(access_codes.ADDRESS_ATTEMPTS):
        join(Client(), room, wrong(n))
    assert join(Client(), room, "482913").status_code == 429
    assert join(Client(), room, "482913", address="198.51.100.20").status_code == 302  # another address


def test_addresses_behind_the_proxy_are_counted_apart(room):
    for n in range(access_codes.ADDRESS_ATTEMPTS):
        join(Client(), room, wrong(n), address="198.51.100.66")
    assert join(Client(), room, "482913", address="203.0.113.5").status_code == 302


def test_ipv6_neighbours_in_one_64_share_the_address_limit(room):
    for n in range(access_codes.ADDRESS_ATTEMPTS):
        join(Client(), room, wrong(n), address=f"2001:db8:5:6::{n + 1:x}")
    assert join(Client(), room, "482913", address="2001:db8:5:6::ffff").status_code == 429
    assert join(Client(), room, "482913", address="2001:db8:5:7::1").status_code == 302


def test_a_guest_who_had_the_right_code_is_not_stopped_by_a_later_block(room):
    guest = Client()
    assert join(guest, room, "482913").status_code == 302
    for n in range(access_codes.ADDRESS_ATTEMPTS):
        join(Client(), room, wrong(n))
    assert join(guest, room, "482913").status_code == 302


def test_the_room_ceiling_alerts_the_hosts_instead_of_blocking_everybody(
    room, personas, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(access_codes.ROOM_CEILING):
            join(Client(), room, wrong(n), address=f"198.51.{n // 200}.{n % 200 + 1}")
    assert join(Client(), room, "482913", address="203.0.113.200").status_code == 302
    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([personas.owner.email, personas.admin.email])
    assert "Zugangscode" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="room.code_ceiling_reached").count() == 1
    alert = access_codes.access_code_alert(room)
    assert alert is not None and alert.wrong_codes == access_codes.ROOM_CEILING


def test_hosts_see_the_alert_and_can_lift_every_block(room, personas, client):
    for n in range(access_codes.ROOM_CEILING):
        join(Client(), room, wrong(n), address="198.51.100.1" if n < 20 else f"198.51.101.{n}")
    assert join(Client(), room, "482913", address="198.51.100.1").status_code == 429
    client.force_login(personas.admin)
    detail = reverse("rooms:detail", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    page = client.get(detail).content.decode()
    assert "falsche Zugangscodes" in page and 'value="unblock"' in page
    codes = reverse("rooms:codes", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    assert client.post(codes, {"codes": "unblock"}).status_code == 302
    assert access_codes.access_code_alert(room) is None
    assert join(Client(), room, "482913", address="198.51.100.1").status_code == 302
    assert AuditEntry.objects.filter(action="room.code_blocks_lifted", actor=personas.admin).exists()


def test_new_codes_lift_the_blocks_too(room, personas, client):
    for n in range(access_codes.ADDRESS_ATTEMPTS):
        join(Client(), room, wrong(n))
    services.room_regenerate_codes(room=room, actor=personas.admin, viewer=True)
    room.refresh_from_db()
    assert join(Client(), room, room.viewer_code).status_code == 302


def test_members_cannot_lift_blocks(room, personas, client):
    client.force_login(personas.member)
    codes = reverse("rooms:codes", kwargs={"club_slug": personas.club.slug, "room_id": room.pk})
    assert client.post(codes, {"codes": "unblock"}).status_code == 403


def test_the_browser_cookie_is_signed_httponly_and_only_set_after_a_wrong_code(room):
    guest = Client()
    assert access_codes.COOKIE_NAME not in join(guest, room, "482913").cookies
    response = join(Client(), room, wrong(1))
    cookie = response.cookies[access_codes.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    forged = Client()
    forged.cookies[access_codes.COOKIE_NAME] = "forged-id"
    for n in range(access_codes.BROWSER_ATTEMPTS):
        join(forged, room, wrong(n))
    # an unsigned id is not believed: every forged request counts as a new browser, the address still counts
    assert cache.get(f"rooms:codes:{room.pk}:0:address:203.0.113.5") == access_codes.BROWSER_ATTEMPTS + 1


def test_checking_whether_a_guest_is_blocked_reads_the_cache_twice(room, monkeypatch):
    """Every guest joining a coded room asks: the codes' generation, then all counters in one get_many."""
    request = Client().get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).wsgi_request
    reads: list[str] = []
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append("get") or None)
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: reads.append("get_many") or {})
    assert access_codes.access_code_blocked(request=request, room=room) is False
    assert reads == ["get", "get_many"]
