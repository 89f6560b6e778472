"""Turn BBB answers into typed results.

One entry point, ``parse_response(call, body)``, used by the client and by the conformance
test over real samples. XML is parsed with defusedxml (no DTDs, no entities, no external
references); anything we cannot read is ``BBBUnavailable``, a FAILED answer is ``BBBError``.
Parsing is lenient on shape (optional elements, CDATA, stray whitespace, single vs. repeated
children) because servers, versions and load balancers differ.
"""

from __future__ import annotations

import gc
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bbb.errors import BBBError, BBBUnavailable
from bbb.types import (
    ApiVersion,
    Attendee,
    CreateResult,
    JoinResult,
    Meeting,
    PlaybackFormat,
    Preview,
    Recording,
    RecordingPage,
)

# ---------------------------------------------------------------------------------------------
# Low-level helpers (hot path for big getMeetings/getRecordings answers: one pass over children)


_XML_DECLARATION = re.compile(r"^<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def parse_xml(body: bytes | str) -> Element:
    """Parse an answer safely: no DTDs, no entity declarations, no external references.

    Clean UTF-8 answers (every real BBB answer) go to the C parser as text, which forces UTF-8,
    so a DTD cannot hide behind another encoding; any answer mentioning a DTD or entity
    declaration, or not plain UTF-8, goes through defusedxml, which refuses the hostile parts.
    That keeps defusedxml's guarantees at C speed (the pure-Python defusedxml parser is ~2x slower).
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        text = None
    if text is not None:
        text = text.strip()  # samples from real code carry leading newlines before the root
        declared = _XML_DECLARATION.match(text)
        plain = declared is None or declared.group(1).lower().replace("_", "-") in (
            "utf-8",
            "utf8",
            "us-ascii",
        )
        if plain and "<!DOCTYPE" not in text and "<!ENTITY" not in text:
            return _checked_root(_parse_fast, text)
    return _checked_root(_parse_defused, body.strip())


def _parse_fast(text: str) -> Element:
    # Safe: only reached for text without any DTD, so no entity can be declared or expanded.
    return ET.fromstring(text)  # noqa: S314


def _parse_defused(body: bytes | str) -> Element:
    return SafeET.fromstring(body, forbid_dtd=True)


def _checked_root(parse: Callable[[Any], Element], data: bytes | str) -> Element:
    try:
        root = parse(data)
    except DefusedXmlException as exc:
        raise BBBUnavailable(f"hostile XML refused: {exc.__class__.__name__}") from exc
    except (ParseError, ValueError) as exc:
        raise BBBUnavailable(f"unparseable XML: {exc}") from exc
    if root.tag != "response":
        raise BBBUnavailable(f"unexpected root element <{root.tag}>")
    return root


def _children(el: Element) -> dict[str, Element]:
    # Last one wins for repeated tags; callers that need repetition iterate themselves.
    return {child.tag: child for child in el}


def _text(fields: dict[str, Element], tag: str) -> str | None:
    el = fields.get(tag)
    if el is None:
        return None
    return (el.text or "").strip()


def _str(fields: dict[str, Element], tag: str) -> str:
    return _text(fields, tag) or ""


def _bool(fields: dict[str, Element], tag: str) -> bool:
    # Like Boolean.parseBoolean: only "true" (any case) is true.
    value = _text(fields, tag)
    return value is not None and value.lower() == "true"


def _int(fields: dict[str, Element], tag: str) -> int | None:
    value = _text(fields, tag)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _ms_to_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        ms = int(value)
    except ValueError:
        return None
    if ms <= 0:
        return None
    # Integer arithmetic, so that epoch_ms() gives back exactly the server's value (join's createTime).
    return _EPOCH + timedelta(milliseconds=ms)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """The BBB timestamp (ms since the epoch) of ``moment``; the inverse of how answers are parsed."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _time(fields: dict[str, Element], tag: str) -> datetime | None:
    return _ms_to_datetime(_text(fields, tag))


def _metadata(el: Element | None) -> dict[str, str]:
    if el is None:
        return {}
    return {child.tag: (child.text or "").strip() for child in el}


def _message_key(fields: dict[str, Element]) -> str | None:
    return _text(fields, "messageKey") or None


def check_returncode(root: Element) -> dict[str, Element]:
    """Raise ``BBBError`` for anything but SUCCESS; return the top-level children."""
    fields = _children(root)
    code = _text(fields, "returncode")
    if code is None:
        raise BBBUnavailable("answer has no <returncode>")
    if code == "SUCCESS":
        return fields
    errors_el = fields.get("errors")
    if errors_el is not None and len(errors_el):
        errors = []
        for error in errors_el:
            sub = _children(error)
            errors.append((_str(sub, "key") or error.get("key", ""), _str(sub, "message") or error.get("message", "")))
        key, message = errors[0]
        raise BBBError(key or "unknownError", message, errors)
    # returncode FAILED (or something odd like ERROR): decide on messageKey, never on text.
    raise BBBError(_text(fields, "messageKey") or "unknownError", _str(fields, "message"))


# ---------------------------------------------------------------------------------------------
# Per-call parsers (input: top-level children of a SUCCESS answer)


def parse_api_version(fields: dict[str, Element]) -> ApiVersion:
    return ApiVersion(
        version=_str(fields, "version"),
        api_version=_str(fields, "apiVersion"),
        build=_str(fields, "bbbVersion"),
    )


def parse_create(fields: dict[str, Element]) -> CreateResult:
    key = _message_key(fields)
    return CreateResult(
        meeting_id=_str(fields, "meetingID"),
        internal_meeting_id=_str(fields, "internalMeetingID"),
        parent_meeting_id=_text(fields, "parentMeetingID"),
        create_time=_time(fields, "createTime"),
        voice_bridge=_text(fields, "voiceBridge"),
        dial_number=_text(fields, "dialNumber"),
        has_user_joined=_bool(fields, "hasUserJoined"),
        duplicate_warning=key == "duplicateWarning",
        message_key=key,
        message=_text(fields, "message") or None,
        attendee_pw=_text(fields, "attendeePW"),
        moderator_pw=_text(fields, "moderatorPW"),
    )


def _attendee(el: Element) -> Attendee:
    # Hot path (getMeetings of a busy server: thousands of attendees): one pass, no helper calls.
    texts: dict[str, str] = {}
    custom: dict[str, str] = {}
    for child in el:
        if child.tag == "customdata":
            custom = {c.tag: (c.text or "").strip() for c in child}
        else:
            texts[child.tag] = (child.text or "").strip()
    get = texts.get
    return Attendee(
        user_id=get("userID", ""),
        full_name=get("fullName", ""),
        role=get("role", ""),
        is_presenter=get("isPresenter", "").lower() == "true",
        is_listening_only=get("isListeningOnly", "").lower() == "true",
        has_joined_voice=get("hasJoinedVoice", "").lower() == "true",
        has_video=get("hasVideo", "").lower() == "true",
        client_type=get("clientType"),
        custom_data=custom,
    )


def parse_meeting(fields: dict[str, Element]) -> Meeting:
    attendees_el = fields.get("attendees")
    breakouts_el = fields.get("breakoutRooms")
    return Meeting(
        meeting_id=_str(fields, "meetingID"),
        internal_meeting_id=_text(fields, "internalMeetingID"),
        name=_text(fields, "meetingName"),
        create_time=_time(fields, "createTime"),
        start_time=_time(fields, "startTime"),
        end_time=_time(fields, "endTime"),
        running=_bool(fields, "running"),
        has_user_joined=_bool(fields, "hasUserJoined"),
        has_been_forcibly_ended=_bool(fields, "hasBeenForciblyEnded"),
        participant_count=_int(fields, "participantCount"),
        listener_count=_int(fields, "listenerCount"),
        voice_participant_count=_int(fields, "voiceParticipantCount"),
        video_count=_int(fields, "videoCount"),
        moderator_count=_int(fields, "moderatorCount"),
        max_users=_int(fields, "maxUsers"),
        is_breakout=_bool(fields, "isBreakout"),
        metadata=_metadata(fields.get("metadata")),
        attendees=[_attendee(a) for a in attendees_el] if attendees_el is not None else [],
        voice_bridge=_text(fields, "voiceBridge"),
        dial_number=_text(fields, "dialNumber"),
        recording=_bool(fields, "recording"),
        duration_minutes=_int(fields, "duration"),
        parent_meeting_id=_text(fields, "parentMeetingID"),
        breakout_rooms=[(b.text or "").strip() for b in breakouts_el] if breakouts_el is not None else [],
    )


def parse_meetings(fields: dict[str, Element]) -> list[Meeting]:
    """The meetings list; an answer that is not one raises ``BBBUnavailable``.

    Callers end every meeting missing from this list, so "SUCCESS" alone is not enough: only a
    ``<meetings>`` element, or the ``noMeetings`` message key of an empty server, counts as a list.
    A ``<meeting>`` without a meetingID is just as unusable (it would make ours look missing).
    """
    meetings_el = fields.get("meetings")
    if meetings_el is None:
        if _message_key(fields) == "noMeetings":
            return []  # an empty server may omit the empty element
        raise BBBUnavailable("getMeetings answered SUCCESS without a meetings list")
    meetings = [parse_meeting(_children(m)) for m in meetings_el if m.tag == "meeting"]
    if any(not m.meeting_id for m in meetings):
        raise BBBUnavailable("getMeetings listed a meeting without a meetingID")
    return meetings


def _int_attr(el: Element, name: str) -> int | None:
    try:
        return int(el.get(name, ""))
    except ValueError:
        return None


def web_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None.

    Playback and preview URLs come from the BBB server and end up in ``href``/``src`` attributes;
    a ``javascript:`` or ``data:`` URL there would run in our pages, so anything else is dropped.
    """
    text = (value or "").strip()
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or any(c.isspace() for c in text):
        return None
    return text


def _format(el: Element) -> PlaybackFormat:
    fields = _children(el)
    previews: list[Preview] = []
    preview_el = fields.get("preview")
    if preview_el is not None:
        for image in preview_el.iter("image"):
            url = web_url(image.text)
            if url is None:
                continue
            previews.append(
                Preview(
                    url=url,
                    width=_int_attr(image, "width"),
                    height=_int_attr(image, "height"),
                    alt=image.get("alt"),
                )
            )
    return PlaybackFormat(
        type=_str(fields, "type"),
        url=web_url(_text(fields, "url")),  # some servers wrap the URL in whitespace/newlines
        length_minutes=_int(fields, "length"),
        processing_time_ms=_int(fields, "processingTime"),
        size=_int(fields, "size"),
        previews=previews,
    )


def _recording(el: Element) -> Recording:
    fields = _children(el)
    playback = fields.get("playback")
    formats = [_format(f) for f in playback if f.tag == "format"] if playback is not None else []
    size = _int(fields, "size")
    if size is None:
        format_sizes = [f.size for f in formats if f.size is not None]
        size = sum(format_sizes) if format_sizes else None
    state = _text(fields, "state") or None
    published_text = _text(fields, "published")
    return Recording(
        record_id=_str(fields, "recordID"),
        meeting_id=_text(fields, "meetingID"),
        internal_meeting_id=_text(fields, "internalMeetingID") or _text(fields, "recordID"),
        name=_text(fields, "name"),
        state=state,
        # `published` mirrors the state; fall back to the state when the element is absent.
        published=published_text.lower() == "true" if published_text is not None else state == "published",
        protected=_bool(fields, "protected"),
        start_time=_time(fields, "startTime"),
        end_time=_time(fields, "endTime"),
        participants=_int(fields, "participants"),
        size=size,
        raw_size=_int(fields, "rawSize"),
        metadata=_metadata(fields.get("metadata")),
        formats=formats,
        is_breakout=_bool(fields, "isBreakout"),
    )


def parse_recordings(fields: dict[str, Element]) -> RecordingPage:
    recordings_el = fields.get("recordings")
    if recordings_el is None and _message_key(fields) not in ("noRecordings", "notFound"):
        # Deletions are confirmed by a recording's absence: "SUCCESS" alone must not confirm them.
        raise BBBUnavailable("getRecordings answered SUCCESS without a recordings list")
    recordings = [_recording(r) for r in recordings_el if r.tag == "recording"] if recordings_el is not None else []
    return RecordingPage(recordings=recordings, total_elements=_int(fields, "totalElements"), offset=None, limit=None)


def parse_join(fields: dict[str, Element]) -> JoinResult:
    return JoinResult(
        message_key=_message_key(fields),
        message=_text(fields, "message"),
        meeting_id=_text(fields, "meeting_id"),
        user_id=_text(fields, "user_id"),
        auth_token=_text(fields, "auth_token"),
        session_token=_text(fields, "session_token"),
        guest_status=_text(fields, "guestStatus"),
        url=_text(fields, "url"),
    )


def _flag(tag: str) -> Callable[[dict[str, Element]], bool]:
    def parse(fields: dict[str, Element]) -> bool:
        return _bool(fields, tag)

    return parse


def _nothing(fields: dict[str, Element]) -> None:
    return None


_PARSERS: dict[str, Callable[[dict[str, Element]], Any]] = {
    "": parse_api_version,
    "apiVersion": parse_api_version,
    "create": parse_create,
    "join": parse_join,
    "isMeetingRunning": _flag("running"),
    "getMeetingInfo": parse_meeting,
    "getMeetings": parse_meetings,
    "end": _nothing,
    "insertDocument": _nothing,
    "getRecordings": parse_recordings,
    "publishRecordings": _flag("published"),
    "updateRecordings": _flag("updated"),
    "deleteRecordings": _flag("deleted"),
}

JSON_CALLS = frozenset({"getRecordingTextTracks", "putRecordingTextTrack"})


def parse_json_response(body: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(body)
        response = data["response"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BBBUnavailable(f"unparseable JSON answer: {exc}") from exc
    if response.get("returncode") != "SUCCESS":
        raise BBBError(response.get("messageKey") or "unknownError", response.get("message") or "")
    return response


# Big answers (getMeetings of a busy server) create hundreds of thousands of acyclic objects; the
# cyclic garbage collector would scan them again and again for nothing, which doubles parse time.
_GC_PAUSE_MIN_BYTES = 256 * 1024
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


def parse_response(call: str, body: bytes | str) -> Any:
    """Parse the answer of ``call``; unknown calls get their top-level fields as a dict of strings."""
    if call in JSON_CALLS:
        return parse_json_response(body)
    if len(body) < _GC_PAUSE_MIN_BYTES:
        return _parse_xml_answer(call, body)
    with _gc_paused():
        return _parse_xml_answer(call, body)


def _parse_xml_answer(call: str, body: bytes | str) -> Any:
    fields = check_returncode(parse_xml(body))
    parser = _PARSERS.get(call)
    if parser is None:
        return {tag: (el.text or "").strip() for tag, el in fields.items()}
    return parser(fields)
