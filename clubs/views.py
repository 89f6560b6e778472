from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clubs import permissions
from clubs.tenancy import club_view


@club_view(permissions.can_view_club)
def dashboard(request: HttpRequest) -> HttpResponse:
    rooms = request.club.rooms.all()
    return render(request, "clubs/dashboard.html", {"rooms": rooms})
