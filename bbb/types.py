"""Typed results of the BBB API. Identifiers stay strings; times are aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ApiVersion:
    version: str
    api_version: str
    build: str  # bbbVersion; empty unless the server reveals it (allowRevealOfBBBVersion)


@dataclass(frozen=True, slots=True)
class CreateResult:
    meeting_id: str
    internal_meeting_id: str
    parent_meeting_id: str | None
    create_time: datetime | None
    voice_bridge: str | None
    dial_number: str | None
    has_user_joined: bool
    duplicate_warning: bool
    message_key: str | None
    message: str | None
    attendee_pw: str | None = None
    moderator_pw: str | None = None


@dataclass(frozen=True, slots=True)
class Attendee:
    user_id: str
    full_name: str
    role: str
    is_presenter: bool
    is_listening_only: bool
    has_joined_voice: bool
    has_video: bool
    client_type: str | None
    custom_data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: str
    internal_meeting_id: str | None
    name: str | None
    create_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    running: bool
    has_user_joined: bool
    has_been_forcibly_ended: bool
    participant_count: int | None
    listener_count: int | None
    voice_participant_count: int | None
    video_count: int | None
    moderator_count: int | None
    max_users: int | None
    is_breakout: bool
    metadata: dict[str, str]
    attendees: list[Attendee]
    # Extras beyond the agreed API (all optional, keyword-only in practice).
    voice_bridge: str | None = None
    dial_number: str | None = None
    recording: bool = False
    duration_minutes: int | None = None
    parent_meeting_id: str | None = None
    breakout_rooms: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Preview:
    url: str
    width: int | None
    height: int | None
    alt: str | None


@dataclass(frozen=True, slots=True)
class PlaybackFormat:
    type: str
    url: str | None
    length_minutes: int | None
    processing_time_ms: int | None
    size: int | None
    previews: list[Preview]


@dataclass(frozen=True, slots=True)
class Recording:
    record_id: str
    meeting_id: str | None
    internal_meeting_id: str | None
    name: str | None
    state: str | None
    published: bool
    protected: bool
    start_time: datetime | None
    end_time: datetime | None
    participants: int | None
    size: int | None
    raw_size: int | None
    metadata: dict[str, str]
    formats: list[PlaybackFormat]
    is_breakout: bool = False


@dataclass(frozen=True, slots=True)
class RecordingPage:
    recordings: list[Recording]
    total_elements: int | None  # only when the server paginated (limit given, BBB 2.6+)
    offset: int | None
    limit: int | None


@dataclass(frozen=True, slots=True)
class JoinResult:
    """Answer of ``join`` with ``redirect=false`` (server-side join)."""

    message_key: str | None
    message: str | None
    meeting_id: str | None
    user_id: str | None
    auth_token: str | None
    session_token: str | None
    guest_status: str | None
    url: str | None
