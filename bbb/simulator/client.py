"""The simulator's stand-in for BBB's HTML5 client: lobby, meeting page, leave/end/record/admit."""

from __future__ import annotations

from urllib.parse import parse_qsl

from bbb.simulator import pages
from bbb.simulator.base import Reply, _html, _is_true, _redirect
from bbb.simulator.models import SimMeeting, SimUser


class ClientMixin:
    """Part of ``Simulator``: the browser pages a join URL leads to (``/html5client/...``)."""

    def _session(self, token: str) -> tuple[SimMeeting, SimUser] | None:
        meeting_id = self.sessions.get(token)
        meeting = self.meetings.get(meeting_id) if meeting_id else None
        if meeting is None or token not in meeting.users:
            return None
        return meeting, meeting.users[token]

    def _client(self, page: str, method: str, query: str, body: bytes) -> Reply:
        params = dict(parse_qsl(query))
        if method == "POST":
            params.update(parse_qsl(body.decode("utf-8", "replace")))
        token = params.get("sessionToken", "")
        with self.lock:
            found = self._session(token)
            if found is None:
                return _html(
                    pages.message_page(
                        "Meeting ended", "This meeting has ended or the link is no longer valid.", "sim-ended"
                    ),
                    "404 Not Found",
                )
            meeting, user = found
            reply = self._client_action(page, method, meeting, user, params)
        self._run_pending_callbacks()
        return reply

    def _client_action(
        self, page: str, method: str, meeting: SimMeeting, user: SimUser, params: dict[str, str]
    ) -> Reply:
        token = user.session_token
        meeting_url = f"/html5client/meeting?sessionToken={token}"
        if page == "guestWait":
            if user.guest_status == "ALLOW":
                return _redirect(f"/html5client/join?sessionToken={token}", "303 See Other")
            if user.guest_status == "DENY":
                return _html(pages.message_page("Access denied", "A moderator declined your request.", "sim-denied"))
            return _html(pages.lobby_page(meeting, user, self.config.guest_wait_refresh_seconds))
        if user.guest_status != "ALLOW":
            return _redirect(f"/html5client/guestWait?sessionToken={token}", "303 See Other")
        if page == "join" or (page == "meeting" and not user.entered):
            # The join URL only registers a session (ApiController.join); the user enters the meeting when
            # the HTML5 client connects (akka UserJoined). The page connects by itself (a tiny script) or
            # by its button; tests without a browser POST /html5client/connect.
            return _html(pages.connect_page(meeting, user))
        if page == "connect":
            if method != "POST":
                return Reply(status="405 Method Not Allowed", body=b"use POST", content_type="text/plain")
            self._enter(meeting, user)
            return _redirect(meeting_url, "303 See Other")
        if page == "meeting":
            if not user.online:
                return _html(pages.message_page("You left", "You have left the meeting.", "sim-left"))
            return _html(pages.meeting_page(meeting, user))
        if method != "POST":
            return Reply(status="405 Method Not Allowed", body=b"use POST", content_type="text/plain")
        if page == "leave":
            self._leave(meeting, user)
            return _html(pages.message_page("You left", "You have left the meeting.", "sim-left"))
        if user.role != "MODERATOR" or not user.online:
            return Reply(status="403 Forbidden", body=b"moderators only", content_type="text/plain")
        if page == "end":
            self._end_meeting(meeting, "ENDED_FROM_CLIENT")
            return _html(pages.message_page("Meeting ended", "You ended the meeting.", "sim-ended"))
        if page == "record" and meeting.record:
            self._set_recording(meeting, _is_true(params.get("on")))
            return _redirect(meeting_url, "303 See Other")
        if page == "admit":
            guest = meeting.users.get(params.get("guest", ""))
            if guest is not None and guest.guest_status == "WAIT":
                guest.guest_status = "DENY" if params.get("decision") == "deny" else "ALLOW"
            return _redirect(meeting_url, "303 See Other")
        return Reply(status="404 Not Found", body=b"not found", content_type="text/plain")

    def _enter(self, meeting: SimMeeting, user: SimUser) -> None:
        if user.online:
            return
        user.entered, user.left_at, user.purged = True, None, False
        if user.role == "MODERATOR" and not any(u.is_presenter for u in meeting.online_users()):
            user.is_presenter = True
        meeting.seen_user_ids.add(user.user_id)
        meeting.has_user_joined = True
        meeting.end_time = 0  # MeetingService.userJoined resets it
        meeting.last_left_at = None
        if meeting.record and meeting.auto_start_recording and not meeting.recording:
            self._set_recording(meeting, True)

    def _leave(self, meeting: SimMeeting, user: SimUser) -> None:
        if not user.online:
            return
        user.left_at = self.now()
        user.is_presenter = False
        if not meeting.online_users():
            meeting.last_left_at = user.left_at
            meeting.end_time = self.now_ms()

    @staticmethod
    def _set_recording(meeting: SimMeeting, on: bool) -> None:
        meeting.recording = on
        meeting.recording_marks = meeting.recording_marks or on
