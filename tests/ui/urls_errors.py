"""A URL configuration with views that fail on purpose, to render every error page through its handler."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from herzdigital import views
from herzdigital.urls import urlpatterns as site_urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def too_many(request: HttpRequest) -> HttpResponse:
    return views.error_429(request, retry_after=300, back_url="/zurueck/")


def unavailable(request: HttpRequest) -> HttpResponse:
    return views.error_503(request, retry_url="/r/abc-def-ghi/starten/", retry_post=True, back_url="/r/abc-def-ghi/")


urlpatterns = [
    path("test/403/", forbidden),
    path("test/404/", missing),
    path("test/500/", broken),
    path("test/429/", too_many),
    path("test/503/", unavailable),
    *site_urlpatterns,
]

handler403 = "herzdigital.views.error_403"
handler404 = "herzdigital.views.error_404"
handler500 = "herzdigital.views.error_500"
