"""The simulated BBB server: API semantics from the contract, as a WSGI application."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
import requests
from defusedxml import DefusedXmlException

from bbb.checksum import algorithm_for_checksum, checksum, remove_checksum
from bbb.simulator import features, pages, presentations, render
from bbb.simulator.base import (
    _ALNUM,
    _LOWER,
    _PNG_1X1,
    API_PREFIX,
    META_PARAM,
    MSG_END,
    MSG_NOT_FOUND,
    RECORDING_CALLS,
    SCALELITE_NO_MEETING_SERVER,
    SCALELITE_NO_SERVER,
    SCALELITE_NOT_FOUND,
    ApiFailure,
    Reply,
    _html,
    _int_param,
    _is_true,
    _rand,
    _xml,
    sha1hex,
)
from bbb.simulator.client import ClientMixin
from bbb.simulator.joining import JoinMixin
from bbb.simulator.knobs import KnobsMixin
from bbb.simulator.models import SimConfig, SimMeeting, SimRecording, SimUser
from bbb.simulator.recordings import RecordingsMixin

logger = logging.getLogger(__name__)

_TUPLE_KNOBS = frozenset({"supported_checksum_algorithms", "callback_retry_delays", "backends", "down_backends"})
# UrlMappings.groovy maps these calls to one method only; Grails answers anything else with 405.
_ONLY_METHOD = {"join": "GET", "publishRecordings": "GET", "deleteRecordings": "GET", "insertDocument": "POST"}


class Simulator(JoinMixin, ClientMixin, RecordingsMixin, KnobsMixin):
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
        self._retries: list[tuple[float, str, str, int]] = []  # (due, kind, url, attempt) of end callbacks
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
            if name in _TUPLE_KNOBS:
                value = tuple(v for v in value.split(",") if v) if isinstance(value, str) else tuple(value)
            if name == "profile" and value not in ("bbb", "scalelite"):
                raise ValueError(f"unknown profile {value!r}; use 'bbb' or 'scalelite'")
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
            self._retries.clear()
            self._clock_offset = 0.0

    # -- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            reply = self.dispatch(environ)
        except Exception:  # a simulator bug must not kill the server thread
            logger.exception("simulator error")
            reply = Reply(status="500 Internal Server Error", body=b"simulator error", content_type="text/plain")
        headers = [
            ("Content-Type", reply.content_type),
            ("Content-Length", str(len(reply.body))),
            *reply.headers,
        ]
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
        if path.startswith(presentations.PATH_PREFIX):
            return presentations.serve(self, path)
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
            return Reply(
                status=f"{cfg.status_override} Simulated",
                body=b"<html>error</html>",
                content_type="text/html",
            )
        if cfg.body_override is not None:
            return _xml(cfg.body_override.encode())
        if cfg.malformed:
            return _xml(b"<response><returncode>SUCCESS</returncode><meetings><meeting><meetingID>x</meeting")
        scalelite = cfg.profile == "scalelite"
        if call == "":
            if scalelite:  # BigBlueButtonApiController#index: just <version>
                return _xml(render.success(render.el("version", "2.0")))
            return _xml(render.api_version_answer(cfg.bbb_version, cfg.public_url))
        handler = getattr(self, f"_api_{call}", None)
        if handler is None:
            return _xml(render.failed("validationError", "Request not recognized"))
        if call in _ONLY_METHOD and method != _ONLY_METHOD[call]:
            return Reply(status="405 Method Not Allowed", body=b"", content_type="text/html")
        if scalelite and call == "getMeetings" and cfg.get_meetings_disabled:
            # scalelite config/routes.rb: GET_MEETINGS_API_DISABLED routes to get_meetings_disabled, which skips
            # the checksum and always answers "noMeetings" -- an empty list that says nothing.
            return _xml(render.meetings_answer([]))
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
        scalelite = self.config.profile == "scalelite"
        legacy = call in RECORDING_CALLS or scalelite  # Scalelite's ChecksumError has one text for every call
        mismatch = "You did not pass the checksum security check" if legacy else "Checksums do not match"
        supplied = dict(parse_qsl(query, keep_blank_values=True)).get("checksum")
        if not supplied:
            return ("checksumError", mismatch if legacy else "You must provide the checksum")
        algorithm = algorithm_for_checksum(supplied)
        # bbb-web checks with String.contains on the property, so a substring match it is.
        if algorithm is None or algorithm not in ",".join(self.config.supported_checksum_algorithms):
            return ("checksumError", mismatch)
        if scalelite and algorithm == "sha384":
            # scalelite api_helper.rb guess_checksum_digest_algorithm knows SHA1/SHA256/SHA512 only.
            return ("checksumError", mismatch)
        expected = checksum(call, remove_checksum(query, supplied), self.secret, algorithm)
        if expected != supplied.lower():
            return ("checksumError", mismatch)
        return None

    def _merge_post_body(
        self, call: str, params: dict[str, str], body: bytes, content_type: str
    ) -> tuple[str, str] | None:
        kind = content_type.split(";")[0].strip().lower()
        accepted = {
            "create": {
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/xml",
                "text/xml",
            },
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
        if existing is not None and self._backend_down(existing):
            raise ApiFailure("internalError", "Unable to create meeting on server.")
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
                "idNotUnique",
                "A meeting already exists with that meeting ID.  Please use a different meeting ID.",
            )
        if voice_bridge and any(m.voice_bridge == voice_bridge for m in self.meetings.values()):
            return _xml(render.failed_list([("nonUniqueVoiceBridge", "The selected voice bridge is already in use.")]))
        meeting = self._new_meeting(meeting_id, name, p, voice_bridge)
        if self.config.profile == "scalelite":
            meeting.backend = self._choose_backend()
        if body:
            meeting.documents.extend(_documents_from_modules(body))
            self._queue(lambda: presentations.start_fetch(self, meeting))  # bbb-web downloads after answering
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
            scalelite = self.config.profile == "scalelite"
            raise ApiFailure("notFound", SCALELITE_NOT_FOUND if scalelite else MSG_NOT_FOUND)
        if self._backend_down(meeting):
            # scalelite bigbluebutton_api_controller.rb: a backend that does not answer -> InternalError.
            raise ApiFailure("internalError", SCALELITE_NO_MEETING_SERVER)
        return meeting

    def _backend_down(self, meeting: SimMeeting) -> bool:
        return self.config.profile == "scalelite" and meeting.backend in self.config.down_backends

    def _choose_backend(self) -> str:
        """Scalelite's Server.find_available: the least loaded backend that answers."""
        cfg = self.config
        alive = [name for name in cfg.backends if name not in cfg.down_backends]
        if not alive:
            raise ApiFailure("internalError", "Could not find any available servers.")
        load = Counter(m.backend for m in self.meetings.values())
        return min(alive, key=lambda name: (load[name], alive.index(name)))

    def _api_isMeetingRunning(self, p: dict[str, str], body: bytes) -> Reply:
        meeting = self.meetings.get(self._require_meeting_id(p))
        if meeting is not None and self._backend_down(meeting):
            raise ApiFailure("internalError", SCALELITE_NO_MEETING_SERVER)
        return _xml(render.success(render.el("running", render.b(meeting is not None and meeting.running))))

    def _api_getMeetingInfo(self, p: dict[str, str], body: bytes) -> Reply:
        return _xml(render.meeting_info_answer(self._existing(p)))

    def _api_getMeetings(self, p: dict[str, str], body: bytes) -> Reply:
        cfg = self.config
        if cfg.profile == "scalelite" and any(name in cfg.down_backends for name in cfg.backends):
            # Scalelite asks every backend in turn and fails the whole call when one does not answer.
            raise ApiFailure("internalError", SCALELITE_NO_SERVER)
        return _xml(render.meetings_answer(list(self.meetings.values())))

    def _api_end(self, p: dict[str, str], body: bytes) -> Reply:
        meeting = self._existing(p)
        # Asynchronous: bbb-web forwards EndMeeting to akka-apps and answers at once; the meeting stays
        # listed until akka's MeetingEnded comes back (MeetingService.processEndMeeting /
        # processRemoveEndedMeeting). `end_delay_seconds` of simulator time stands in for that round trip.
        if meeting.end_at is None:
            meeting.end_at = self.now() + self.config.end_delay_seconds
            if self.config.end_delay_seconds <= 0:
                self._end_meeting(meeting, "ENDED_FROM_API")
            else:
                self._wake_at(meeting.end_at)
        return _xml(render.success(render.el("messageKey", "sentEndMeetingRequest"), render.el("message", MSG_END)))

    def _api_insertDocument(self, p: dict[str, str], body: bytes) -> Reply:
        meeting_id = self._require_meeting_id(p)
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            raise ApiFailure("notFound", f"Meeting with id [{meeting_id}] not found.")
        meeting.documents.extend(_documents_from_modules(body))
        return _xml(render.success(render.el("message", "Presentation is being uploaded")))

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
            for _n in range(count):
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
                if meeting.end_at is not None and now >= meeting.end_at:
                    self._end_meeting(meeting, "ENDED_FROM_API")
                    continue
                started = meeting.start_time / 1000
                never_joined = not meeting.has_user_joined and not meeting.is_breakout
                if never_joined and now - started >= meeting.expire_no_join_seconds:
                    self._end_meeting(meeting, "ENDED_WHEN_NOT_JOINED")
                    continue
                if meeting.duration > 0 and now >= started + meeting.duration * 60:
                    self._end_meeting(meeting, "ENDED_AFTER_EXCEEDING_DURATION")
                    continue
                if features.ended_without_moderator(meeting, now):
                    self._end_meeting(meeting, features.END_REASON_NO_MODERATOR)
                    continue
                if (
                    meeting.last_left_at is not None
                    and not meeting.online_users()
                    and now - meeting.last_left_at >= meeting.expire_last_left_seconds
                ):
                    self._end_meeting(meeting, "ENDED_WHEN_LAST_USER_LEFT")
            for recording in self.recordings.values():
                self._publish_due_formats(recording, now)
            due = [entry for entry in self._retries if entry[0] <= now]
            self._retries = [entry for entry in self._retries if entry[0] > now]
            for _due, kind, url, attempt in due:
                self._queue(lambda kind=kind, url=url, attempt=attempt: self._deliver_callback(kind, url, attempt))
        self._run_pending_callbacks()

    def _wake_at(self, due: float) -> None:
        """Run ``tick`` in real time once ``due`` (simulator clock) has come; ``advance`` gets there sooner."""
        timer = threading.Timer(max(0.0, due - self.now()) + 0.01, self.tick)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

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
            self._queue(lambda: self._deliver_callback("end", url, 1))
        if meeting.params.get("meetingEndedURL"):
            ended_url = meeting.params["meetingEndedURL"]
            self._queue(lambda: self._deliver_callback("meetingEnded", ended_url, 1))

    def _log_callback(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.callback_log.append(entry)

    def _deliver_callback(self, kind: str, url: str, attempt: int) -> None:
        """One attempt of CallbackUrlService.fetchCallbackUrl, then its retry schedule.

        bbb-web first "follows redirects" with a plain GET (HttpURLConnection; only 200 or a
        301/302/303 count, anything else fails the attempt), then sends the real GET to the final URL;
        only a 2xx answer is "delivered". Failed attempts are retried after 30 s, 1, 2 and 5 minutes
        (CallbackUrlService.schedRetryCallback), then bbb-web logs callback_failed_give_up.
        """
        if not self.config.callbacks_enabled:
            self._log_callback({"kind": kind, "method": "GET", "url": url, "attempt": attempt, "skipped": True})
            return
        final = self._probe(kind, url, attempt)
        delivered = False
        if final is not None:
            entry: dict[str, Any] = {"kind": kind, "method": "GET", "url": final, "attempt": attempt, "phase": "get"}
            try:
                entry["status"] = requests.get(final, timeout=5, allow_redirects=False).status_code
                delivered = 200 <= entry["status"] < 300
            except requests.RequestException as exc:
                entry["error"] = str(exc)
            self._log_callback(entry)
        delays = self.config.callback_retry_delays
        outcome = "delivered" if delivered else ("retry" if attempt <= len(delays) else "gave_up")
        self._log_callback({"kind": kind, "url": url, "attempt": attempt, "outcome": outcome})
        if outcome == "retry":
            due = self.now() + delays[attempt - 1]
            with self.lock:
                self._retries.append((due, kind, url, attempt + 1))
            self._wake_at(due)

    def _probe(self, kind: str, url: str, attempt: int) -> str | None:
        """CallbackUrlService.followRedirect: up to 5 redirects, 200 ends the walk, anything else fails."""
        current = url
        for _hop in range(6):
            entry: dict[str, Any] = {
                "kind": kind,
                "method": "GET",
                "url": current,
                "attempt": attempt,
                "phase": "probe",
            }
            try:
                response = requests.get(current, timeout=5, allow_redirects=False)
            except requests.RequestException as exc:
                entry["error"] = str(exc)
                self._log_callback(entry)
                return None
            entry["status"] = response.status_code
            self._log_callback(entry)
            if response.status_code == 200:
                return current
            if response.status_code not in (301, 302, 303) or not response.headers.get("Location"):
                return None
            current = urljoin(current, response.headers["Location"])
        return None

    def _post_once(self, kind: str, url: str, data: dict[str, str]) -> None:
        """post_publish_recording_ready_callback.rb: one POST, the answer is only logged, never retried."""
        entry: dict[str, Any] = {"kind": kind, "method": "POST", "url": url, "data": data}
        if self.config.callbacks_enabled:
            try:
                entry["status"] = requests.post(url, data=data, timeout=5).status_code
            except requests.RequestException as exc:
                entry["error"] = str(exc)
        else:
            entry["skipped"] = True
        self._log_callback(entry)

    # -- recordings API ------------------------------------------------------------------------

    # -- rendering for benchmarks and tools ----------------------------------------------------

    # -- /_sim/ knobs ----------------------------------------------------------------------------


def _documents_from_modules(body: bytes) -> list[dict[str, str]]:
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException):  # bbb-web only logs a warning for a broken body
        return []
    return [dict(doc.attrib) for doc in root.iter("document")]
