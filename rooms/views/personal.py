"""Personal join links: the hosts' list and form, and the page the invited person opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clubs import permissions
from clubs.tenancy import public_view, room_view
from meetings.models import Meeting
from rooms import personal_links, quotas, services
from rooms.forms import PersonalJoinForm, PersonalLinkForm
from rooms.models import PersonalLink, Room
from rooms.views.rooms import enter_meeting

DEFAULT_VALID_DAYS = 14


@room_view(permissions.can_manage_personal_links)
@require_http_methods(["GET", "POST"])
def link_list(request: HttpRequest, room: Room) -> HttpResponse:
    initial = {"valid_until": timezone.localdate() + timedelta(days=DEFAULT_VALID_DAYS)}
    form = PersonalLinkForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            link = personal_links.personal_link_create(
                room=room,
                actor=request.user,
                name=data["name"],
                email=data["email"],
                role=data["role"],
                expires_at=form.expires_at(),
            )
        except personal_links.PersonalLinkRefused as exc:
            for problem in exc.problems:
                form.add_error(problem.field if problem.field in form.fields else "valid_until", problem.message)
        else:
            messages.success(request, _("Der persönliche Link für „%(name)s“ ist angelegt.") % {"name": link.name})
            return redirect("rooms:links", club_slug=request.club.slug, room_id=room.pk)
    links = [(link, personal_links.personal_link_url(link)) for link in personal_links.personal_links_active(room=room)]
    return render(request, "rooms/links.html", {"room": room, "form": form, "links": links})


@room_view(permissions.can_manage_personal_links)
def link_revoke(request: HttpRequest, room: Room, link_id: int) -> HttpResponse:
    link = get_object_or_404(room.personal_links, pk=link_id)  # before the method check: foreign ids are 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    link.room = room
    personal_links.personal_link_revoke(link=link, actor=request.user)
    messages.success(request, _("Der Link für „%(name)s“ ist zurückgezogen und gilt nicht mehr.") % {"name": link})
    back = "rooms:detail" if request.POST.get("back") == "detail" else "rooms:links"
    return redirect(back, club_slug=request.club.slug, room_id=room.pk)


@public_view
@require_http_methods(["GET", "POST"])
def personal_join(request: HttpRequest, link_token: str) -> HttpResponse:
    """The invited person's page: name fixed by the link, role from it, no code, no lobby."""
    try:
        link = personal_links.personal_link_resolve(token=link_token)
    except PersonalLink.DoesNotExist:
        raise Http404
    except personal_links.PersonalLinkInvalid as exc:
        context = {"room": exc.link.room, "message": exc.message}
        return render(request, "rooms/personal_invalid.html", context, status=410)
    target = services.room_join_target(friendly_id=link.room.friendly_id)
    if target is None:
        raise Http404
    room, meeting = target
    form = PersonalJoinForm(request.POST if request.method == "POST" else None, link=link)
    context = {"link": link, "room": link.room, "form": form, "records": quotas.records(link.room)}
    if request.method != "POST" or not form.is_valid():
        return render(request, "rooms/personal.html", context, status=400 if form.is_bound else 200)
    if services.consent_missing(room=link.room, given=request.POST.get("consent")):
        return render(request, "rooms/personal.html", {**context, "refusal": services.consent_message()}, status=400)
    return _enter_by_link(request, link, room, meeting, form, context)


def _enter_by_link(
    request: HttpRequest, link: PersonalLink, room: Room, meeting: Meeting | None, form: Any, context: dict
) -> HttpResponse:
    """Name the link's holder once, note its use, and join (or start, or wait) with the link's role."""
    if not link.name:
        personal_links.personal_link_set_name(link=link, name=form.cleaned_data["name"])
    personal_links.personal_link_used(link=link)

    def refused(message: str) -> HttpResponse:
        return render(request, "rooms/personal.html", {**context, "refusal": message}, status=409)

    return enter_meeting(
        request,
        room,
        meeting,
        name=link.name,
        decision=personal_links.personal_link_join_decision(link),
        user_id=personal_links.personal_link_user_id(link),
        may_start=link.role == PersonalLink.Role.MODERATOR or room.anyone_can_start,
        refused=refused,
        link=link,
    )


club_room = "c/<slug:club_slug>/raeume/<int:room_id>/"

urlpatterns = [
    path(f"{club_room}links/", link_list, name="links"),
    path(f"{club_room}links/<int:link_id>/zurueckziehen/", link_revoke, name="link_revoke"),
    path("l/<str:link_token>/", personal_join, name="personal"),
]
