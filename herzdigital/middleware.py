"""Responses that hold one person's data are never stored by a browser or a shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on personal pages and downloads.

    Personal means: the visitor is logged in (their club, members, recordings, data export), or
    carries a session (a guest's name on the waiting page), or the answer is a download
    (``Content-Disposition: attachment``: data export, calendar files). A view that sets its own
    ``Cache-Control`` keeps it (the calendar feed: ``private, max-age=300`` for subscribing programs).
    Static files never get here (WhiteNoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        personal = (
            (user is not None and user.is_authenticated)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or response.get("Content-Disposition", "").startswith("attachment")
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True)
        return response
