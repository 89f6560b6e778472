from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache

from clubs.tenancy import public_view
from herzdigital.health import health_report
from pages.models import LegalPage
from pages.services import legal_page_get


@public_view
def home(request: HttpRequest) -> HttpResponse:
    """Landing page; a member of exactly one club goes straight to that club."""
    if request.user.is_authenticated:
        memberships = list(
            request.user.memberships.select_related("club").exclude(club__status__in=["rejected", "closed"])
        )
        if len(memberships) == 1:
            return redirect("clubs:dashboard", club_slug=memberships[0].club.slug)
    else:
        memberships = []
    title, body, text_language = legal_page_get(kind=LegalPage.Kind.HOME).localized()
    context = {"memberships": memberships, "title": title, "body": body, "text_language": text_language}
    return render(request, "home.html", context)


@public_view
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_429(request: HttpRequest, *, retry_after: int | None = None, back_url: str = "") -> HttpResponse:
    """Too many attempts: a friendly page with a Retry-After header (rate limits of any area)."""
    context = {"retry_after": retry_after, "back_url": back_url}
    if retry_after:
        context["retry_after_minutes"] = max(1, math.ceil(retry_after / 60))
    response = render(request, "errors/429.html", context, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def error_503(
    request: HttpRequest,
    *,
    retry_url: str = "",
    retry_post: bool = False,
    back_url: str = "",
    detail: str = "",
    retry_after: int = 30,
) -> HttpResponse:
    """A service we depend on (the BBB server) is unavailable: a page with a retry button."""
    context = {"retry_url": retry_url, "retry_post": retry_post, "back_url": back_url, "detail": detail}
    response = render(request, "errors/503.html", context, status=503)
    response["Retry-After"] = str(retry_after)
    return response


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors or database access: the failure may have come from them.
    context = {"site_name": settings.SITE_NAME, "support_email": settings.SUPPORT_EMAIL}
    return HttpResponseServerError(loader.get_template("errors/500.html").render(context))
