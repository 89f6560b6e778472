"""The club's usage statistics: meetings, participant-hours and busiest rooms per month."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from clubs import permissions
from clubs.tenancy import club_view
from meetings.stats import club_monthly_stats


@club_view(permissions.can_view_statistics)
def statistics(request: HttpRequest) -> HttpResponse:
    months = club_monthly_stats(club=request.club, months=12)
    totals = {
        "meetings": sum(m.meetings for m in months),
        "participant_hours": round(sum(m.participant_hours for m in months), 1),
    }
    return render(request, "meetings/statistics.html", {"months": months, "totals": totals})


urlpatterns = [
    path("c/<slug:club_slug>/statistik/", statistics, name="statistics"),
]
