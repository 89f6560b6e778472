"""Rule 1: every club page resolves its club here, once.

``club_view`` (for function views) and ``ClubMixin`` (for class-based views) take the club slug from
the URL, look up the user's membership and set ``request.club`` and ``request.membership``.
Anonymous visitors are sent to the login page and back (``next``) before anything is looked up, so the
link in an email works for someone who is not logged in yet and still reveals nothing; logged-in outsiders
get 404, so that nobody learns that a club exists; members whose role is too low get 403. Staff are
treated like outsiders here: they help clubs through the admin, not by browsing club pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from clubs.models import Club, Membership

Predicate = Callable[[Membership], bool]
RoomPredicate = Callable[[Membership, Any], bool]


def resolve_club(request: HttpRequest, club_slug: str, allowed: Predicate | None = None) -> None:
    """Set request.club/request.membership or raise 404 (outsider) / 403 (predicate fails)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("club", "user")
        .filter(club__slug=club_slug, user=user)
        .exclude(club__status__in=[Club.Status.REJECTED, Club.Status.CLOSED])
        .first()
    )
    if membership is None:
        raise Http404
    request.club = membership.club
    request.membership = membership
    if allowed is not None and not allowed(membership):
        raise PermissionDenied


def club_view(allowed: Predicate | None = None) -> Callable:
    """Decorator for a view taking ``club_slug``: ``@club_view(permissions.can_manage_rooms)``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, club_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            resolve_club(request, club_slug, allowed)
            return view(request, *args, **kwargs)

        wrapped.access = "club"  # read by the permission-matrix test
        wrapped.club_permission = allowed
        return wrapped

    return decorator


def room_view(allowed: RoomPredicate) -> Callable:
    """Decorator for a club page about one room (``club_slug`` + ``room_id``): the room comes through
    ``request.club.rooms`` (another club's id is 404), then ``allowed(membership, room)`` or 403.

    The view is called as ``view(request, room, ...)``; ``request.room`` is set too.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, club_slug: str, room_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            resolve_club(request, club_slug)
            room = request.club.rooms.filter(pk=room_id).first()
            if room is None:
                raise Http404
            room.club = request.club
            request.room = room
            if not allowed(request.membership, room):
                raise PermissionDenied
            return view(request, room, *args, **kwargs)

        wrapped.access = "club"  # read by the permission-matrix test
        wrapped.club_permission = None
        wrapped.room_permission = allowed
        return wrapped

    return decorator


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view as deliberately public (room links, registration, callbacks, legal pages)."""
    view.access = "public"
    return view


def account_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page about the logged-in user's own account (login required, no club)."""
    from django.contrib.auth.decorators import login_required

    wrapped = login_required(view)
    wrapped.access = "account"
    return wrapped


class ClubMixin:
    """Class-based counterpart of ``club_view``: set ``club_permission`` on the view class."""

    access = "club"
    club_permission: Predicate | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        club_slug = kwargs.pop("club_slug")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        resolve_club(request, club_slug, type(self).club_permission)
        self.club = request.club
        self.membership = request.membership
        return super().dispatch(request, *args, **kwargs)
