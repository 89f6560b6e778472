"""Room presets by purpose: the BBB settings clubs would otherwise not find.

Each preset is a complete set of the in-meeting settings (``PRESET_FIELDS``); the room form applies
the preset's value to every field the person did not change themselves, and every setting stays
editable one by one under "Erweitert". Create parameters are built from the room's fields in
``rooms.services._create_params`` (BBB names: bbb-common-web ``ApiParams.java``).
"""

from __future__ import annotations

from typing import Any

from clubs.models import Club
from rooms.models import RoomPreset

PRESET_FIELDS = (
    "mute_on_start",
    "waiting_room",
    "record",
    "lock_disable_cam",
    "lock_disable_mic",
    "lock_disable_private_chat",
    "lock_disable_public_chat",
    "lock_disable_notes",
    "lock_hide_user_list",
    "webcams_only_for_moderator",
    "duration",
    "end_when_no_moderator",
    "end_when_no_moderator_delay",
)

_NO_LOCKS = {
    "lock_disable_cam": False,
    "lock_disable_mic": False,
    "lock_disable_private_chat": False,
    "lock_disable_public_chat": False,
    "lock_disable_notes": False,
    "lock_hide_user_list": False,
    "webcams_only_for_moderator": False,
}

PRESETS: dict[str, dict[str, Any]] = {
    # A handful of people who know each other: everybody talks, nothing locked, guests wait to be let in.
    RoomPreset.BOARD: {
        **_NO_LOCKS,
        "mute_on_start": False,
        "waiting_room": True,
        "record": False,
        "duration": None,
        "end_when_no_moderator": False,
        "end_when_no_moderator_delay": 5,
    },
    # Dozens of members, the board leads: muted on entry, no side chats, only the moderation's cameras
    # are seen, notes are the minutes (moderation writes them); ends when the chair has gone.
    RoomPreset.ASSEMBLY: {
        **_NO_LOCKS,
        "lock_disable_private_chat": True,
        "lock_disable_notes": True,
        "webcams_only_for_moderator": True,
        "mute_on_start": True,
        "waiting_room": False,
        "record": False,
        "duration": 240,
        "end_when_no_moderator": True,
        "end_when_no_moderator_delay": 10,
    },
    # A course leader teaches: muted on entry, no private chat, may be recorded, limited to three hours.
    RoomPreset.COURSE: {
        **_NO_LOCKS,
        "lock_disable_private_chat": True,
        "mute_on_start": True,
        "waiting_room": False,
        "record": True,
        "duration": 180,
        "end_when_no_moderator": True,
        "end_when_no_moderator_delay": 5,
    },
    # Confidential: never recorded, newcomers wait to be admitted, the room closes soon after the
    # moderation leaves, and nobody keeps shared notes.
    RoomPreset.SELF_HELP: {
        **_NO_LOCKS,
        "lock_disable_notes": True,
        "mute_on_start": False,
        "waiting_room": True,
        "record": False,
        "duration": None,
        "end_when_no_moderator": True,
        "end_when_no_moderator_delay": 2,
    },
    # Anybody with the link: muted on entry, no private messages from strangers, not recorded.
    RoomPreset.OPEN: {
        **_NO_LOCKS,
        "lock_disable_private_chat": True,
        "mute_on_start": True,
        "waiting_room": False,
        "record": False,
        "duration": None,
        "end_when_no_moderator": False,
        "end_when_no_moderator_delay": 5,
    },
}


def preset_settings(preset: str, *, club: Club) -> dict[str, Any]:
    """The settings of ``preset`` within the club's quotas (no recording where the club may not record)."""
    values = dict(PRESETS[RoomPreset(preset)])
    if not club.recording_allowed:
        values["record"] = False
    return values
