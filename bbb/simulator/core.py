"""The simulated BBB server: API semantics from the contract, as a WSGI application."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import secrets
import string
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import defusedxml.ElementTree as SafeET
import jwt
import requests

from bbb.checksum import algorithm_for_checksum, checksum, remove_checksum
from bbb.simulator import pages, render
from bbb.simulator.models import SimConfig, SimFormat, SimMeeting, SimRecording, SimUser

logger = logging.getLogger(__name__)

API_PREFIX = "/bigbluebutton/api"
RECORDING_CALLS = frozenset({"getRecordings", "publishRecordings", "deleteRecordings", "updateRecordings"})
META_PARAM = re.compile(r"^meta_([a-zA-Z][a-zA-Z0-9-]*)$")
STATES = ("processing", "processed", "published", "unpublished", "deleted")
MSG_NOT_FOUND = "A meeting with that ID does not exist"
MSG_NO_RECORDINGS = "We could not find recordings"
MSG_END = (
    "A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo "
    "or isMeetingRunning API calls to verify that it was ended."
)
_ALNUM = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits
_PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db0000000"
    "0049454e44ae426082"
)


def _rand(chars: str, n: int) -> str:
    return "".join(secrets.choice(chars) for _ in range(n))


def sha1hex(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()


@dataclass(slots=True)
class Reply:
    status: str = "200 OK"
    body: bytes = b""
    content_type: str = "text/xml;charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


class ApiFailure(Exception):
    """Raised inside handlers to answer FAILED (single format)."""

    def __init__(self, key: str, message: str):
        super().__init__(key)
        self.key = key
        self.message = message


def _xml(body: bytes) -> Reply:
    return Reply(body=body, headers=[("Cache-Control", "no-cache")])


def _redirect(location: str, status: str = "302 Found") -> Reply:
    return Reply(status=status, content_type="text/plain", headers=[("Location", location)])


def _html(body: bytes, status: str = "200 OK") -> Reply:
    return Reply(status=status, body=body, content_type="text/html;charset=utf-8")


def _json(data: Any, status: str = "200 OK") -> Reply:
    return Reply(status=status, body=json.dumps(data, indent=1, default=str).encode(), content_type="application/json")


def _is_true(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _int_param(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


class Simulator:
    """A faithful-enough BBB server in memory. ``sim`` is a WSGI callable."""

    def __init__(self, secret: str = "", **config: Any):
        self.secret = secret
        self.config = SimConfig()
        self.configure(**config)
        self.lock = threading.RLock()
        self.calls: Counter[str] = Counter()
        self.meetings: dict[str, SimMeeting] = {}  # by external meetingID
        self.recordings: dict[str, SimRecording] = {}  # by record id
        self.sessions: dict[str, str] = {}  # session token -> meetingID
        self.callback_log: list[dict[str, Any]] = []
        self._clock_offset = 0.0
        self._timers: list[threading.Timer] = []
        self._pending: list[Callable[[], None]] = []  # callbacks to fire once the lock is released

    # -- clock and knobs -----------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self._clock_offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the simulator clock forward (expiry, recording processing)."""
        with self.lock:
            self._clock_offset += seconds
        self.tick()

    def configure(self, **knobs: Any) -> None:
        for name, value in knobs.items():
            if name not in SimConfig.__slots__:
                raise ValueError(f"unknown simulator setting {name!r}")
            if name == "supported_checksum_algorithms":
                value = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
            setattr(self.config, name, value)

    def reset(self) -> None:
        with self.lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self.meetings.clear()
            self.recordings.clear()
            self.sessions.clear()
            self.calls.clear()
            self.callback_log.clear()
            self._clock_offset = 0.0

    # -- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            reply = self.dispatch(environ)
        except Exception:  # a simulator bug must not kill the server thread
            logger.exception("simulator error")
            reply = Reply(status="500 Internal Server Error", body=b"simulator error", content_type="text/plain")
        headers = [("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body))), *reply.headers]
        start_response(reply.status, headers)
        return [reply.body]

    def dispatch(self, environ: dict[str, Any]) -> Reply:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        query = environ.get("QUERY_STRING", "")
        body = self._read_body(environ)
        if path.startswith("/_sim/"):
            return self._sim_endpoint(method, path[len("/_sim/") :], body)
        self.tick()
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            call = path[len(API_PREFIX) :].strip("/")
            return self._api(call, method, query, body, environ.get("CONTENT_TYPE", ""))
        if path.startswith("/html5client/"):
            return self._client(path[len("/html5client/") :], method, query, body)
        if path.startswith("/playback/presentation/"):
            return self._playback(path.rstrip("/").rsplit("/", 1)[-1])
        if path.endswith(".png"):
            return Reply(body=_PNG_1X1, content_type="image/png")
        if path == "/":
            errors = dict(parse_qsl(query)).get("errors")
            with self.lock:
                return _html(pages.index_page(errors, list(self.meetings.values())))
        return Reply(status="404 Not Found", body=b"not found", content_type="text/plain")

    @staticmethod
    def _read_body(environ: dict[str, Any]) -> bytes:
        length = _int_param(environ.get("CONTENT_LENGTH"))
        return environ["wsgi.input"].read(length) if length > 0 else b""

    # -- API entry -----------------------------------------------------------------------------

    def _api(self, call: str, method: str, query: str, body: bytes, content_type: str) -> Reply:
        self.calls[call or "apiVersion"] += 1
        cfg = self.config
        if cfg.latency:
            time.sleep(cfg.latency)
        if cfg.down:
            return Reply(status="503 Service Unavailable", body=b"down for maintenance", content_type="text/html")
        if cfg.status_override:
            return Reply(status=f"{cfg.status_override} Simulated", body=b"<html>error</html>", content_type="text/html")
        if cfg.body_override is not None:
            return _xml(cfg.body_override.encode())
        if cfg.malformed:
            return _xml(b"<response><returncode>SUCCESS</returncode><meetings><meeting><meetingID>x</meeting")
        if call == "":
            return _xml(render.api_version_answer(cfg.bbb_version, cfg.public_url))
        handler = getattr(self, f"_api_{call}", None)
        if handler is None:
            return _xml(render.failed("validationError", "Request not recognized"))
        failure = self._verify_checksum(call, query)
        params = dict(parse_qsl(query, keep_blank_values=True))
        params.pop("checksum", None)
        if failure is None and method == "POST" and body:
            failure = self._merge_post_body(call, params, body, content_type)
        if failure is not None:
            if call == "join":
                return self._join_error(params, failure[0], failure[1])
            return _xml(render.failed(*failure))
        try:
            with self.lock:
                reply = handler(params, body if method == "POST" else b"")
        except ApiFailure as exc:
            return _xml(render.failed(exc.key, exc.message))
        self._run_pending_callbacks()
        return reply

    def _verify_checksum(self, call: str, query: str) -> tuple[str, str] | None:
        if not self.secret:
            return None  # securitySalt empty -> validation skipped, like bbb-web
        legacy = call in RECORDING_CALLS
        mismatch = "You did not pass the checksum security check" if legacy else "Checksums do not match"
        supplied = dict(parse_qsl(query, keep_blank_values=True)).get("checksum")
        if not supplied:
            return ("checksumError", mismatch if legacy else "You must provide the checksum")
        algorithm = algorithm_for_checksum(supplied)
        # bbb-web checks with String.contains on the property, so a substring match it is.
        if algorithm is None or algorithm not in ",".join(self.config.supported_checksum_algorithms):
            return ("checksumError", mismatch)
        expected = checksum(call, remove_checksum(query, supplied), self.secret, algorithm)
        if expected != supplied.lower():
            return ("checksumError", mismatch)
        return None

    def _merge_post_body(self, call: str, params: dict[str, str], body: bytes, content_type: str) -> tuple[str, str] | None:
        kind = content_type.split(";")[0].strip().lower()
        accepted = {
            "create": {"application/x-www-form-urlencoded", "multipart/form-data", "application/xml", "text/xml"},
            "insertDocument": {"application/xml"},
        }.get(call, {"application/x-www-form-urlencoded"})
        if kind not in accepted:
            return ("unsupportedContentType", "POST request Content-Type is missing or unsupported")
        if kind == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            if set(form) & set(params):
                # Docs: a parameter both in the URL and in the body breaks the checksum.
                return ("checksumError", "Checksums do not match")
            params.update(form)
        return None

    # -- meetings ------------------------------------------------------------------------------

    def _api_create(self, p: dict[str, str], body: bytes) -> Reply:
        meeting_id = self._require_meeting_id(p)
        name = p.get("name", "")
        if not 2 <= len(name) <= 256:
            raise ApiFailure("validationError", "Meeting name must be between 2 and 256 characters")
        for pw in ("attendeePW", "moderatorPW"):
            if pw in p and not 2 <= len(p[pw]) <= 64:
                raise ApiFailure("validationError", "Password must be between 2 and 64 characters")
        voice_bridge = p.get("voiceBridge", "")
        if voice_bridge and not voice_bridge.isdigit():
            raise ApiFailure("validationError", "Voice bridge must be an integral value")
        is_breakout = _is_true(p.get("isBreakout"))
        if is_breakout and not p.get("parentMeetingID"):
            raise ApiFailure("parentMeetingIdMissing", "No parent meeting ID was provided for the breakout room")
        existing = self.meetings.get(meeting_id)
        if existing is not None:
            same = p.get("attendeePW") == existing.attendee_pw and p.get("moderatorPW") == existing.moderator_pw
            if same or ("attendeePW" not in p and "moderatorPW" not in p):
                return _xml(
                    render.create_answer(
                        existing,
                        "duplicateWarning",
                        "This conference was already in existence and may currently be in progress.",
                    )
                )
            raise ApiFailure(
                "idNotUnique", "A meeting already exists with that meeting ID.  Please use a different meeting ID."
            )
        if voice_bridge and any(m.voice_bridge == voice_bridge for m in self.meetings.values()):
            return _xml(render.failed_list([("nonUniqueVoiceBridge", "The selected voice bridge is already in use.")]))
        meeting = self._new_meeting(meeting_id, name, p, voice_bridge)
        if body:
            meeting.documents.extend(_documents_from_modules(body))
        return _xml(render.create_answer(meeting))

    def _new_meeting(self, meeting_id: str, name: str, p: dict[str, str], voice_bridge: str = "") -> SimMeeting:
        cfg = self.config
        create_time = self.now_ms()
        # Keep internal ids unique even for two creates in the same millisecond.
        while any(m.create_time == create_time and m.meeting_id == meeting_id for m in self.meetings.values()):
            create_time += 1
        used = {m.voice_bridge for m in self.meetings.values()}
        while not voice_bridge or (voice_bridge in used and "voiceBridge" not in p):
            voice_bridge = f"{random.randint(0, 99999):05d}"  # may start with 0, like the real server
        metadata = {}
        for key, value in p.items():
            match = META_PARAM.match(key)
            if match:  # meta_gl_listed (underscore) is silently dropped, like bbb-web
                metadata[match.group(1).lower()] = value
        expire_no_join = p.get("meetingExpireIfNoUserJoinedInMinutes")
        expire_left = p.get("meetingExpireWhenLastUserLeftInMinutes")
        meeting = SimMeeting(
            meeting_id=meeting_id,
            name=name,
            internal_id=f"{sha1hex(meeting_id)}-{create_time}",
            create_time=create_time,
            start_time=create_time + random.randint(3, 40),
            voice_bridge=voice_bridge,
            dial_number=p.get("dialNumber") or cfg.dial_number,
            attendee_pw=p.get("attendeePW") or _rand(_ALNUM, 8),
            moderator_pw=p.get("moderatorPW") or _rand(_ALNUM, 8),
            params=dict(p),
            metadata=metadata,
            record=_is_true(p.get("record")),
            auto_start_recording=_is_true(p.get("autoStartRecording")),
            guest_policy=(p.get("guestPolicy") or cfg.default_guest_policy).upper(),
            max_participants=_int_param(p.get("maxParticipants")),
            duration=_int_param(p.get("duration")),
            expire_no_join_seconds=float(expire_no_join) * 60 if expire_no_join else cfg.meeting_expiry_seconds,
            expire_last_left_seconds=float(expire_left) * 60 if expire_left else cfg.last_user_left_expiry_seconds,
            is_breakout=_is_true(p.get("isBreakout")),
            parent_meeting_id=p.get("parentMeetingID") or "bbb-none",
            logout_url=p.get("logoutURL") or cfg.public_url,
        )
        self.meetings[meeting_id] = meeting
        return meeting

    def _require_meeting_id(self, p: dict[str, str]) -> str:
        meeting_id = p.get("meetingID", "")
        if not meeting_id:
            raise ApiFailure("missingParamMeetingID", "You must provide a meeting ID")
        if not 2 <= len(meeting_id) <= 256:
            raise ApiFailure("validationError", "Meeting ID must be between 2 and 256 characters")
        if "," in meeting_id:
            raise ApiFailure("validationError", "Meeting ID cannot contain ','")
        return meeting_id

    def _existing(self, p: dict[str, str]) -> SimMeeting:
        meeting = self.meetings.get(self._require_meeting_id(p))
        if meeting is None:
            raise ApiFailure("notFound", MSG_NOT_FOUND)
        return meeting

    def _api_isMeetingRunning(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802 (BBB call name)
        meeting = self.meetings.get(self._require_meeting_id(p))
        return _xml(render.success(render.el("running", render.b(meeting is not None and meeting.running))))

    def _api_getMeetingInfo(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        return _xml(render.meeting_info_answer(self._existing(p)))

    def _api_getMeetings(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        return _xml(render.meetings_answer(list(self.meetings.values())))

    def _api_end(self, p: dict[str, str], body: bytes) -> Reply:
        meeting = self._existing(p)
        self._end_meeting(meeting, "ENDED_FROM_API")
        return _xml(render.success(render.el("messageKey", "sentEndMeetingRequest"), render.el("message", MSG_END)))

    def _api_insertDocument(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        meeting_id = self._require_meeting_id(p)
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            raise ApiFailure("notFound", f"Meeting with id [{meeting_id}] not found.")
        meeting.documents.extend(_documents_from_modules(body))
        return _xml(render.success(render.el("message", "Presentation is being uploaded")))

    # -- join ----------------------------------------------------------------------------------

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
        if meeting is None:
            return self._join_error(p, "invalidMeetingIdentifier", MSG_NOT_FOUND)
        if p.get("createTime") and p["createTime"] != str(meeting.create_time):
            return self._join_error(
                p, "mismatchCreateTimeParam", "The createTime parameter submitted mismatches with the current meeting.", meeting
            )
        role = self._resolve_role(p, meeting)
        user_id = p.get("userID") or ""
        online_ids = {u.user_id for u in meeting.online_users()}
        if meeting.max_participants > 0 and len(online_ids) >= meeting.max_participants and user_id not in online_ids:
            return self._join_error(
                p, "maxParticipantsReached", "The number of participants allowed for this meeting has been reached.", meeting
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
                    "message", "Guest waiting for approval to join meeting." if waiting else "You have joined successfully."
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

    # -- the HTML5 client stand-in -------------------------------------------------------------

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
                    pages.message_page("Meeting ended", "This meeting has ended or the link is no longer valid.", "sim-ended"),
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
        if page == "join":
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

    def add_attendees(
        self,
        meeting_id: str,
        count: int = 1,
        *,
        role: str = "VIEWER",
        voice: bool = False,
        video: bool = False,
        listen_only: bool | None = None,
        name_prefix: str = "Attendee",
    ) -> list[str]:
        """Put synthetic users straight into a meeting (as if their clients connected)."""
        with self.lock:
            meeting = self.meetings.get(meeting_id)
            if meeting is None:
                raise KeyError(meeting_id)
            ids = []
            for n in range(count):
                internal_id = "w_" + _rand(_LOWER, 12)
                user = SimUser(
                    internal_id=internal_id,
                    user_id=internal_id,
                    full_name=f"{name_prefix} {len(meeting.users) + 1}",
                    role=role.upper(),
                    session_token=_rand(_LOWER, 16),
                    auth_token=_rand(_LOWER, 12),
                    is_listening_only=(not voice) if listen_only is None else listen_only,
                    has_joined_voice=voice,
                    has_video=video,
                )
                meeting.users[user.session_token] = user
                self.sessions[user.session_token] = meeting_id
                self._enter(meeting, user)
                ids.append(user.user_id)
            return ids

    # -- lifecycle: end, expiry, recordings ----------------------------------------------------

    def tick(self) -> None:
        """Apply expiries and finished recording processing (checked lazily on each request)."""
        with self.lock:
            now = self.now()
            cfg = self.config
            for meeting in list(self.meetings.values()):
                for user in meeting.users.values():
                    if user.left_at is not None and not user.purged and now - user.left_at >= cfg.users_timeout_seconds:
                        user.purged = True
                started = meeting.start_time / 1000
                if not meeting.has_user_joined and not meeting.is_breakout:
                    if now - started >= meeting.expire_no_join_seconds:
                        self._end_meeting(meeting, "ENDED_WHEN_NOT_JOINED")
                        continue
                if meeting.duration > 0 and now >= started + meeting.duration * 60:
                    self._end_meeting(meeting, "ENDED_AFTER_EXCEEDING_DURATION")
                    continue
                if (
                    meeting.last_left_at is not None
                    and not meeting.online_users()
                    and now - meeting.last_left_at >= meeting.expire_last_left_seconds
                ):
                    self._end_meeting(meeting, "ENDED_WHEN_LAST_USER_LEFT")
            for recording in self.recordings.values():
                if recording.state == "processing" and recording.ready_at is not None and now >= recording.ready_at:
                    self._publish_processed(recording)
        self._run_pending_callbacks()

    def _queue(self, job: Callable[[], None]) -> None:
        # Callbacks leave the lock first and then run in their own thread, as BBB does them async.
        self._pending.append(job)

    def _run_pending_callbacks(self) -> None:
        with self.lock:
            jobs, self._pending = self._pending, []
        for job in jobs:
            threading.Thread(target=job, daemon=True, name="bbb-sim-callback").start()

    def _end_meeting(self, meeting: SimMeeting, reason: str) -> None:
        now_ms = self.now_ms()
        meeting.forcibly_ended = True
        meeting.end_time = meeting.end_time or now_ms
        for user in meeting.users.values():
            self.sessions.pop(user.session_token, None)
        self.meetings.pop(meeting.meeting_id, None)
        logger.info("meeting %s ended: %s", meeting.meeting_id, reason)
        if meeting.record and meeting.recording_marks:
            self._start_processing(meeting, now_ms)
        end_url = meeting.metadata.get("endcallbackurl")
        if end_url and not meeting.is_breakout:
            sep = "&" if "?" in end_url else "?"
            marks = render.b(meeting.record and meeting.recording_marks)
            url = f"{end_url}{sep}{urlencode({'recordingmarks': marks, 'meetingID': meeting.meeting_id})}"
            self._queue(lambda: self._deliver("end", "GET", url))
        if meeting.params.get("meetingEndedURL"):
            ended_url = meeting.params["meetingEndedURL"]
            self._queue(lambda: self._deliver("meetingEnded", "GET", ended_url))

    def _start_processing(self, meeting: SimMeeting, end_ms: int) -> None:
        participants = len(meeting.seen_user_ids) or 1
        recording = self._make_recording(
            meeting_id=meeting.meeting_id,
            internal_id=meeting.internal_id,
            name=meeting.name,
            start_ms=meeting.create_time,
            end_ms=end_ms,
            participants=participants,
            metadata=dict(meeting.metadata),
            is_breakout=meeting.is_breakout,
            state="processing",
        )
        recording.ready_at = self.now() + self.config.recording_delay
        self.recordings[recording.record_id] = recording
        if self.config.recording_delay <= 0:
            self._publish_processed(recording)
        else:
            timer = threading.Timer(self.config.recording_delay, self.tick)
            timer.daemon = True
            self._timers.append(timer)
            timer.start()

    def _make_recording(
        self,
        *,
        meeting_id: str,
        internal_id: str,
        name: str,
        start_ms: int,
        end_ms: int,
        participants: int,
        metadata: dict[str, str],
        is_breakout: bool = False,
        state: str = "published",
        format_types: Iterable[str] = ("presentation", "video"),
    ) -> SimRecording:
        base = self.config.public_url
        minutes = max(0, (end_ms - start_ms) // 60000)
        meta = dict(metadata)
        # bbb-web adds these (camel-case) for recorded meetings.
        meta.update({"meetingId": meeting_id, "meetingName": name, "isBreakout": render.b(is_breakout)})
        formats = []
        for kind in format_types:
            if kind == "presentation":
                thumbs = f"{base}/presentation/{internal_id}/presentation/d2d9a672040fbde2a47a10bf6c37b6a4b5ae187f-{start_ms}/thumbnails"
                previews = [
                    (f"{thumbs}/thumb-{n}.png", 176, 136, alt)
                    for n, alt in enumerate(["Welcome", "(this slide left blank for use as a whiteboard)", "Agenda"], 1)
                ]
                url = f"{base}/playback/presentation/2.3/{internal_id}"
                formats.append(SimFormat("presentation", url, 7000 + minutes * 10, minutes, 1_000_000 + minutes * 20_000, previews))
            elif kind == "video":
                url = f"{base}/presentation/{internal_id}/meeting.mp4"
                formats.append(SimFormat("video", url, 30_000 + minutes * 100, minutes, 5_000_000 + minutes * 900_000))
            else:
                formats.append(SimFormat(kind, f"{base}/{kind}/{internal_id}/", 0, minutes, 10_000))
        return SimRecording(
            record_id=internal_id,
            meeting_id=meeting_id,
            internal_meeting_id=internal_id,
            name=name,
            state=state,
            start_time=start_ms,
            end_time=end_ms,
            participants=participants,
            metadata=meta,
            formats=formats,
            raw_size=2_000_000 + minutes * 1_500_000,
            is_breakout=is_breakout,
        )

    def _publish_processed(self, recording: SimRecording) -> None:
        recording.state = "published"
        recording.ready_at = None
        meta = recording.metadata
        url = meta.get("bbb-recording-ready-url") or meta.get("bn-recording-ready-url") or meta.get("canvas-recording-ready-url")
        if url:
            token = jwt.encode({"meeting_id": recording.meeting_id, "record_id": recording.record_id}, self.secret, algorithm="HS256")
            self._queue(lambda: self._deliver("recording-ready", "POST", url, {"signed_parameters": token}))

    def _deliver(self, kind: str, method: str, url: str, data: dict[str, str] | None = None) -> None:
        entry: dict[str, Any] = {"kind": kind, "method": method, "url": url, "data": data}
        if self.config.callbacks_enabled:
            try:
                response = requests.request(method, url, data=data, timeout=5)
                entry["status"] = response.status_code
            except requests.RequestException as exc:
                entry["error"] = str(exc)
        else:
            entry["skipped"] = True
        with self.lock:
            self.callback_log.append(entry)

    def add_recording(
        self,
        meeting_id: str,
        *,
        name: str | None = None,
        published: bool = True,
        state: str | None = None,
        start_time: int | float | None = None,
        duration_minutes: int = 30,
        participants: int = 3,
        meta: dict[str, str] | None = None,
        formats: Iterable[str] = ("presentation", "video"),
    ) -> str:
        """Create a finished recording at once; returns its record id. ``start_time`` in epoch ms."""
        with self.lock:
            start_ms = int(start_time) if start_time is not None else self.now_ms() - duration_minutes * 60000
            while f"{sha1hex(meeting_id)}-{start_ms}" in self.recordings:
                start_ms += 1
            internal_id = f"{sha1hex(meeting_id)}-{start_ms}"
            recording = self._make_recording(
                meeting_id=meeting_id,
                internal_id=internal_id,
                name=name or meeting_id,
                start_ms=start_ms,
                end_ms=start_ms + duration_minutes * 60000,
                participants=participants,
                metadata={k.lower(): v for k, v in (meta or {}).items()},
                state=state or ("published" if published else "unpublished"),
                format_types=formats,
            )
            self.recordings[internal_id] = recording
            return internal_id

    def bulk_load(self, meetings: int = 0, recordings: int = 0, attendees_per_meeting: int = 0) -> None:
        """Create many meetings (with attendees) and published recordings quickly (benchmarks)."""
        for n in range(meetings):
            meeting_id = f"bulk-meeting-{n:05d}"
            with self.lock:
                if meeting_id not in self.meetings:
                    self._new_meeting(
                        meeting_id, f"Bulk meeting {n}", {"record": "true", "meta_bbb-origin": "bulk"}
                    )
            if attendees_per_meeting:
                self.add_attendees(meeting_id, 1, role="MODERATOR", voice=True, video=True)
                self.add_attendees(meeting_id, attendees_per_meeting - 1, voice=n % 2 == 0, video=n % 5 == 0)
        start = self.now_ms() - recordings * 3_600_000
        for n in range(recordings):
            self.add_recording(
                f"bulk-room-{n % 50:03d}",
                name=f"Bulk recording {n}",
                start_time=start + n * 3_600_000,
                duration_minutes=20 + n % 40,
                meta={"bbb-origin": "bulk", "club": str(n % 7)},
            )

    # -- recordings API ------------------------------------------------------------------------

    def _select(self, p: dict[str, str]) -> list[SimRecording]:
        record_ids = [r for r in p.get("recordID", "").split(",") if r]
        meeting_ids = [m for m in p.get("meetingID", "").split(",") if m]
        if record_ids:  # if given, meetingID is ignored; prefixes act as wildcards
            prefixes = record_ids
        elif meeting_ids:
            prefixes = [sha1hex(m) for m in meeting_ids]
        else:
            prefixes = [""]
        states_param = [s.strip() for s in p.get("state", "").split(",") if s.strip()]
        states = set(STATES) if "any" in states_param else set(states_param or ("published", "unpublished"))
        meta_filters = [(m.group(1).lower(), v) for k, v in p.items() if (m := META_PARAM.match(k))]
        found = [
            r
            for r in self.recordings.values()
            if r.state in states
            and any(r.record_id.startswith(prefix) for prefix in prefixes)
            and all(_meta_matches(r.metadata, key, pattern) for key, pattern in meta_filters)
        ]
        return sorted(found, key=lambda r: (r.start_time, r.record_id))

    def _api_getRecordings(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        unfiltered = not p.get("recordID") and not p.get("meetingID")
        limit_text = p.get("limit", "")
        if unfiltered and not limit_text and not self.config.allow_fetch_all_recordings:
            return _xml(
                render.success(
                    render.el("messageKey", "noRecordings"),
                    render.el("message", "No recordings found. This may occur if you attempt to retrieve all recordings."),
                )
            )
        found = self._select(p)
        if not limit_text.lstrip("-").isdigit():
            return _xml(render.recordings_answer(found))
        limit = min(max(int(limit_text), 1), 100)
        offset = _int_param(p.get("offset"))
        offset = max(offset, 0)
        return _xml(render.recordings_answer(found[offset : offset + limit], total_elements=len(found)))

    def _ids(self, p: dict[str, str]) -> list[str]:
        ids = [r for r in p.get("recordID", "").split(",") if r]
        if not ids:
            raise ApiFailure("missingParamRecordID", "You must specify a recordID.")
        return ids

    def _api_publishRecordings(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        ids = self._ids(p)
        if "publish" not in p:
            raise ApiFailure("missingParamPublish", "You must specify a publish value true or false.")
        found = [self.recordings[i] for i in ids if i in self.recordings and self.recordings[i].state in ("published", "unpublished")]
        if not found:
            raise ApiFailure("notFound", MSG_NO_RECORDINGS)
        publish = _is_true(p["publish"])
        for recording in found:
            recording.state = "published" if publish else "unpublished"
        return _xml(render.success(render.el("published", render.b(publish))))

    def _api_deleteRecordings(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        ids = self._ids(p)
        found = [self.recordings[i] for i in ids if i in self.recordings and self.recordings[i].state in ("published", "unpublished")]
        if not found:
            raise ApiFailure("notFound", MSG_NO_RECORDINGS)
        for recording in found:
            recording.state = "deleted"
        return _xml(render.success(render.el("deleted", "true")))

    def _api_updateRecordings(self, p: dict[str, str], body: bytes) -> Reply:  # noqa: N802
        ids = self._ids(p)
        found = [self.recordings[i] for i in ids if i in self.recordings and self.recordings[i].state != "processing"]
        if not found:
            raise ApiFailure("notFound", MSG_NO_RECORDINGS)
        for key, value in p.items():
            match = META_PARAM.match(key)
            if not match:
                continue
            for recording in found:
                if value:
                    recording.metadata[match.group(1).lower()] = value
                else:
                    recording.metadata.pop(match.group(1).lower(), None)
        return _xml(render.success(render.el("updated", "true")))

    def _playback(self, record_id: str) -> Reply:
        with self.lock:
            recording = self.recordings.get(record_id)
            if recording is None or recording.state != "published":
                return _html(pages.message_page("Not found", "No such recording.", "sim-not-found"), "404 Not Found")
            return _html(pages.playback_page(recording.name, record_id))

    # -- rendering for benchmarks and tools ----------------------------------------------------

    def render(self, call: str, params: dict[str, str] | None = None) -> bytes:
        """The XML answer of ``call`` without HTTP and checksum (benchmarks, fixtures)."""
        handler = getattr(self, f"_api_{call}")
        with self.lock:
            try:
                return handler(dict(params or {}), b"").body
            except ApiFailure as exc:
                return render.failed(exc.key, exc.message)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "now_ms": self.now_ms(),
                "config": self.config.as_dict(),
                "meetings": [_meeting_json(m) for m in self.meetings.values()],
                "recordings": [_recording_json(r) for r in self.recordings.values()],
                "callbacks": list(self.callback_log),
            }

    # -- /_sim/ knobs ----------------------------------------------------------------------------

    def _sim_endpoint(self, method: str, name: str, body: bytes) -> Reply:
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return _json({"error": "body must be JSON"}, "400 Bad Request")
        try:
            if method == "GET" and name == "state":
                return _json(self.state())
            if method == "GET" and name == "calls":
                return _json(dict(self.calls))
            if method != "POST":
                return _json({"error": "not found"}, "404 Not Found")
            if name == "reset":
                self.reset()
                return _json({"ok": True})
            if name == "config":
                self.configure(**data)
                return _json(self.config.as_dict())
            if name == "attendees":
                ids = self.add_attendees(
                    data["meetingID"],
                    int(data.get("count", 1)),
                    role=data.get("role", "VIEWER"),
                    voice=bool(data.get("voice", False)),
                    video=bool(data.get("video", False)),
                )
                self._run_pending_callbacks()
                return _json({"user_ids": ids})
            if name == "advance":
                self.advance(float(data.get("seconds", 0)))
                return _json({"now_ms": self.now_ms()})
            if name == "recordings":
                meeting_id = data.pop("meetingID")
                return _json({"record_id": self.add_recording(meeting_id, **data)})
            if name == "bulk":
                self.bulk_load(**data)
                return _json({"meetings": len(self.meetings), "recordings": len(self.recordings)})
        except (KeyError, TypeError, ValueError) as exc:
            return _json({"error": f"{exc.__class__.__name__}: {exc}"}, "400 Bad Request")
        return _json({"error": "not found"}, "404 Not Found")


def _meta_matches(metadata: dict[str, str], key: str, pattern: str) -> bool:
    value = metadata.get(key)
    if value is None:
        return False
    if pattern.startswith("%") and pattern.endswith("%") and len(pattern) > 1:
        return pattern[1:-1] in value
    if pattern.startswith("%"):
        return value.endswith(pattern[1:])
    if pattern.endswith("%"):
        return value.startswith(pattern[:-1])
    return value == pattern


def _documents_from_modules(body: bytes) -> list[dict[str, str]]:
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except Exception:  # bbb-web only logs a warning for a broken body
        return []
    return [dict(doc.attrib) for doc in root.iter("document")]


def _meeting_json(m: SimMeeting) -> dict[str, Any]:
    return {
        "meetingID": m.meeting_id,
        "name": m.name,
        "internalMeetingID": m.internal_id,
        "createTime": m.create_time,
        "running": m.running,
        "hasUserJoined": m.has_user_joined,
        "record": m.record,
        "recording": m.recording,
        "guestPolicy": m.guest_policy,
        "metadata": m.metadata,
        "documents": m.documents,
        "users": [
            {
                "userID": u.user_id,
                "fullName": u.full_name,
                "role": u.role,
                "guestStatus": u.guest_status,
                "online": u.online,
                "voice": u.has_joined_voice,
                "video": u.has_video,
            }
            for u in m.users.values()
        ],
    }


def _recording_json(r: SimRecording) -> dict[str, Any]:
    return {
        "recordID": r.record_id,
        "meetingID": r.meeting_id,
        "name": r.name,
        "state": r.state,
        "startTime": r.start_time,
        "endTime": r.end_time,
        "participants": r.participants,
        "metadata": r.metadata,
        "formats": [f.type for f in r.formats],
    }
