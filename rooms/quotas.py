"""The club's quotas as they apply to rooms and meetings; every refusal is a German sentence.

Staff set the quotas on the club (max rooms, max participants per meeting, max concurrent meetings,
recording allowed); rooms choose their own settings within them. Services call the ``check_*``
functions and let ``QuotaExceeded`` travel to the view, which shows ``message``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from clubs.models import Club
from meetings.models import Meeting
from recordings.quotas import storage_full_message, storage_usage
from rooms.models import Room


class QuotaExceeded(Exception):
    """A quota forbids the action; ``message`` says so to the user (German, translated)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def check_room_quota(*, club: Club) -> None:
    if club.rooms.count() >= club.max_rooms:
        raise QuotaExceeded(
            _(
                "Ihr Verein hat bereits die höchstmögliche Zahl von %(max)d Räumen. "
                "Löschen Sie einen Raum, den Sie nicht mehr brauchen, oder wenden Sie sich an uns."
            )
            % {"max": club.max_rooms}
        )


def check_max_participants(*, club: Club, max_participants: int | None) -> None:
    if max_participants is not None and max_participants > club.max_participants:
        raise QuotaExceeded(
            _("Ihr Verein darf höchstens %(max)d Teilnehmende je Besprechung einladen. Bitte wählen Sie weniger.")
            % {"max": club.max_participants},
            field="max_participants",
        )


def check_recording(*, club: Club, record: bool) -> None:
    if record and not club.recording_allowed:
        raise QuotaExceeded(_("Für Ihren Verein sind Aufzeichnungen nicht freigeschaltet."), field="record")


def check_concurrent_meetings(*, club: Club) -> None:
    """Open meetings (starting or running) of the club count against its concurrency quota."""
    open_meetings = Meeting.objects.filter(club=club, ended_at__isnull=True).count()
    if open_meetings >= club.max_concurrent_meetings:
        raise QuotaExceeded(
            _(
                "In Ihrem Verein laufen bereits %(count)d Besprechungen gleichzeitig – mehr sind nicht möglich. "
                "Bitte beenden Sie zuerst eine andere Besprechung."
            )
            % {"count": open_meetings}
        )


def check_room_settings(*, club: Club, settings: dict) -> None:
    check_max_participants(club=club, max_participants=settings.get("max_participants"))
    check_recording(club=club, record=bool(settings.get("record")))


def effective_max_participants(room: Room) -> int:
    """The room's own limit, never above the club's quota."""
    club_max = room.club.max_participants
    return min(room.max_participants, club_max) if room.max_participants else club_max


def records(room: Room) -> bool:
    """The room's meetings may be recorded: the room wants it and the club is allowed to."""
    return room.record and room.club.recording_allowed


def recording_refusal(room: Room) -> str:
    """Why a meeting of ``room`` that wants recording is not recorded ("" when it is, or does not want it)."""
    if not records(room):
        return ""
    return storage_full_message() if storage_usage(club=room.club).full else ""
