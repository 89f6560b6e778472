"""The simulator's join call: checksums done, decide role, guest status and redirect (ApiController.join)."""

from __future__ import annotations

import json
from urllib.parse import quote

from bbb.simulator import render
from bbb.simulator.base import (
    _LOWER,
    MSG_NOT_FOUND,
    SCALELITE_NOT_FOUND,
    ApiFailure,
    Reply,
    _is_true,
    _rand,
    _redirect,
    _xml,
)
from bbb.simulator.models import SimMeeting, SimUser


class JoinMixin:
    """Part of ``Simulator``: the ``join`` API call."""

    def _join_error(self, p: dict[str, str], key: str, message: str, meeting: SimMeeting | None = None) -> Reply:
        """Join errors redirect to the logout URL with ``errors=[…]`` (bbb-web respondWithRedirect).

        With ``redirect=false`` we answer FAILED XML instead; the contract marks the 3.0 behaviour
        as unverified, and callers must cope with both anyway.
        """
        if p.get("redirect", "true").lower() == "false":
            return _xml(render.failed(key, message))
        target = p.get("errorRedirectUrl") or (meeting.logout_url if meeting else self.config.public_url)
        errors = json.dumps([{"key": key, "message": message}], separators=(",", ":"))
        sep = "&" if "?" in target else "?"
        return _redirect(f"{target}{sep}errors={quote(errors)}")

    def _api_join(self, p: dict[str, str], body: bytes) -> Reply:
        if not p.get("meetingID"):
            return self._join_error(p, "missingParamMeetingID", "You must provide a meeting ID")
        if not p.get("fullName"):
            return self._join_error(p, "missingParamFullName", "You must provide your name")
        meeting = self.meetings.get(p["meetingID"])
        if self.config.profile == "scalelite":
            # Scalelite answers unknown meetings itself (XML, no redirect) and redirects the rest to the
            # backend, whose bbb-web then behaves as below. A backend that is down does not answer at all.
            if meeting is None:
                return _xml(render.failed("notFound", SCALELITE_NOT_FOUND))
            if self._backend_down(meeting):
                return Reply(status="502 Bad Gateway", body=b"backend unreachable", content_type="text/plain")
        if meeting is None:
            return self._join_error(p, "invalidMeetingIdentifier", MSG_NOT_FOUND)
        if p.get("createTime") and p["createTime"] != str(meeting.create_time):
            return self._join_error(
                p,
                "mismatchCreateTimeParam",
                "The createTime parameter submitted mismatches with the current meeting.",
                meeting,
            )
        role = self._resolve_role(p, meeting)
        user_id = p.get("userID") or ""
        online_ids = {u.user_id for u in meeting.online_users()}
        if meeting.max_participants > 0 and len(online_ids) >= meeting.max_participants and user_id not in online_ids:
            return self._join_error(
                p,
                "maxParticipantsReached",
                "The number of participants allowed for this meeting has been reached.",
                meeting,
            )
        guest_status = self._guest_status(meeting, role, p.get("guest"))
        if guest_status == "DENY":
            return self._join_error(
                p,
                "guestDeniedAccess",
                "You have been denied access to this meeting based on the meeting's guest policy",
                meeting,
            )
        internal_id = "w_" + _rand(_LOWER, 12)
        user = SimUser(
            internal_id=internal_id,
            user_id=user_id or internal_id,
            full_name=p["fullName"],
            role=role,
            session_token=_rand(_LOWER, 16),
            auth_token=_rand(_LOWER, 12),
            guest=_is_true(p.get("guest")),
            guest_status=guest_status,
            avatar_url=p.get("avatarURL"),
            custom_data={k[len("userdata-") :]: v for k, v in p.items() if k.startswith("userdata-")},
        )
        meeting.users[user.session_token] = user
        self.sessions[user.session_token] = meeting.meeting_id
        page = "guestWait" if guest_status == "WAIT" else "join"
        url = f"{self.config.public_url}/html5client/{page}?sessionToken={user.session_token}"
        if p.get("redirect", "true").lower() != "false":
            return _redirect(url)
        waiting = guest_status == "WAIT"
        return _xml(
            render.success(
                render.el("messageKey", "guestWait" if waiting else "successfullyJoined"),
                render.el(
                    "message",
                    "Guest waiting for approval to join meeting." if waiting else "You have joined successfully.",
                ),
                render.el("meeting_id", meeting.internal_id),
                render.el("user_id", internal_id),
                render.el("auth_token", user.auth_token),
                render.el("session_token", user.session_token),
                render.el("guestStatus", guest_status),
                render.el("url", url),
            )
        )

    @staticmethod
    def _resolve_role(p: dict[str, str], meeting: SimMeeting) -> str:
        role = (p.get("role") or "").upper()
        if role in ("MODERATOR", "VIEWER"):
            return role
        password = p.get("password")
        if password is None:
            raise ApiFailure(
                "Params required",
                "You must either send the valid role of the user, or the password, sould the meeting has one.",
            )
        if password == meeting.moderator_pw:
            return "MODERATOR"
        if password == meeting.attendee_pw:
            return "VIEWER"
        raise ApiFailure("Params required", "You must enter a valid password")

    def _guest_status(self, meeting: SimMeeting, role: str, guest_param: str | None) -> str:
        """Meeting.calcGuestStatus (contract §4.4)."""
        guest = _is_true(guest_param)
        policy = meeting.guest_policy
        if not self.config.authenticated_guest:
            if not guest:
                return "ALLOW"
            return {"ASK_MODERATOR": "WAIT", "ALWAYS_DENY": "DENY"}.get(policy, "ALLOW")
        if role == "MODERATOR" or (guest_param is not None and not guest):
            return "ALLOW"
        if policy == "ALWAYS_DENY":
            return "DENY"
        if policy == "ASK_MODERATOR":
            return "WAIT" if guest or guest_param is None else "ALLOW"
        if policy == "ALWAYS_ACCEPT_AUTH":
            return "WAIT" if guest else "ALLOW"
        return "ALLOW"
