from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from clubs.models import Club
from clubs.tenancy import public_view
from rooms.models import Room


@public_view
def public_room(request: HttpRequest, friendly_id: str) -> HttpResponse:
    room = get_object_or_404(
        Room.objects.select_related("club"), friendly_id=friendly_id, club__status=Club.Status.ACTIVE
    )
    return render(request, "rooms/public.html", {"room": room})


urlpatterns = [
    path("r/<str:friendly_id>/", public_room, name="public"),
]
