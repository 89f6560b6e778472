"""A room's presentations: the hosts' page (upload, default, delete) and the signed URL BBB fetches from."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clubs import permissions
from clubs.tenancy import public_view, room_view
from rooms import presentations
from rooms.forms import PresentationForm
from rooms.models import Room


@room_view(permissions.can_manage_presentations)
@require_http_methods(["GET", "POST"])
def presentation_list(request: HttpRequest, room: Room) -> HttpResponse:
    form = PresentationForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        try:
            added = presentations.presentation_add(room=room, actor=request.user, upload=form.cleaned_data["file"])
        except presentations.PresentationRefused as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("„%(name)s“ ist hochgeladen.") % {"name": added.name})
            return redirect("rooms:presentations", club_slug=request.club.slug, room_id=room.pk)
    context = {
        "room": room,
        "form": form,
        "presentations": room.presentations.all(),
        "max_mb": presentations.max_bytes() // 2**20,
    }
    return render(request, "rooms/presentations.html", context, status=400 if form.errors else 200)


def _presentation_action(request: HttpRequest, room: Room, presentation_id: int, action: str) -> HttpResponse:
    presentation = get_object_or_404(room.presentations, pk=presentation_id)  # foreign ids: 404 before 405
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    presentation.room = room
    if action == "default":
        presentations.presentation_set_default(presentation=presentation, actor=request.user)
        messages.success(request, _("„%(name)s“ wird zu Beginn gezeigt.") % {"name": presentation.name})
    else:
        presentations.presentation_delete(presentation=presentation, actor=request.user)
        messages.success(request, _("„%(name)s“ ist gelöscht.") % {"name": presentation.name})
    return redirect("rooms:presentations", club_slug=request.club.slug, room_id=room.pk)


@room_view(permissions.can_manage_presentations)
def presentation_default(request: HttpRequest, room: Room, presentation_id: int) -> HttpResponse:
    return _presentation_action(request, room, presentation_id, "default")


@room_view(permissions.can_manage_presentations)
def presentation_delete(request: HttpRequest, room: Room, presentation_id: int) -> HttpResponse:
    return _presentation_action(request, room, presentation_id, "delete")


@public_view
@require_GET
def presentation_fetch(request: HttpRequest, fetch_token: str, filename: str) -> FileResponse:
    """What BBB downloads: only with a fresh signature (``PRESENTATION_URL_MAX_AGE``), else 404."""
    presentation = presentations.presentation_for_token(token=fetch_token)
    if presentation is None or presentation.name != filename:
        raise Http404
    response = FileResponse(presentation.file.open("rb"), content_type=presentation.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


club_room = "c/<slug:club_slug>/raeume/<int:room_id>/"

urlpatterns = [
    path(f"{club_room}praesentationen/", presentation_list, name="presentations"),
    path(
        f"{club_room}praesentationen/<int:presentation_id>/standard/", presentation_default, name="presentation_default"
    ),
    path(
        f"{club_room}praesentationen/<int:presentation_id>/loeschen/", presentation_delete, name="presentation_delete"
    ),
    path("praesentation/<str:fetch_token>/<str:filename>", presentation_fetch, name="presentation_fetch"),
]
