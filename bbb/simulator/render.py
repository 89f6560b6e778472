"""XML answers shaped like bbb-web's FreeMarker templates (compressed, no XML declaration)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from bbb.simulator.models import SimMeeting, SimRecording, SimUser


def esc(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return text


def b(value: bool) -> str:
    return "true" if value else "false"


def el(tag: str, value: object) -> str:
    return f"<{tag}>{esc(value)}</{tag}>"


def response(*parts: str) -> bytes:
    return ("<response>" + "".join(parts) + "</response>").encode()


def success(*parts: str) -> bytes:
    return response(el("returncode", "SUCCESS"), *parts)


def failed(key: str, message: str) -> bytes:
    return response(el("returncode", "FAILED"), el("messageKey", key), el("message", message))


def failed_list(errors: Iterable[tuple[str, str]]) -> bytes:
    items = "".join(f"<error>{el('key', k)}{el('message', m)}</error>" for k, m in errors)
    return response(el("returncode", "FAILED"), f"<errors>{items}</errors>")


def java_date(ms: int) -> str:
    # Java Date.toString() in the server TZ; the simulator runs in UTC.
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(ms / 1000))


def create_answer(m: SimMeeting, message_key: str = "", message: str = "") -> bytes:
    return success(
        el("meetingID", m.meeting_id),
        el("internalMeetingID", m.internal_id),
        el("parentMeetingID", m.parent_meeting_id),
        el("attendeePW", m.attendee_pw),
        el("moderatorPW", m.moderator_pw),
        el("createTime", m.create_time),
        el("voiceBridge", m.voice_bridge),
        el("dialNumber", m.dial_number),
        el("createDate", java_date(m.create_time)),
        el("hasUserJoined", b(m.has_user_joined)),
        el("duration", m.duration),
        el("hasBeenForciblyEnded", b(m.forcibly_ended)),
        el("messageKey", message_key),
        el("message", message),
    )


def _attendees(users: list[SimUser]) -> str:
    parts = []
    for u in users:
        custom = "".join(el(k, v) for k, v in u.custom_data.items())
        parts.append(
            "<attendee>"
            f"{el('userID', u.user_id)}{el('fullName', u.full_name)}{el('role', u.role)}"
            f"{el('isPresenter', b(u.is_presenter))}{el('isListeningOnly', b(u.is_listening_only))}"
            f"{el('hasJoinedVoice', b(u.has_joined_voice))}{el('hasVideo', b(u.has_video))}"
            f"{el('clientType', u.client_type)}<customdata>{custom}</customdata>"
            "</attendee>"
        )
    return "<attendees>" + "".join(parts) + "</attendees>"


def meeting_fields(m: SimMeeting, *, listing: bool = False) -> str:
    # getMeetingInfo counts users online (getNumUsersOnline); getMeetings' template counts the users map,
    # where a user who left stays until purged after usersTimeout (~60 s) (contract §3.4, MeetingService).
    online = m.entered_users() if listing else m.online_users()
    metadata = "".join(el(k, v) for k, v in m.metadata.items())
    parts = [
        el("meetingName", m.name),
        el("meetingID", m.meeting_id),
        el("internalMeetingID", m.internal_id),
        el("createTime", m.create_time),
        el("createDate", java_date(m.create_time)),
        el("voiceBridge", m.voice_bridge),
        el("dialNumber", m.dial_number),
        el("attendeePW", m.attendee_pw) if m.attendee_pw else "",
        el("moderatorPW", m.moderator_pw) if m.moderator_pw else "",
        el("running", b(m.running)),
        el("duration", m.duration),
        el("hasUserJoined", b(m.has_user_joined)),
        el("recording", b(m.recording)),
        el("hasBeenForciblyEnded", b(m.forcibly_ended)),
        el("startTime", m.start_time),
        el("endTime", m.end_time),
        el("participantCount", len(online)),
        el("listenerCount", sum(1 for u in online if u.is_listening_only)),
        el("voiceParticipantCount", sum(1 for u in online if u.has_joined_voice)),
        el("videoCount", sum(1 for u in online if u.has_video)),
        el("maxUsers", m.max_participants),
        el("moderatorCount", sum(1 for u in online if u.role == "MODERATOR")),
        _attendees(online),
        f"<metadata>{metadata}</metadata>",
        el("isBreakout", b(m.is_breakout)),
    ]
    if m.is_breakout:
        parts.append(el("parentMeetingID", m.parent_meeting_id) + el("sequence", 1) + el("freeJoin", "false"))
    return "".join(parts)


def meeting_info_answer(m: SimMeeting) -> bytes:
    return success(meeting_fields(m))


def meetings_answer(meetings: Iterable[SimMeeting]) -> bytes:
    items = "".join(f"<meeting>{meeting_fields(m, listing=True)}</meeting>" for m in meetings)
    if not items:
        return success(
            "<meetings/>",
            el("messageKey", "noMeetings"),
            el("message", "no meetings were found on this server"),
        )
    return success(f"<meetings>{items}</meetings>")


def _recording(r: SimRecording) -> str:
    metadata = "".join(el(k, v) for k, v in r.metadata.items())
    formats = []
    for f in r.formats:
        preview = ""
        if f.previews:
            images = "".join(
                f'<image alt="{esc(alt)}" height="{h}" width="{w}">{esc(url)}</image>' for url, w, h, alt in f.previews
            )
            preview = f"<preview><images>{images}</images></preview>"
        formats.append(
            f"<format>{el('type', f.type)}{el('url', f.url)}{el('processingTime', f.processing_time)}"
            f"{el('length', f.length)}{el('size', f.size)}{preview}</format>"
        )
    return (
        "<recording>"
        f"{el('recordID', r.record_id)}{el('meetingID', r.meeting_id)}{el('internalMeetingID', r.internal_meeting_id)}"
        f"{el('name', r.name)}{el('isBreakout', b(r.is_breakout))}{el('published', b(r.published))}"
        f"{el('state', r.state)}{el('startTime', r.start_time)}{el('endTime', r.end_time)}"
        f"{el('participants', r.participants)}{el('rawSize', r.raw_size)}<metadata>{metadata}</metadata>"
        f"{el('size', r.size)}<playback>{''.join(formats)}</playback>"
        "</recording>"
    )


def recordings_answer(recordings: Iterable[SimRecording], total_elements: int | None = None) -> bytes:
    items = "".join(_recording(r) for r in recordings)
    parts = [f"<recordings>{items}</recordings>"]
    if not items:
        parts += [
            el("messageKey", "noRecordings"),
            el("message", "There are no recordings for the meeting(s)."),
        ]
    if total_elements is not None:
        # bbb-web appends it as the last child of <response> (constructPaginatedResponse).
        parts.append(el("totalElements", total_elements))
    return success(*parts)


def api_version_answer(bbb_version: str, public_url: str) -> bytes:
    host = public_url.split("://", 1)[-1]
    return success(
        el("version", "2.0"),
        el("apiVersion", "2.0"),
        el("bbbVersion", bbb_version),
        el("graphqlWebsocketUrl", f"wss://{host}/graphql"),
        el("graphqlApiUrl", f"{public_url}/api/rest"),
    )
