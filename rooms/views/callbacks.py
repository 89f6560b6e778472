"""BBB -> us: end-meeting and recording-ready callbacks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clubs.tenancy import public_view


# PLACEHOLDER (rooms branch): only so that rooms.callbacks can reverse() the callback URLs it gives
# BBB on create. The sync helper's branch replaces this whole block with the real views.
@public_view
def _callback_placeholder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("callbacks are not handled on this branch", status=501, content_type="text/plain")


urlpatterns: list = [
    path("bbb/callback/ende/<str:token>/", _callback_placeholder, name="callback_end"),
    path("bbb/callback/aufzeichnung/<int:server_id>/", _callback_placeholder, name="callback_recording_ready"),
]
