"""In-memory state of the simulated BBB server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class SimConfig:
    """Knobs of the simulator; all can be changed at runtime (``Simulator.configure``)."""

    public_url: str = "http://127.0.0.1:8090"
    # Seconds from meeting end until a recording leaves `processing` and is published.
    recording_delay: float = 5.0
    # meetingExpireIfNoUserJoinedInMinutes default 5 (create param overrides).
    meeting_expiry_seconds: float = 300.0
    # meetingExpireWhenLastUserLeftInMinutes default 1; 0 ends at once (akka behaviour).
    last_user_left_expiry_seconds: float = 60.0
    # Left users stay in the users map (meeting still `running`) this long (bbb-web usersTimeout).
    users_timeout_seconds: float = 60.0
    supported_checksum_algorithms: tuple[str, ...] = ("sha1", "sha256", "sha384", "sha512")
    allow_fetch_all_recordings: bool = True
    authenticated_guest: bool = True
    default_guest_policy: str = "ALWAYS_ACCEPT"
    dial_number: str = "613-555-1234"
    bbb_version: str = ""
    # Fault injection for API paths (never for /_sim/).
    latency: float = 0.0
    down: bool = False
    malformed: bool = False
    status_override: int | None = None
    body_override: str | None = None
    callbacks_enabled: bool = True
    guest_wait_refresh_seconds: int = 2
    # "bbb" (bbb-web 2.6-3.0) or "scalelite" (blindsidenetworks/scalelite in front of `backends`).
    profile: str = "bbb"
    # `end` only asks akka-apps to end the meeting; bbb-web removes it when MeetingEnded comes back
    # (MeetingService.processEndMeeting / processRemoveEndedMeeting).
    end_delay_seconds: float = 0.5
    # CallbackUrlService.schedRetryCallback: attempt 1 at once, then after 30 s, 1 min, 2 min, 5 min.
    callback_retry_delays: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0)
    # Formats are published one after another; post_publish scripts run after each
    # (record-and-playback/core/scripts/workers/rap-publish-worker.rb).
    recording_format_delay_seconds: float = 1.0
    recording_ready_jwt_algorithm: str = "HS256"
    # Scalelite only: GET_MEETINGS_API_DISABLED, its BBB backends and which of them do not answer.
    get_meetings_disabled: bool = False
    backends: tuple[str, ...] = ("bbb-1", "bbb-2")
    down_backends: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class SimUser:
    internal_id: str  # w_xxxxxxxxxxxx
    user_id: str  # external id (userID param or the internal one)
    full_name: str
    role: str  # MODERATOR | VIEWER
    session_token: str
    auth_token: str
    guest: bool = False
    guest_status: str = "ALLOW"  # ALLOW | WAIT | DENY
    avatar_url: str | None = None
    custom_data: dict[str, str] = field(default_factory=dict)
    entered: bool = False
    left_at: float | None = None  # seconds (sim clock)
    purged: bool = False
    is_presenter: bool = False
    is_listening_only: bool = True
    has_joined_voice: bool = False
    has_video: bool = False
    client_type: str = "HTML5"

    @property
    def online(self) -> bool:
        return self.entered and self.left_at is None

    @property
    def in_users_map(self) -> bool:
        # bbb-web keeps left users until purged; `running` is "users map not empty".
        return self.entered and not self.purged


@dataclass(slots=True)
class SimMeeting:
    meeting_id: str
    name: str
    internal_id: str
    create_time: int  # ms
    start_time: int  # ms; akka reports MeetingStarted right after create
    voice_bridge: str
    dial_number: str
    attendee_pw: str
    moderator_pw: str
    params: dict[str, str]
    metadata: dict[str, str]
    record: bool = False
    auto_start_recording: bool = False
    guest_policy: str = "ALWAYS_ACCEPT"
    max_participants: int = 0
    duration: int = 0  # minutes
    expire_no_join_seconds: float = 300.0
    expire_last_left_seconds: float = 60.0
    is_breakout: bool = False
    parent_meeting_id: str = "bbb-none"
    logout_url: str = ""
    end_time: int = 0
    has_user_joined: bool = False
    forcibly_ended: bool = False
    recording: bool = False  # recording switched on right now
    recording_marks: bool = False  # recording was on at some point
    last_left_at: float | None = None
    users: dict[str, SimUser] = field(default_factory=dict)  # by session token
    documents: list[dict[str, str]] = field(default_factory=list)
    seen_user_ids: set[str] = field(default_factory=set)
    backend: str = ""  # Scalelite profile: the BBB server the meeting runs on
    end_at: float | None = None  # sim clock: when akka-apps reports the requested end

    def entered_users(self) -> list[SimUser]:
        return [u for u in self.users.values() if u.in_users_map]

    def online_users(self) -> list[SimUser]:
        return [u for u in self.users.values() if u.online]

    def waiting_guests(self) -> list[SimUser]:
        return [u for u in self.users.values() if u.guest_status == "WAIT"]

    @property
    def running(self) -> bool:
        return any(u.in_users_map for u in self.users.values())


@dataclass(slots=True)
class SimFormat:
    type: str
    url: str
    processing_time: int
    length: int  # minutes
    size: int
    previews: list[tuple[str, int, int, str]] = field(default_factory=list)  # url, width, height, alt


@dataclass(slots=True)
class SimRecording:
    record_id: str
    meeting_id: str
    internal_meeting_id: str
    name: str
    state: str  # processing | processed | published | unpublished | deleted
    start_time: int
    end_time: int
    participants: int
    metadata: dict[str, str]
    formats: list[SimFormat]
    raw_size: int
    is_breakout: bool = False
    ready_at: float | None = None  # sim clock seconds when the next format is published
    pending_formats: list[SimFormat] = field(default_factory=list)  # still processing

    @property
    def published(self) -> bool:
        return self.state == "published"

    @property
    def size(self) -> int:
        return sum(f.size for f in self.formats)
