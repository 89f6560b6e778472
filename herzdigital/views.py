from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from clubs.tenancy import public_view
from herzdigital.health import health_report


@public_view
def home(request: HttpRequest) -> HttpResponse:
    """Landing page; a member of exactly one club goes straight to that club."""
    if request.user.is_authenticated:
        memberships = list(
            request.user.memberships.select_related("club").exclude(club__status__in=["rejected", "closed"])
        )
        if len(memberships) == 1:
            return redirect("clubs:dashboard", club_slug=memberships[0].club.slug)
        return render(request, "home.html", {"memberships": memberships})
    return render(request, "home.html", {"memberships": []})


@public_view
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from a context processor or the database.
    return render(request, "errors/500.html", status=500, using=None)
