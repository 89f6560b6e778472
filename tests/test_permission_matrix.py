"""Rule 1, checked for every URL pattern of the site: built from the URL resolver, so no view escapes it.

Each view carries an ``access`` marker (clubs/tenancy.py): ``club`` (with ``club_permission``),
``public`` or ``account``. For every pattern and each persona - anonymous, outsider, member, club
admin, owner, staff - the expected answer follows from the marker:

- club pages: anonymous visitors are sent to the login page with ``next`` (GET and POST); outsiders and
  staff without a membership get 404 (GET and POST); a member
  for whom the predicate is false gets 403 (GET and POST); otherwise anything but 403/404/5xx.
  Room pages (``room_view``) carry a ``room_permission(membership, room)`` predicate instead, judged
  for the room the URL names; besides the personas, a member named host of that room is tried.
- account pages: anonymous visitors are sent to the login page; logged-in people get their page.
- public pages: nobody is sent to the login page, nothing crashes.

URL arguments other than ``club_slug`` are filled by ``KWARG_FACTORIES``; a new kind of argument
fails the test until it is added there. Every club URL that takes such an argument is also tried
with the id of ANOTHER club's object (as the owner of the first club): it must answer 404.

The Django admin (``admin/``) and allauth's own ``konto/`` pages are not club pages; they are tested
in tests/accounts/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clubs.models import Club, Membership, Role
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    RecordingFactory,
    RoomFactory,
    ServerFactory,
    UserFactory,
)

PERSONAS = ("anonymous", "outsider", "member", "admin", "owner", "staff")
ACCESS_KINDS = {"club", "public", "account"}


# --- collecting the patterns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    callback: Callable[..., Any]
    kwargs: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.route} ({self.name})"


def _is_excluded(prefix: str, urlconf: Any) -> bool:
    if prefix.startswith("admin/"):
        return True
    module = urlconf.__name__ if isinstance(urlconf, ModuleType) else ""
    return module.startswith("allauth")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "", kwargs: tuple = ()) -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        names = kwargs + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            if _is_excluded(text, pattern.urlconf_name):
                continue
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern, text, ns, names)
        elif isinstance(pattern, URLPattern):
            if _is_excluded(text, None):
                continue
            full_name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else ""
            yield Route(text, full_name, pattern.callback, names)


def site_routes() -> list[Route]:
    return list(_walk(get_resolver()))


ROUTES = site_routes()


def view_marker(callback: Callable[..., Any]) -> tuple[str | None, Any]:
    """The view's access marker and club predicate (function views or class-based via view_class)."""
    for obj in (callback, getattr(callback, "view_class", None)):
        if obj is not None and getattr(obj, "access", None):
            return obj.access, getattr(obj, "club_permission", None)
    return None, None


def room_marker(callback: Callable[..., Any]) -> Any:
    """The per-room predicate of a ``room_view`` (None for other views)."""
    return getattr(callback, "room_permission", None)


# --- URL arguments -------------------------------------------------------------------------------


class Objects:
    """Creates, once per club, the objects URL arguments point to."""

    def __init__(self, club: Club) -> None:
        self.club = club
        self._cache: dict[str, Any] = {}

    def _get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def room(self) -> Any:
        return self._get("room", lambda: RoomFactory(club=self.club))

    @property
    def server(self) -> Any:
        return self._get("server", ServerFactory)

    @property
    def meeting(self) -> Any:
        return self._get("meeting", lambda: MeetingFactory(room=self.room, server=self.server))

    @property
    def recording(self) -> Any:
        return self._get("recording", lambda: RecordingFactory(room=self.room, server=self.server))

    @property
    def personal_link(self) -> Any:
        from rooms.models import PersonalLink

        return self._get("personal_link", lambda: PersonalLink.objects.create(room=self.room, name="Gabi Gast"))

    @property
    def presentation(self) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from rooms.presentations import presentation_add

        pdf = SimpleUploadedFile("folien.pdf", b"%PDF-1.4\n%%EOF\n")
        return self._get("presentation", lambda: presentation_add(room=self.room, actor=None, upload=pdf))

    @property
    def membership(self) -> Membership:
        # A plain member: every manager may act on it, so allowed personas really reach the view.
        return self._get("membership", lambda: MembershipFactory(club=self.club, role=Role.MEMBER))

    @property
    def invitation(self) -> Any:
        from datetime import timedelta

        from django.utils import timezone

        from clubs.models import Invitation

        return self._get(
            "invitation",
            lambda: Invitation.objects.create(
                club=self.club,
                email=f"eingeladen-{self.club.pk}@example.org",
                role=Role.MEMBER,
                expires_at=timezone.now() + timedelta(days=7),
            ),
        )

    @property
    def scheduled_meeting(self) -> Any:
        from datetime import timedelta

        from django.utils import timezone

        from events.models import ScheduledMeeting

        start = timezone.now() + timedelta(days=3)
        return self._get(
            "scheduled_meeting",
            lambda: ScheduledMeeting.objects.create(
                club=self.club, room=self.room, title="Termin", start_at=start, end_at=start + timedelta(hours=1)
            ),
        )

    @property
    def motion(self) -> Any:
        def make() -> Any:
            from assemblies import services
            from assemblies.models import Assembly

            assembly, _ = Assembly.objects.get_or_create(
                scheduled_meeting=self.scheduled_meeting, defaults={"club": self.club}
            )
            return services.motion_create(assembly=assembly, actor=None, title="Antrag", options=[], secret=False)

        return self._get("motion", make)


# kwarg name -> value for a club's object. Views with new kinds of arguments extend this mapping.
KWARG_FACTORIES: dict[str, Callable[[Objects], Any]] = {
    "room_id": lambda o: o.room.pk,
    "friendly_id": lambda o: o.room.friendly_id,
    "recording_id": lambda o: o.recording.pk,
    "recording_pk": lambda o: o.recording.pk,
    "record_id": lambda o: o.recording.record_id,
    "membership_id": lambda o: o.membership.pk,
    "invitation_id": lambda o: o.invitation.pk,
    "token": lambda o: o.invitation.token,
    "server_id": lambda o: o.server.pk,
    "scheduled_meeting_id": lambda o: o.scheduled_meeting.pk,
    "calendar_token": lambda o: o.club.calendar_token,
    "link_id": lambda o: o.personal_link.pk,
    "link_token": lambda o: o.personal_link.token,
    "presentation_id": lambda o: o.presentation.pk,
    "fetch_token": lambda o: presentation_fetch_token(o.presentation),
    "filename": lambda o: o.presentation.name,
    "motion_id": lambda o: o.motion.pk,
}


def presentation_fetch_token(presentation: Any) -> str:
    from rooms.presentations import presentation_fetch_url

    return presentation_fetch_url(presentation).rstrip("/").split("/")[-2]


def build_url(route: Route, objects: Objects) -> str:
    if not route.name:
        pytest.fail(f"URL pattern {route.route} has no name; name it so the permission matrix can reverse it.")
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if name == "club_slug":
            kwargs[name] = objects.club.slug
        elif name in KWARG_FACTORIES:
            kwargs[name] = KWARG_FACTORIES[name](objects)
        else:
            pytest.fail(
                f"URL pattern {route} takes the argument '{name}', which the permission matrix does not know. "
                f"Add a factory for it to KWARG_FACTORIES in tests/test_permission_matrix.py."
            )
    return reverse(route.name, kwargs=kwargs)


# --- the checks ----------------------------------------------------------------------------------


def _client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _users(personas: Any) -> dict[str, Any]:
    return {
        "anonymous": None,
        "outsider": personas.outsider,
        "member": personas.member,
        "admin": personas.admin,
        "owner": personas.owner,
        "staff": personas.staff,
    }


def _check_club(
    route: Route, url: str, predicate: Any, personas: Any, room_predicate: Any = None, room: Any = None
) -> list[str]:
    problems = []
    users = _users(personas)
    if room_predicate is not None:
        host = MembershipFactory(club=personas.club, role=Role.MEMBER)
        room.hosts.add(host)
        users["host"] = host.user
    memberships = {m.user_id: m for m in Membership.objects.filter(club=personas.club).select_related("club")}
    for persona, user in users.items():
        client = _client_for(user)
        membership = memberships.get(user.pk) if user is not None else None
        if membership is not None and room_predicate is not None:
            fresh_room = type(room).objects.get(pk=room.pk)  # no cached host ids between personas
            allowed = room_predicate(membership, fresh_room)
        else:
            allowed = predicate is None or membership is None or predicate(membership)
        if user is None:
            login_url = resolve_url(settings.LOGIN_URL)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                expected = f"{login_url}?next={quote(url)}"
                if response.status_code != 302 or response["Location"] != expected:
                    problems.append(
                        f"anonymous {method.upper()} {url}: expected a redirect to {expected}, "
                        f"got {response.status_code} {response.get('Location', '')}"
                    )
        elif membership is None:
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status != 404:
                    problems.append(f"{persona} {method.upper()} {url}: expected 404, got {status}")
        elif not allowed:
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status != 403:
                    problems.append(f"{persona} {method.upper()} {url}: expected 403, got {status}")
        else:
            status = client.get(url).status_code
            if status in (403, 404) or status >= 500:
                problems.append(f"{persona} GET {url}: expected access, got {status}")
    return problems


def _check_account(url: str, personas: Any) -> list[str]:
    problems = []
    login_url = resolve_url(settings.LOGIN_URL)
    for persona, user in _users(personas).items():
        response = _client_for(user).get(url)
        if user is None:
            if response.status_code != 302 or not response["Location"].startswith(login_url):
                problems.append(
                    f"anonymous GET {url}: expected a redirect to the login page, got {response.status_code}"
                )
        elif response.status_code in (403, 404) or response.status_code >= 500:
            problems.append(f"{persona} GET {url}: expected their account page, got {response.status_code}")
    return problems


def _check_public(url: str, personas: Any) -> list[str]:
    problems = []
    login_url = resolve_url(settings.LOGIN_URL)
    for persona, user in _users(personas).items():
        response = _client_for(user).get(url)
        if response.status_code == 500:  # 503 is a legitimate answer (healthz without heartbeats)
            problems.append(f"{persona} GET {url}: server error {response.status_code}")
        if response.status_code == 302 and response["Location"].startswith(login_url):
            problems.append(f"{persona} GET {url}: a public page must not require a login")
    return problems


@pytest.mark.parametrize("route", ROUTES, ids=[str(r) for r in ROUTES])
def test_every_url_pattern_answers_each_persona_as_its_marker_says(route, personas):
    access, predicate = view_marker(route.callback)
    if access not in ACCESS_KINDS:
        pytest.fail(
            f"URL pattern {route} has no access marker: use club_view/ClubMixin, @public_view or @account_view "
            f"from clubs.tenancy."
        )
    objects = Objects(personas.club)
    url = build_url(route, objects)
    if access == "club":
        assert "club_slug" in route.kwargs, f"{route} is a club page without club_slug in its URL"
        room_predicate = room_marker(route.callback)
        room = objects.room if room_predicate is not None else None
        problems = _check_club(route, url, predicate, personas, room_predicate, room)
    elif access == "account":
        problems = _check_account(url, personas)
    else:
        problems = _check_public(url, personas)
    assert not problems, f"{route}:\n" + "\n".join(problems)


CROSS_CLUB_ROUTES = [r for r in ROUTES if view_marker(r.callback)[0] == "club" and set(r.kwargs) - {"club_slug"}]


@pytest.mark.parametrize("route", CROSS_CLUB_ROUTES, ids=[str(r) for r in CROSS_CLUB_ROUTES])
def test_ids_of_another_clubs_objects_answer_404(route, personas):
    """The owner of club A, on club A's URL, with each id taken from club B's objects: 404."""
    own, foreign = Objects(personas.club), Objects(personas.other_club)
    client = _client_for(personas.owner)
    for name in set(route.kwargs) - {"club_slug"}:
        kwargs = {k: KWARG_FACTORIES[k](own) for k in route.kwargs if k != "club_slug"}
        kwargs[name] = KWARG_FACTORIES[name](foreign)
        url = reverse(route.name, kwargs={"club_slug": personas.club.slug, **kwargs})
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status == 404, f"{route}: {name} of another club via {method.upper()} {url} gave {status}"


def test_unmarked_views_and_unknown_arguments_make_the_matrix_fail(personas):
    """The matrix refuses what it cannot judge, instead of letting it through."""

    def unmarked(request):  # pragma: no cover - never called
        raise AssertionError

    assert view_marker(unmarked) == (None, None)
    with pytest.raises(pytest.fail.Exception, match="does not know"):
        build_url(
            Route("c/<slug:club_slug>/x/<int:widget_id>/", "clubs:dashboard", unmarked, ("club_slug", "widget_id")),
            Objects(personas.club),
        )


def test_matrix_covers_the_club_pages_and_excludes_admin_and_allauth():
    routes = {r.name for r in ROUTES}
    assert {"clubs:dashboard", "clubs:members", "clubs:settings", "accounts:profile", "set_language"} <= routes
    assert not any(r.route.startswith("admin/") for r in ROUTES)
    assert "account_login" not in routes and "mfa_activate_totp" not in routes


def test_permission_matrix_size_is_reported(capsys):
    n = len(ROUTES)
    m = n * len(PERSONAS)
    with capsys.disabled():
        print(f"\npermission matrix: {n} URL patterns x {len(PERSONAS)} personas = {m} checks")
        print(f"cross-club id checks: {len(CROSS_CLUB_ROUTES)} URL patterns with object ids")
    assert n > 0


def test_staff_without_membership_is_an_outsider_on_club_pages(personas, client):
    client.force_login(personas.staff)
    assert client.get(reverse("clubs:dashboard", kwargs={"club_slug": personas.club.slug})).status_code == 404
    staff_member = UserFactory(is_staff=True)
    MembershipFactory(club=personas.club, user=staff_member, role=Role.MEMBER)
    client.force_login(staff_member)
    assert client.get(reverse("clubs:dashboard", kwargs={"club_slug": personas.club.slug})).status_code == 200


def test_class_based_views_are_read_through_view_class():
    from django.views.generic import TemplateView

    from clubs import permissions
    from clubs.tenancy import ClubMixin

    class Example(ClubMixin, TemplateView):
        club_permission = permissions.can_manage_rooms

    assert view_marker(Example.as_view()) == ("club", permissions.can_manage_rooms)
