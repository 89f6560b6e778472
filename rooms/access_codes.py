"""Guessing access codes, bounded without locking honest guests out of a room (finding 2).

Many honest guests can share one address (a club's Wi-Fi, a mobile carrier's NAT), so wrong codes
are counted three ways, in the cache, per room:

* per **browser** (a random id in the signed cookie ``hd_guest``, set with the first wrong code):
  ``BROWSER_ATTEMPTS`` wrong codes per ``BROWSER_WINDOW``. A guest who keeps mistyping is stopped
  here, long before their neighbours on the same address notice anything.
* per **address** (``herzdigital.client_ip.client_address``: behind our proxy the real client,
  IPv6 by /64): ``ADDRESS_ATTEMPTS`` per ``ADDRESS_WINDOW``, higher than the browser limit. An
  attacker simply drops the cookie, so this is the limit that bounds guessing.
* per **room**: past ``ROOM_CEILING`` wrong codes within ``ROOM_WINDOW`` the room does not block
  anybody - it alerts its hosts (an email to the club's owners and admins and a notice on the room
  page) and from then on allows each address only ``ADDRESS_ATTEMPTS`` per ``GUARDED_WINDOW``.

A blocked browser or address is refused before its code is looked at (so a block cannot be used to
test codes). Hosts lift every block of the room and end the guarded state from the room page; new
codes do that too. A guest who entered the right code is remembered in the session, so a later
block of their address does not stop them.

Expected time to guess a code, for one attacking address (``expected_guess_seconds``): a code is
6 digits, 10^6 values; a room has at most 2 valid codes (guests, moderation). Guessing without
repeats needs (10^6 + 1) / 3 ≈ 333,334 attempts on average; at 20 attempts per hour that is
≈ 16,667 hours ≈ 1.9 years - and once the room's ceiling is passed (100 wrong codes a day, which
such an attack passes on its first day) 20 per day, ≈ 45.7 years. An attacker with n addresses
needs 1/n of that, but cannot stay unnoticed: the hosts get the alert on the first day and new
codes start the guessing from scratch.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clubs.audit import audit_log
from clubs.models import Role
from herzdigital.client_ip import client_address
from rooms.models import Room

CODE_DIGITS = 6
MAX_VALID_CODES = 2

BROWSER_ATTEMPTS = 5
BROWSER_WINDOW = 15 * 60
ADDRESS_ATTEMPTS = 20
ADDRESS_WINDOW = 60 * 60
ROOM_CEILING = 100
ROOM_WINDOW = 24 * 60 * 60
GUARDED_WINDOW = 24 * 60 * 60

COOKIE_NAME = "hd_guest"
COOKIE_SALT = "rooms.access_codes.browser"
COOKIE_MAX_AGE = 30 * 24 * 60 * 60


def expected_guess_seconds(*, guarded: bool = False) -> float:
    """Average time one address needs to hit a valid code under these limits (see the module docstring)."""
    space = 10**CODE_DIGITS
    attempts = (space + 1) / (MAX_VALID_CODES + 1)
    window = GUARDED_WINDOW if guarded else ADDRESS_WINDOW
    return attempts / ADDRESS_ATTEMPTS * window


def _generation(room: Room) -> int:
    return cache.get(f"rooms:codes:gen:{room.pk}") or 0


def _key(room: Room, kind: str, who: str = "", *, generation: int | None = None) -> str:
    """A counter's (or the guarded flag's) cache key; new codes start a new generation of keys."""
    generation = _generation(room) if generation is None else generation
    key = f"rooms:codes:{room.pk}:{generation}:{kind}"
    return f"{key}:{who}" if who else key


def _count(key: str) -> int:
    return cache.get(key) or 0


def _incr(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _browser_id(request: HttpRequest) -> str:
    browser = getattr(request, "_hd_guest", None)
    if browser:
        return browser
    browser = request.get_signed_cookie(COOKIE_NAME, default="", salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    if not browser:
        browser = secrets.token_urlsafe(16)
        request._hd_guest_new = True
    request._hd_guest = browser
    return browser


def remember_browser(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Set the browser's signed id cookie when this request gave it one (only after a wrong code)."""
    if getattr(request, "_hd_guest_new", False):
        response.set_signed_cookie(
            COOKIE_NAME,
            request._hd_guest,
            salt=COOKIE_SALT,
            max_age=COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _session_key(room: Room) -> str:
    return f"rooms:code-ok:{room.pk}"


def _codes_fingerprint(room: Room) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac("rooms.access_codes.ok", f"{room.viewer_code}\0{room.moderator_code}").hexdigest()[:16]


def code_known(request: HttpRequest, room: Room) -> bool:
    """Whether this visitor entered one of the room's current codes before (a code change forgets it)."""
    return request.session.get(_session_key(room)) == _codes_fingerprint(room)


def room_details_visible(*, request: HttpRequest, room: Room, member: bool) -> bool:
    """The next meeting's title and the participant count: for members, and for guests who gave the code.

    A room without a guest code lets everybody with the link in, so it shows them to everybody too.
    """
    return member or not room.viewer_code or code_known(request, room)


def _guarded(room: Room) -> bool:
    return bool(cache.get(_key(room, "guarded")))


def access_code_blocked(*, request: HttpRequest, room: Room) -> bool:
    """True when this browser or address may not try a code for the room now.

    Every guest joining a room with a code asks this, so it reads all its counters in one round
    trip to the cache (after the one for the codes' generation), not one per counter.
    """
    if code_known(request, room):
        return False
    generation, address = _generation(room), client_address(request)
    browser, by_address, guarded, by_address_guarded = (
        _key(room, "browser", _browser_id(request), generation=generation),
        _key(room, "address", address, generation=generation),
        _key(room, "guarded", generation=generation),
        _key(room, "address-guarded", address, generation=generation),
    )
    counts = cache.get_many([browser, by_address, guarded, by_address_guarded])
    if counts.get(browser, 0) >= BROWSER_ATTEMPTS or counts.get(by_address, 0) >= ADDRESS_ATTEMPTS:
        return True
    return bool(counts.get(guarded)) and counts.get(by_address_guarded, 0) >= ADDRESS_ATTEMPTS


def access_code_failed(*, request: HttpRequest, room: Room) -> bool:
    """Count one wrong code; True when this browser or address is now blocked for the room."""
    browser = _incr(_key(room, "browser", _browser_id(request)), BROWSER_WINDOW)
    address_key = client_address(request)
    address = _incr(_key(room, "address", address_key), ADDRESS_WINDOW)
    guarded = _guarded(room)
    if guarded:
        address = max(address, _incr(_key(room, "address-guarded", address_key), GUARDED_WINDOW))
    if _incr(_key(room, "room", "all"), ROOM_WINDOW) >= ROOM_CEILING and not guarded:
        _start_guarding(room)
    return browser >= BROWSER_ATTEMPTS or address >= ADDRESS_ATTEMPTS


def access_code_succeeded(*, request: HttpRequest, room: Room) -> None:
    request.session[_session_key(room)] = _codes_fingerprint(room)


@dataclass(frozen=True)
class CodeAlert:
    since: str
    wrong_codes: int


def access_code_alert(room: Room) -> CodeAlert | None:
    """The notice for the room page while the room is guarded (its wrong-code ceiling was passed)."""
    since = cache.get(_key(room, "guarded"))
    if not since:
        return None
    return CodeAlert(since=since, wrong_codes=_count(_key(room, "room", "all")))


def _start_guarding(room: Room) -> None:
    key = _key(room, "guarded")
    if not cache.add(key, timezone.now().isoformat(), timeout=GUARDED_WINDOW):
        return  # another request got there first: one alert per episode
    audit_log(action="room.code_ceiling_reached", club=room.club, target=room, details={"ceiling": ROOM_CEILING})
    _alert_hosts(room)


def _alert_hosts(room: Room) -> None:
    hosts = [m.user for m in room.club.memberships.filter(role__in=[Role.OWNER, Role.ADMIN]).select_related("user")]
    url = settings.SITE_URL + reverse("rooms:detail", kwargs={"club_slug": room.club.slug, "room_id": room.pk})
    messages = []
    for user in hosts:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            ctx = {"room": room, "club": room.club, "url": url, "ceiling": ROOM_CEILING, "user": user}
            subject = render_to_string("rooms/email/code_alert_subject.txt", ctx).strip()
            body = render_to_string("rooms/email/code_alert_message.txt", ctx)
        messages.append((subject, body, user.email))

    def send() -> None:
        for subject, body, address in messages:
            send_mail(f"[herzdigital] {subject}", body, None, [address])

    transaction.on_commit(send)


def access_codes_reset(*, room: Room, actor: Any, reason: str = "unblock") -> None:
    """Lift every block of the room and end its guarded state (hosts, and every code change)."""
    key = f"rooms:codes:gen:{room.pk}"
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)
    if reason == "unblock":
        audit_log(action="room.code_blocks_lifted", actor=actor, club=room.club, target=room)
