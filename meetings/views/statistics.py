"""The club's usage statistics: meetings, participant-hours and busiest rooms per month."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from clubs import permissions
from clubs.tenancy import club_view
from meetings.exports import club_statistics_csv, service_statistics_csv
from meetings.stats import club_monthly_stats, clubs_usage, this_month


@club_view(permissions.can_view_statistics)
def statistics(request: HttpRequest) -> HttpResponse:
    months = club_monthly_stats(club=request.club, months=12)
    totals = {
        "meetings": sum(m.meetings for m in months),
        "participant_hours": round(sum(m.participant_hours for m in months), 1),
    }
    return render(request, "meetings/statistics.html", {"months": months, "totals": totals})


def _csv_response(content: str, filename: str) -> HttpResponse:
    # A byte order mark so that spreadsheet programs read the umlauts as UTF-8.
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@club_view(permissions.can_view_statistics)
def statistics_csv(request: HttpRequest) -> HttpResponse:
    months = club_monthly_stats(club=request.club, months=12)
    return _csv_response(club_statistics_csv(months=months), f"statistik-{request.club.slug}.csv")


def service_statistics_export(request: HttpRequest) -> HttpResponse:
    """Staff only (wrapped by ``admin.site.admin_view`` in herzdigital/urls.py): ``?monat=2026-03``."""
    month = this_month()
    if request.GET.get("monat"):
        try:
            year, number = (int(part) for part in request.GET["monat"].split("-"))
            month = date(year, number, 1)
        except ValueError:
            raise Http404
    content = service_statistics_csv(clubs=clubs_usage(month=month))
    return _csv_response(content, f"herzdigital-statistik-{month:%Y-%m}.csv")


urlpatterns = [
    path("c/<slug:club_slug>/statistik/", statistics, name="statistics"),
    path("c/<slug:club_slug>/statistik.csv", statistics_csv, name="statistics_csv"),
]
