"""Create parameters the simulator honours beyond the basics (kept apart from core.py).

- Lock settings and ``webcamsOnlyForModerator``: parsed like bbb-web's ``ParamsProcessorUtil``
  (``lockSettings*`` booleans, default false; ``lockSettingsLockOnJoin`` default true, so the locks
  apply to viewers from the moment they join) and shown on the meeting page, where a viewer's camera,
  microphone, chats, notes and user list follow them. ``muteOnStart`` mutes everybody on entry.
- ``endWhenNoModerator`` (+ ``endWhenNoModeratorDelayInMinutes``, default 1): akka-apps
  ``MeetingActor.checkIfNeedToEndMeetingWhenNoModerators`` ends the meeting once a moderator had
  joined, all moderators have left, and the last one left longer ago than the delay
  (reason ``ENDED_DUE_TO_NO_MODERATOR``).
"""

from __future__ import annotations

from html import escape

from bbb.simulator.base import _int_param, _is_true
from bbb.simulator.models import SimMeeting, SimUser

LOCKS = {
    "lockSettingsDisableCam": "camera",
    "lockSettingsDisableMic": "microphone",
    "lockSettingsDisablePrivateChat": "private-chat",
    "lockSettingsDisablePublicChat": "public-chat",
    "lockSettingsDisableNotes": "notes",
    "lockSettingsHideUserList": "user-list",
}
END_REASON_NO_MODERATOR = "ENDED_DUE_TO_NO_MODERATOR"


def active_locks(meeting: SimMeeting) -> list[str]:
    """The viewer locks the meeting was created with (``lockSettingsLockOnJoin`` defaults to true)."""
    if meeting.params.get("lockSettingsLockOnJoin", "true").lower() == "false":
        return []
    locks = [name for param, name in LOCKS.items() if _is_true(meeting.params.get(param))]
    # bbb-web still reads the pre-2.6 spelling when the new one is absent.
    if "lockSettingsDisableNotes" not in meeting.params and _is_true(meeting.params.get("lockSettingsDisableNote")):
        locks.append("notes")
    return locks


def ended_without_moderator(meeting: SimMeeting, now: float) -> bool:
    if not _is_true(meeting.params.get("endWhenNoModerator")) or meeting.is_breakout:
        return False
    moderators = [u for u in meeting.users.values() if u.role == "MODERATOR" and u.entered]
    if not moderators or any(u.online for u in moderators):
        return False
    delay_minutes = _int_param(meeting.params.get("endWhenNoModeratorDelayInMinutes")) or 1
    last_left = max(u.left_at or 0.0 for u in moderators)
    return now - last_left > delay_minutes * 60


def meeting_settings_html(meeting: SimMeeting, user: SimUser) -> str:
    """What the user's client shows of the meeting's settings (stable ids for tests)."""
    viewer = user.role != "MODERATOR"
    locks = active_locks(meeting) if viewer else []
    cams_hidden = viewer and _is_true(meeting.params.get("webcamsOnlyForModerator"))
    muted = _is_true(meeting.params.get("muteOnStart"))
    items = "".join(
        f'<li data-testid="sim-lock" data-lock="{escape(lock)}">{escape(lock)} locked</li>' for lock in locks
    )
    return (
        f'<section id="sim-settings" data-testid="sim-settings" data-muted-on-start="{str(muted).lower()}"'
        f' data-webcams-only-for-moderator="{str(cams_hidden).lower()}">'
        f"<p>{'Muted on entry.' if muted else 'Microphone open on entry.'}"
        f"{' Only moderators see webcams.' if cams_hidden else ''}</p>"
        f'<ul id="sim-locks">{items}</ul></section>'
    )
