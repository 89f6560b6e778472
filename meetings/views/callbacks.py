"""BBB -> us: the end-meeting callback (rule 7); the recording-ready one is in recordings/views.py.

Callbacks are public (BBB has no session) and CSRF-exempt; they authenticate by signature instead:
the end callback URL carries our signed token, the recording-ready callback a JWT signed with the
server's shared secret. Anything forged, replayed or unknown answers 4xx and changes nothing.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clubs.tenancy import public_view
from meetings import sync
from meetings.callbacks import end_callback_meeting_pk

logger = logging.getLogger(__name__)


def rejected(exc: sync.CallbackRejected, kind: str) -> HttpResponse:
    logger.info("%s callback rejected (%s): %s", kind, exc.status, exc.reason)
    return HttpResponse(exc.reason, status=exc.status, content_type="text/plain")


@public_view
@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback_end(request: HttpRequest, token: str) -> HttpResponse:
    meeting_pk = end_callback_meeting_pk(token)
    if meeting_pk is None:
        return rejected(sync.CallbackRejected(403, "bad token"), "end")
    params = request.GET if request.method == "GET" else request.POST
    try:
        sync.meeting_end_by_callback(
            meeting_pk=meeting_pk,
            bbb_meeting_id=params.get("meetingID"),
            recording_marks=params.get("recordingmarks", "true").lower() != "false",
        )
    except sync.CallbackRejected as exc:
        return rejected(exc, "end")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bbb/callback/ende/<str:token>/", callback_end, name="callback_end"),
]
